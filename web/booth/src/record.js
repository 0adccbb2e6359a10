// The election record (docs/record.md): a writer that appends hash-chained
// JSON lines, and verifyRecord, which runs every check of "What a verifier
// checks" on the bytes of a record and reports each in words.

import { sha256 } from '@noble/hashes/sha2.js';
import {
  fromHex,
  toHex,
  utf8,
  keyPointFromHex,
  pointFromHex,
  scalarFromHex,
  encodeCount,
} from './group.js';
import { verifyKey, verifyEquality } from './proofs.js';
import { add, zero, unblind } from './elgamal.js';
import { checkAnswers } from './ballot.js';
import { trusteeContext, shareContext } from './contexts.js';
import { electionKey, verificationKey, combine } from './threshold.js';
import { smallLog } from './dlog.js';
import { verifyTrackerSignature, isValidPublic } from './credential.js';

export const ZERO_HASH = '0'.repeat(64);
// Ballots and revocations interleave while the vote runs, so they share a rank.
const RANK = { election: 0, trustee: 1, credentials: 2, open: 3, ballot: 4, revoke: 4, close: 5, sums: 6, share: 7, result: 8 };
const ONCE = new Set(['election', 'credentials', 'open', 'close', 'sums', 'result']);
const HEX32 = /^[0-9a-f]{64}$/;
const BY = new Set(['voter', 'server', 'paper']);
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;

export function lineHash(bytes) {
  return toHex(sha256(typeof bytes === 'string' ? utf8(bytes) : bytes));
}

/** Appends entries as the record's lines: seq, prev and type first. */
export class RecordWriter {
  constructor() {
    this.lines = [];
    this.head = ZERO_HASH;
  }

  append(type, fields) {
    const line = JSON.stringify({ seq: this.lines.length, prev: this.head, type, ...fields });
    this.lines.push(line);
    this.head = lineHash(line);
    return line;
  }

  /** The hash of line 0. */
  get fingerprint() {
    if (this.lines.length === 0) throw new Error('no election line yet');
    return lineHash(this.lines[0]);
  }

  text() {
    return this.lines.map((l) => `${l}\n`).join('');
  }
}

/** Splits a record's bytes into lines (without their newline); throws in words. */
function splitLines(bytes) {
  const lines = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x0a) {
      lines.push(bytes.subarray(start, i));
      start = i + 1;
    }
  }
  return { lines, rest: bytes.subarray(start) };
}

const isInt = (v) => Number.isSafeInteger(v) && v >= 0;

class Report {
  constructor() {
    this.checks = new Map();
    this.failures = [];
    for (const name of ['chain', 'election', 'trustees', 'key', 'ballots', 'close', 'sums', 'shares', 'result'])
      this.checks.set(name, { name, count: 0, ok: true });
  }

  count(name, n = 1) {
    this.check(name).count += n;
  }

  check(name) {
    if (!this.checks.has(name)) this.checks.set(name, { name, count: 0, ok: true });
    return this.checks.get(name);
  }

  fail(name, words) {
    this.check(name).ok = false;
    this.failures.push(words);
  }

  result(extra) {
    const checks = [...this.checks.values()];
    return { ok: this.failures.length === 0, checks, failures: this.failures, ...extra };
  }
}

function checkElection(e, report, where) {
  const bad = (words) => report.fail('election', `${where}: ${words}`);
  if (!isInt(e.id)) bad('the id is not a whole number');
  for (const f of ['title', 'unit']) if (typeof e[f] !== 'string') bad(`the ${f} is not text`);
  for (const f of ['opens_at', 'closes_at'])
    if (typeof e[f] !== 'string' || !TIME.test(e[f])) bad(`${f} is not a YYYY-MM-DDTHH:MM:SS time`);
  const n = e.trustees;
  const t = e.threshold;
  if (!isInt(n) || n < 2) bad(`there must be at least 2 trustees, not ${n}`);
  else if (!isInt(t) || (n > 2 ? t < 2 || t > n : t !== n))
    bad(`a threshold of ${t} is not allowed with ${n} trustees`);
  if (!Array.isArray(e.questions) || e.questions.length === 0) {
    bad('there are no questions');
    return null;
  }
  const questions = [];
  e.questions.forEach((q, i) => {
    const what = `question ${i + 1}`;
    if (q === null || typeof q !== 'object') return bad(`${what} is not an object`);
    if (q.position !== i + 1) bad(`${what} has position ${q.position}`);
    if (typeof q.text !== 'string') bad(`${what} has no text`);
    if (q.kind !== 'yes_no' && q.kind !== 'choice') bad(`${what} is of kind ${q.kind}, not yes_no or choice`);
    if (!Array.isArray(q.choices) || q.choices.length < 2 || !q.choices.every((c) => typeof c === 'string'))
      return bad(`${what} does not have at least two choice labels`);
    const p = q.pass;
    if (!p || !isInt(p.num) || !isInt(p.den) || p.den === 0 || p.num > p.den || typeof p.at_least !== 'boolean')
      bad(`${what}'s pass rule is not {num, den, at_least} with 0 ≤ num ≤ den, den > 0`);
    if (!isInt(q.min_turnout_bp) || q.min_turnout_bp > 10000) bad(`${what}'s min_turnout_bp is not 0 … 10000`);
    questions.push({ position: i + 1, choices: q.choices.length });
  });
  return questions.length === e.questions.length ? questions : null;
}

