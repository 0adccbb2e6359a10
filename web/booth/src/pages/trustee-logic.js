// The trustee page's pure parts: what to do for each `ask`, the passphrase
// rules, the key file's name, and the answer the device sends. No DOM here.

import {
  transportMessage,
  dealMessage,
  confirmOrComplain,
  shareEntry,
  MIN_PASSPHRASE_CHARS,
} from '../trustee.js';
import { verifyRecord } from '../record.js';

/**
 * What the page does for a packet's ask:
 * "new-key" (choose a passphrase, make and save the key file),
 * "open-key" (open the key file, then answer),
 * "check-record" (verify the record, then open the key file and answer),
 * or "nothing".
 */
export function planFor(ask) {
  switch (ask) {
    case 'transport':
      return 'new-key';
    case 'deal':
    case 'confirm':
      return 'open-key';
    case 'share':
      return 'check-record';
    case 'wait':
      return 'nothing';
    default:
      throw new Error(`This page does not know the step "${ask}".`);
  }
}

/** The words of the send button for each ask. */
export function sendLabel(ask) {
  return {
    transport: 'Send my transport key',
    deal: 'Open my key file and send my deal',
    confirm: 'Open my key file and check my shares',
    share: 'Open my key file and send my share',
  }[ask];
}

/** Why two typed passphrases will not do, in words, or null when they will. */
export function passphraseProblem(first, second) {
  if ([...first].length < MIN_PASSPHRASE_CHARS)
    return `Choose a passphrase of at least ${MIN_PASSPHRASE_CHARS} characters.`;
  if (first !== second) return 'The two passphrases are not the same. Type the same passphrase twice.';
  return null;
}

/** The election's number in /elections/{id}/trustee, or null. */
export function electionIdFromPath(pathname) {
  const m = /^\/elections\/([0-9]+)\//.exec(pathname);
  return m ? Number(m[1]) : null;
}

/** election-<id>-trustee-<n>.key */
export function keyFileName(electionId, trustee) {
  return `election-${electionId ?? 'unknown'}-trustee-${trustee}.key`;
}

/**
 * The answer for the packet's ask, made from the seed. args: what
 * fromPacket returns. Returns {message, text (what the form sends),
 * words (what to tell the trustee), complaint (the trustee it names, or
 * null)}. Throws in words.
 */
export function makeAnswer(args, seed) {
  const { fingerprint, trustee, threshold, transportKeys, deals } = args;
  let message;
  let words;
  let complaint = null;
  switch (args.ask) {
    case 'transport':
      message = transportMessage({ seed, fingerprint, trustee });
      words = 'Your transport key is ready to send.';
      break;
    case 'deal':
      message = dealMessage({ seed, fingerprint, trustee, threshold, transportKeys });
      words = 'Your deal is ready to send.';
      break;
    case 'confirm':
      message = confirmOrComplain({ seed, fingerprint, trustee, threshold, transportKeys, deals });
      if (message.step === 'complain') {
        complaint = message.against;
        words = `The share trustee ${message.against} dealt you did not check. Your device sends a complaint about trustee ${message.against}. The trustees then deal again, from the same key files.`;
      } else words = 'Every share dealt to you checks. Your confirmation is ready to send.';
      break;
    case 'share':
      if (args.record === null || args.record === undefined) throw new Error('The page holds no record to decrypt.');
      message = shareEntry({ record: args.record, seed, fingerprint, trustee, threshold, transportKeys, deals });
      words = 'The record checks. Your decryption share is ready to send.';
      break;
    default:
      throw new Error(`Nothing is asked of you now (${args.ask}).`);
  }
  return { message, text: JSON.stringify(message), words, complaint };
}

/** One check of verifyRecord in words: "chain: holds (14 checked)". */
export function checkWords({ name, count, ok }) {
  return `${name}: ${ok ? 'holds' : 'does not hold'} (${count} checked)`;
}

/** verifyRecord on the packet's record: {ok, checks: [words], failures: [words], head}. */
/** Whether the head hash the trustee typed is the record's (any case, spaces trimmed). */
export function headMatches(typed, head) {
  return typeof typed === 'string' && typeof head === 'string' && head.length === 64 && typed.trim().toLowerCase() === head;
}

export function checkRecord(record, options = {}) {
  const report = verifyRecord(record ?? '', options);
  return {
    ok: report.ok,
    checks: report.checks.map(checkWords),
    failures: [...report.failures],
    head: report.head,
    complete: report.complete,
    report,
  };
}
