// The B context each proof starts with (docs/record.md "Entries"): what the
// statement is about, so a proof copied to another election, question,
// choice, ballot or trustee fails. F is the election fingerprint's 32 bytes,
// u32(n) four bytes big-endian. Questions and choices are numbered from 1
// here, as src/record/ballot.rs and src/record/tally.rs number them.
//
// A ballot's contexts (and its tracker) carry K, its credential's 32 bytes,
// right after F: 32 zero bytes for a ballot without one.

import { utf8, concat, u32 } from './group.js';

export const NO_CREDENTIAL = new Uint8Array(32);

/** "trustee" ‖ F ‖ u32(index): a trustee's key proof of C_i0. */
export function trusteeContext(fingerprint, index) {
  return concat(utf8('trustee'), fingerprint, u32(index));
}

/** "ballot" ‖ F ‖ credential ‖ u32(q) ‖ u32(c): choice c (from 1) of question q is 0 or 1. */
export function ballotContext(fingerprint, credential, question, choice) {
  return concat(utf8('ballot'), fingerprint, credential ?? NO_CREDENTIAL, u32(question), u32(choice));
}

/** "ballot-sum" ‖ F ‖ credential ‖ u32(q): question q has exactly one choice. */
export function ballotSumContext(fingerprint, credential, question) {
  return concat(utf8('ballot-sum'), fingerprint, credential ?? NO_CREDENTIAL, u32(question));
}

/** "share" ‖ F ‖ u32(j) ‖ u32(q) ‖ u32(c): trustee j's share of choice c's (from 1) sum of question q. */
export function shareContext(fingerprint, trustee, question, choice) {
  return concat(utf8('share'), fingerprint, u32(trustee), u32(question), u32(choice));
}