/**
 * Verifies a record given as text or bytes. Options: {tracker}, a ballot's
 * tracker that must be in the record. Returns {ok, checks: [{name, count,
 * ok}], failures: [words], complete, head, fingerprint}.
 */
export function verifyRecord(input, { tracker: wanted } = {}) {
  const report = new Report();
  const bytes = typeof input === 'string' ? utf8(input) : input;
  const { lines, rest } = splitLines(bytes);
  if (rest.length > 0) report.fail('chain', `line ${lines.length} does not end in a newline`);
  if (lines.length === 0 && rest.length === 0) report.fail('chain', 'the record is empty');
  const decoder = new TextDecoder('utf-8', { fatal: true });

  // 1. Chain: parse, seq, prev, order.
  const entries = [];
  let prev = ZERO_HASH;
  let rank = -1;
  let lastType = null;
  const seen = new Set();
  lines.forEach((raw, i) => {
    report.count('chain');
    const hash = lineHash(raw);
    const here = `line ${i}`;
    let obj;
    try {
      obj = JSON.parse(decoder.decode(raw));
    } catch {
      report.fail('chain', `${here} is not a JSON object in UTF-8`);
      prev = hash;
      return;
    }
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
      report.fail('chain', `${here} is not a JSON object`);
      prev = hash;
      return;
    }
    const keys = Object.keys(obj);
    if (keys[0] !== 'seq' || keys[1] !== 'prev' || keys[2] !== 'type')
      report.fail('chain', `${here}'s first three members are not seq, prev, type`);
    if (obj.seq !== i) report.fail('chain', `${here} has seq ${obj.seq}`);
    if (obj.prev !== prev)
      report.fail('chain', `${here}'s prev is not the hash of ${i === 0 ? 'nothing (64 zeros)' : `line ${i - 1}`}`);
    const r = Object.hasOwn(RANK, obj.type) ? RANK[obj.type] : -1;
    if (r < 0) report.fail('chain', `${here} has an unknown type ${JSON.stringify(obj.type)}`);
    else {
      if (r < rank) report.fail('chain', `${here} (${obj.type}) comes after a ${lastType} entry`);
      else if (ONCE.has(obj.type) && seen.has(obj.type)) report.fail('chain', `${here} is a second ${obj.type} entry`);
      else if (rank === RANK.result) report.fail('chain', `${here} comes after the result`);
      if ((obj.type === 'election') !== (i === 0)) report.fail('chain', `${here} is ${obj.type}; line 0, and only line 0, is the election`);
      if (r >= rank) lastType = obj.type;
      rank = Math.max(rank, r);
      seen.add(obj.type);
      entries.push({ line: i, entry: obj });
    }
    prev = hash;
  });
  const head = prev;
  const fingerprintHex = lines.length > 0 ? lineHash(lines[0]) : null;
  const of = (type) => entries.filter((e) => e.entry.type === type);
  const where = (e) => `line ${e.line} (${e.entry.type})`;

  const electionEntry = entries.find((e) => e.entry.type === 'election' && e.line === 0);
  if (!electionEntry) {
    report.fail('election', 'line 0 is not the election');
    return report.result({ complete: false, head, fingerprint: fingerprintHex });
  }
  report.count('election');
  const election = electionEntry.entry;
  const questions = checkElection(election, report, where(electionEntry));
  const F = fromHex(fingerprintHex);
  const n = election.trustees;
  const t = election.threshold;

  // 2. Trustees.
  const trustees = of('trustee');
  const commitments = [];
  trustees.forEach((e, i) => {
    report.count('trustees');
    const tr = e.entry;
    const bad = (words) => report.fail('trustees', `${where(e)}: ${words}`);
    if (tr.index !== i + 1) bad(`the trustee's index is ${tr.index}, not ${i + 1}`);
    if (i >= n) bad(`the election has only ${n} trustees`);
    if (typeof tr.name !== 'string') bad('the trustee has no name');
    if (!Array.isArray(tr.commitments) || tr.commitments.length !== t) {
      bad(`there are ${tr.commitments?.length ?? 'no'} commitments, not the threshold ${t}`);
      commitments.push(null);
      return;
    }
    try {
      const cs = tr.commitments.map((c, k) => keyPointFromHex(c, `commitment ${k}`));
      commitments.push(cs);
      const [c, s] = pair(tr.proof, 'the key proof');
      if (!verifyKey({ c, s }, trusteeContext(F, tr.index), cs[0]))
        bad('the key proof of commitment 0 does not check');
    } catch (err) {
      bad(err.message);
      if (commitments.length === i) commitments.push(null);
    }
  });
  const keygenDone = seen.has('open') || trustees.length > n;
  if (keygenDone && trustees.length !== n)
    report.fail('trustees', `there are ${trustees.length} trustee entries for ${n} trustees`);
  const allCommitments = commitments.every((c) => c !== null) && trustees.length === n ? commitments : null;

  // 2b. Credentials: a sorted list of distinct public keys, one per roll entry.
  const list = of('credentials')[0];
  let active = null;
  if (list) {
    const bad = (words) => report.fail('credentials', `${where(list)}: ${words}`);
    const keys = Array.isArray(list.entry.keys) ? list.entry.keys : [];
    report.count('credentials', keys.length);
    if (!Array.isArray(list.entry.keys)) bad('keys is not a list');
    if (list.entry.count !== keys.length) bad(`the list says ${list.entry.count} credentials and holds ${keys.length}`);
    if (!keys.every((k) => typeof k === 'string' && HEX32.test(k))) bad('a credential is not 64 lowercase hex digits');
    else if (!keys.every(isValidPublic))
      bad('a credential is not a public key with a secret behind it (a small-order or non-canonical point): anyone could sign for it');
    if (!keys.every((k, i) => i === 0 || keys[i - 1] < k)) bad('the credentials are not sorted, or one is listed twice');
    active = new Set(keys);
  }

  // 3. Key.
  const open = of('open')[0];
  let Y = null;
  if (open) {
    report.count('key');
    const bad = (words) => report.fail('key', `${where(open)}: ${words}`);
    try {
      Y = keyPointFromHex(open.entry.key, 'the election key');
      if (allCommitments && !Y.equals(electionKey(allCommitments)))
        bad("the key is not the sum of the trustees' first commitments");
      else if (!allCommitments) bad("the key cannot be checked: the trustees' commitments are not all valid");
    } catch (err) {
      bad(err.message);
      Y = null;
    }
    const roll = open.entry.roll;
    if (!roll || !isInt(roll.size) || typeof roll.fingerprint !== 'string' || !/^[0-9a-f]{64}$/.test(roll.fingerprint))
      bad('the roll is not {size, fingerprint} with a 64-digit lowercase hex fingerprint');
    if (Y) Y.precompute(8, false);
    if (active && roll && active.size !== roll.size)
      report.fail('credentials', `${active.size} credentials for a roll of ${roll.size}`);
  }

  // 4. Ballots, and the revocations between them.
  const ballots = of('ballot');
  const trackers = new Map();
  const alphas = new Map();
  const sums = questions ? questions.map((q) => Array.from({ length: q.choices }, () => zero())) : null;
  let sumsValid = sums !== null && Y !== null;
  const revoked = new Set();
  const signedBy = new Set();
  // With credentials only the last ballot of each counts: credential → its cts.
  const lastOf = new Map();
  const counted = [];
  for (const e of entries.filter((x) => x.entry.type === 'ballot' || x.entry.type === 'revoke')) {
    if (e.entry.type === 'revoke') {
      const r = e.entry;
      const bad = (words) => report.fail('ballots', `${where(e)}: ${words}`);
      if (!active) {
        bad('a revocation in a record without credentials');
        continue;
      }
      if (signedBy.has(r.old)) bad('a credential revoked after a ballot was cast with it');
      if (!active.delete(r.old)) bad('the revoked credential is not on the list');
      if (typeof r.new !== 'string' || !HEX32.test(r.new) || !isValidPublic(r.new) || active.has(r.new) || revoked.has(r.new))
        bad('the replacement credential is not a new one');
      active.add(r.new);
      revoked.add(r.old);
      continue;
    }
    report.count('ballots');
    const b = e.entry;
    const bad = (words) => report.fail('ballots', `${where(e)}: ${words}`);
    if (active) {
      const c = b.credential;
      if (typeof c !== 'string') bad('the ballot carries no voting credential');
      else if (revoked.has(c)) bad('the ballot is signed with a revoked credential');
      else if (!active.has(c)) bad('the ballot is signed with a credential not on the list');
      else if (typeof b.signature !== 'string') bad('the ballot is not signed with its credential');
      else if (!verifyTrackerSignature(c, b.tracker, b.signature))
        bad('the ballot has a signature that does not check against its credential');
      else signedBy.add(c);
    }
    if (!BY.has(b.by)) bad(`by is ${JSON.stringify(b.by)}, not voter, server or paper`);
    if (typeof b.tracker !== 'string' || !/^[0-9a-f]{64}$/.test(b.tracker)) bad('the tracker is not 64 lowercase hex digits');
    else if (trackers.has(b.tracker)) bad(`the tracker repeats line ${trackers.get(b.tracker)}'s`);
    else trackers.set(b.tracker, e.line);
    if (!Y || !questions) {
      bad('the ballot cannot be checked without a valid election and key');
      sumsValid = false;
      continue;
    }
    try {
      const cred = b.credential === undefined || b.credential === null ? null : fromHex(b.credential, 'the credential', 32);
      const checked = checkAnswers(Y, F, cred, questions, b.answers);
      if (checked.tracker !== b.tracker) bad(`the tracker is not the ballot's, which is ${checked.tracker}`);
      const repeats = new Set();
      for (const a of checked.alphas) {
        if (alphas.has(a)) repeats.add(alphas.get(a));
        else alphas.set(a, e.line);
      }
      for (const line of repeats)
        bad(line === e.line ? 'an alpha repeats within the ballot' : `an alpha repeats one of line ${line}`);
      if (active) lastOf.set(b.credential, checked.cts);
      else counted.push(checked.cts);
    } catch (err) {
      bad(err.message);
      sumsValid = false;
    }
  }
  counted.push(...lastOf.values());
  if (sums) for (const cts of counted) cts.forEach((row, qi) => row.forEach((ct, k) => (sums[qi][k] = add(sums[qi][k], ct))));
  const nCounted = counted.length;

  // 5. Close.
  const close = of('close')[0];
  if (close) {
    report.count('close');
    if (close.entry.ballots !== ballots.length)
      report.fail('close', `${where(close)}: it says ${close.entry.ballots} ballots; the record has ${ballots.length}`);
    if (list && close.entry.counted !== nCounted)
      report.fail('close', `${where(close)}: it says ${close.entry.counted} ballots count; by the last ballot of each credential, ${nCounted} do`);
  }

  // 6. Sums.
  const sumsEntry = of('sums')[0];
  let published = null;
  if (sumsEntry) {
    const bad = (words) => report.fail('sums', `${where(sumsEntry)}: ${words}`);
    try {
      published = decodeGrid(sumsEntry.entry.questions, questions, (c, what) => ({
        alpha: pointFromHex(c.alpha, `${what}'s alpha`),
        beta: pointFromHex(c.beta, `${what}'s beta`),
      }));
      published.forEach((row, qi) =>
        row.forEach((ct, k) => {
          report.count('sums');
          if (!sumsValid) return;
          const mine = sums[qi][k];
          if (!ct.alpha.equals(mine.alpha) || !ct.beta.equals(mine.beta))
            bad(`question ${questions[qi].position} choice ${k + 1}'s sum is not the sum of the ballots`);
        }),
      );
      if (!sumsValid) bad('the sums cannot be checked: not every ballot is valid');
    } catch (err) {
      bad(err.message);
      published = null;
    }
  }

  // 7. Shares.
  const shares = of('share');
  const usable = [];
  const by = new Set();
  for (const e of shares) {
    report.count('shares');
    const sh = e.entry;
    const j = sh.trustee;
    const bad = (words) => report.fail('shares', `${where(e)}: ${words}`);
    if (!isInt(j) || j < 1 || j > n) {
      bad(`trustee ${j} is not one of 1 … ${n}`);
      continue;
    }
    if (by.has(j)) {
      bad(`trustee ${j} gave a share already`);
      continue;
    }
    by.add(j);
    if (!published || !allCommitments) {
      bad('the share cannot be checked without valid sums and trustees');
      continue;
    }
    const X = verificationKey(allCommitments, j);
    try {
      const grid = decodeGrid(sh.questions, questions, (c, what) => ({
        share: pointFromHex(c.share, `${what}'s share`),
        proof: pair(c.proof, `${what}'s proof`),
      }));
      let good = true;
      grid.forEach((row, qi) =>
        row.forEach((d, k) => {
          const q = questions[qi].position;
          const [c, s] = d.proof;
          if (!verifyEquality({ c, s }, shareContext(F, j, q, k + 1), X, published[qi][k].alpha, d.share)) {
            bad(`trustee ${j}'s share for question ${q} choice ${k + 1} does not check against its verification key`);
            good = false;
          }
        }),
      );
      if (good) usable.push([j, grid]);
    } catch (err) {
      bad(err.message);
    }
  }

  // 8. Result.
  const result = of('result')[0];
  if (result) {
    const r = result.entry;
    const bad = (words) => report.fail('result', `${where(result)}: ${words}`);
    if (r.voted !== nCounted) bad(`voted is ${r.voted}; the record has ${nCounted} counted ballots`);
    if (open && r.eligible !== open.entry.roll?.size) bad(`eligible is ${r.eligible}; the roll's size is ${open.entry.roll?.size}`);
    if (shares.length < t) bad(`there are ${shares.length} shares; the threshold is ${t}`);
    let counts = null;
    try {
      counts = decodeGrid(r.questions, questions, (c, what) => {
        if (!isInt(c)) throw new Error(`${what}'s count is not a whole number`);
        return c;
      }, 'counts');
    } catch (err) {
      bad(err.message);
    }
    if (counts) {
      counts.forEach((row, qi) => {
        const total = row.reduce((a, b) => a + b, 0);
        if (total !== r.voted) bad(`question ${questions[qi].position}'s counts add up to ${total}, not voted (${r.voted})`);
      });
      const firstT = shares.slice(0, t);
      const firstValid = firstT.length === t && usable.length >= t && usable.slice(0, t).every(([j], i) => j === firstT[i].entry.trustee);
      if (!published || !firstValid) bad(`the counts cannot be checked: the first ${t} shares are not all valid`);
      else {
        const chosen = usable.slice(0, t);
        counts.forEach((row, qi) =>
          row.forEach((count, k) => {
            report.count('result');
            const q = questions[qi].position;
            const xAlpha = combine(chosen.map(([j, grid]) => [j, grid[qi][k].share]));
            const mG = unblind(published[qi][k], xAlpha);
            if (mG.equals(encodeCount(count))) return;
            const m = smallLog(mG, nCounted);
            bad(
              m === null
                ? `question ${q} choice ${k + 1}'s decrypted sum is no count between 0 and ${nCounted}`
                : `question ${q} choice ${k + 1}'s count is ${count}; the shares decrypt it to ${m}`,
            );
          }),
        );
      }
    }
  }

  // 9. Tracker, when asked.
  if (wanted !== undefined) {
    report.count('tracker');
    if (!trackers.has(wanted)) report.fail('tracker', `no ballot in the record has the tracker ${wanted}`);
  }

  return report.result({
    complete: seen.has('result'),
    head,
    fingerprint: fingerprintHex,
    ballots: ballots.length,
    counted: nCounted,
    credentialsUsed: signedBy.size,
  });
}

function pair(p, what) {
  if (!Array.isArray(p) || p.length !== 2) throw new Error(`${what} is not a [c, s] pair`);
  return [scalarFromHex(p[0], `${what}'s challenge`), scalarFromHex(p[1], `${what}'s response`)];
}

/** [{question, choices|counts: [...]}] in the election's question order, each item decoded. */
function decodeGrid(list, questions, decode, member = 'choices') {
  if (!questions) throw new Error('the election has no valid questions');
  if (!Array.isArray(list) || list.length !== questions.length)
    throw new Error(`there are ${Array.isArray(list) ? list.length : 'no'} questions, not ${questions.length}`);
  return list.map((item, qi) => {
    const q = questions[qi].position;
    if (!item || item.question !== q) throw new Error(`entry ${qi + 1} of questions is not question ${q}`);
    const row = item[member];
    if (!Array.isArray(row) || row.length !== questions[qi].choices)
      throw new Error(`question ${q} has ${Array.isArray(row) ? row.length : 'no'} ${member}, not ${questions[qi].choices}`);
    return row.map((c, k) => decode(c, `question ${q} choice ${k + 1}`));
  });
}


