import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { simulateElection } from '../src/simulate.js';
import { verifyRecord, lineHash, ZERO_HASH } from '../src/record.js';
import { pointFromHex, pointToHex, G, fromHex, toHex } from '../src/group.js';

const votes = [[0, 2], [1, 0], [0, 0], [0, 1], [1, 2]].map((selected) => ({ selected }));
votes[3].credential = 'ab'.repeat(32);
votes[4].by = 'paper';
// 3 trustees, threshold 2, the key made in-process; trustees 3 and 1 decrypt.
const election = simulateElection({ trustees: 3, threshold: 2, votes, rollSize: 12, shareBy: [3, 1] });
const lines = election.text.trimEnd().split('\n');

const join = (ls) => ls.map((l) => `${l}\n`).join('');
/** Recomputes seq and prev, as someone rewriting the file would. */
function rechain(ls) {
  let prev = ZERO_HASH;
  return ls.map((l, i) => {
    const o = JSON.parse(l);
    o.seq = i;
    o.prev = prev;
    const text = JSON.stringify(o);
    prev = lineHash(text);
    return text;
  });
}
const index = (type) => lines.findIndex((l) => JSON.parse(l).type === type);
const edit = (ls, i, f) => ls.map((l, j) => (j === i ? JSON.stringify(f(JSON.parse(l))) : l));
const failed = (r) => r.checks.filter((c) => !c.ok).map((c) => c.name);

function rejected(text, names, words) {
  const r = verifyRecord(text);
  assert.equal(r.ok, false, 'the record is rejected');
  for (const n of names) assert.ok(failed(r).includes(n), `check ${n} fails; failed: ${failed(r)}; ${r.failures}`);
  assert.ok(r.failures.length > 0 && r.failures.every((f) => typeof f === 'string' && f.length > 10), 'in words');
  if (words) assert.ok(r.failures.some((f) => words.test(f)), `some failure says ${words}: ${r.failures.join(' | ')}`);
  return r;
}

test('the record built in JS verifies, every check counted', () => {
  const r = verifyRecord(election.text);
  assert.deepEqual(r.failures, []);
  assert.equal(r.ok, true);
  assert.equal(r.complete, true);
  const count = Object.fromEntries(r.checks.map((c) => [c.name, c.count]));
  assert.deepEqual(count, { chain: 15, election: 1, trustees: 3, key: 1, ballots: 5, close: 1, sums: 5, shares: 2, result: 5 });
  assert.ok(r.checks.every((c) => c.ok));
  assert.equal(r.fingerprint, election.fingerprint);
  assert.equal(r.head, lineHash(lines.at(-1)));
  const result = JSON.parse(lines.at(-1));
  assert.deepEqual(result.questions.map((q) => q.counts), [[3, 2], [2, 1, 2]]);
  assert.equal(result.voted, 5);
  assert.equal(result.eligible, 12);
  // Bytes verify as the text does.
  assert.equal(verifyRecord(new TextEncoder().encode(election.text)).ok, true);
});

test('a shorter record verifies as far as it goes', () => {
  for (const n of [1, 3, 5, 7, 10, 12, 13]) {
    const r = verifyRecord(join(lines.slice(0, n)));
    assert.equal(r.ok, true, `${n} lines: ${r.failures}`);
    assert.equal(r.complete, false);
  }
});

test('a tracker is found, and one not in the record is reported', () => {
  const t = JSON.parse(lines[index('ballot')]).tracker;
  assert.equal(verifyRecord(election.text, { tracker: t }).ok, true);
  const r = verifyRecord(election.text, { tracker: 'f'.repeat(64) });
  assert.deepEqual(failed(r), ['tracker']);
});

test('one byte of a ballot changed is rejected, with or without the chain rewritten', () => {
  const b = index('ballot') + 1;
  const flip = (o) => {
    const beta = fromHex(o.answers[1].choices[2].beta);
    beta[7] ^= 0x10;
    o.answers[1].choices[2].beta = toHex(beta);
    return o;
  };
  rejected(join(edit(lines, b, flip)), ['chain'], /line \d+'s prev is not the hash of line \d+/);
  rejected(join(rechain(edit(lines, b, flip))), ['ballots'], /line 6 \(ballot\): question 2 choice 3/);
  // A changed character of a proof scalar, chain rewritten.
  const proof = (o) => {
    const s = o.answers[0].choices[0].proof[1][1];
    o.answers[0].choices[0].proof[1][1] = (s[0] === '0' ? '1' : '0') + s.slice(1);
    return o;
  };
  rejected(join(rechain(edit(lines, b, proof))), ['ballots'], /proof that it encrypts 0 or 1 does not check/);
});

test('a dropped line is rejected', () => {
  const b = index('ballot') + 2;
  rejected(join(lines.filter((_, i) => i !== b)), ['chain'], /has seq|prev is not the hash/);
  rejected(join(rechain(lines.filter((_, i) => i !== b))), ['close', 'sums', 'result'], /says 5 ballots; the record has 4/);
  rejected(join(rechain(lines.filter((_, i) => i !== index('trustee') + 1))), ['trustees'], /2 trustee entries for 3 trustees|index/);
});

test('reordered lines are rejected', () => {
  const b = index('ballot');
  const swapped = [...lines];
  [swapped[b], swapped[b + 1]] = [swapped[b + 1], swapped[b]];
  rejected(join(swapped), ['chain'], /has seq/);
  const close = index('close');
  const late = [...lines];
  [late[close - 1], late[close]] = [late[close], late[close - 1]];
  rejected(join(rechain(late)), ['chain'], /\(ballot\) comes after a close entry/);
  const trustees = [...lines];
  [trustees[1], trustees[2]] = [trustees[2], trustees[1]];
  rejected(join(rechain(trustees)), ['trustees'], /index is 2, not 1/);
});

test('a duplicated ballot is rejected', () => {
  const b = index('ballot');
  const close = index('close');
  const dup = [...lines.slice(0, close), lines[b], ...lines.slice(close)];
  const r = rejected(join(rechain(dup)), ['ballots', 'close'], /the tracker repeats line 5's/);
  assert.ok(r.failures.some((f) => /an alpha repeats one of line 5/.test(f)), r.failures.join(' | '));
  // Copied in part: one choice taken from another ballot, tracker recomputed, is caught by its alpha or proofs.
  const part = edit(lines, b + 1, (o) => {
    o.answers[0].choices[0] = JSON.parse(lines[b]).answers[0].choices[0];
    return o;
  });
  rejected(join(rechain(part)), ['ballots'], /ballot/);
});

test('a wrong share is rejected', () => {
  const s = index('share');
  const wrong = edit(lines, s, (o) => {
    o.questions[0].choices[1].share = pointToHex(pointFromHex(o.questions[0].choices[1].share).add(G));
    return o;
  });
  rejected(join(rechain(wrong)), ['shares', 'result'], /trustee 3's share for question 1 choice 2 does not check/);
  const twice = [...lines.slice(0, s + 2), lines[s], lines.at(-1)];
  rejected(join(rechain(twice)), ['shares'], /trustee 3 gave a share already/);
  const stranger = edit(lines, s, (o) => ({ ...o, trustee: 4 }));
  rejected(join(rechain(stranger)), ['shares'], /trustee 4 is not one of 1 … 3/);
  const alone = [...lines.slice(0, s + 1), lines.at(-1)];
  rejected(join(rechain(alone)), ['result'], /there are 1 shares; the threshold is 2/);
});

test('a wrong sum is rejected', () => {
  const wrong = edit(lines, index('sums'), (o) => {
    o.questions[1].choices[0].beta = pointToHex(pointFromHex(o.questions[1].choices[0].beta).add(G));
    return o;
  });
  rejected(join(rechain(wrong)), ['sums', 'result'], /question 2 choice 1's sum is not the sum of the ballots/);
});

test('a wrong count is rejected', () => {
  const r = index('result');
  const count = edit(lines, r, (o) => {
    o.questions[0].counts = [2, 3];
    return o;
  });
  rejected(join(rechain(count)), ['result'], /question 1 choice 1's count is 2; the shares decrypt it to 3/);
  const voted = edit(lines, r, (o) => ({ ...o, voted: 6 }));
  rejected(join(rechain(voted)), ['result'], /voted is 6; the record has 5 counted ballots/);
  const eligible = edit(lines, r, (o) => ({ ...o, eligible: 11 }));
  rejected(join(rechain(eligible)), ['result'], /eligible is 11; the roll's size is 12/);
  const close = edit(lines, index('close'), (o) => ({ ...o, ballots: 4 }));
  rejected(join(rechain(close)), ['close'], /it says 4 ballots; the record has 5/);
});

test('a wrong key, a bad trustee proof and a broken file are rejected', () => {
  const key = edit(lines, index('open'), (o) => ({ ...o, key: pointToHex(pointFromHex(o.key).add(G)) }));
  rejected(join(rechain(key)), ['key'], /not the sum of the trustees' first commitments/);
  const proof = edit(lines, 2, (o) => {
    o.proof = [o.proof[1], o.proof[0]];
    return o;
  });
  rejected(join(rechain(proof)), ['trustees'], /key proof of commitment 0 does not check/);
  rejected(election.text.slice(0, -1), ['chain'], /does not end in a newline/);
  rejected(election.text.replace('"seq":3', '"seq": 3'), ['chain'], /prev is not the hash/);
  rejected(`${election.text}{"not":"an entry"}\n`, ['chain'], /first three members/);
  rejected('', ['chain'], /empty/);
});

// The Rust-made vectors record has credentials: a roll of four, one member
// voting twice, one credential replaced before it was used.
const rustRecord = readFileSync(new URL('../../../tests/vectors/from-rust.jsonl', import.meta.url), 'utf8');
const rustLines = rustRecord.trimEnd().split('\n');
const rustIndex = (type) => rustLines.findIndex((l) => JSON.parse(l).type === type);

test('with credentials only the last ballot of each counts', () => {
  const r = verifyRecord(rustRecord);
  assert.deepEqual(r.failures, []);
  assert.equal(r.ballots, 4);
  assert.equal(r.counted, 3);
  assert.equal(r.credentialsUsed, 3);
});

test('an unsigned, forged or revoked-credential ballot is rejected', () => {
  const ballot = rustIndex('ballot');
  rejected(join(rechain(edit(rustLines, ballot, (o) => ({ ...o, signature: undefined })))), ['ballots'], /not signed/);
  const forged = edit(rustLines, ballot, (o) => ({ ...o, signature: o.signature.replace(/^./, (c) => (c === '0' ? '1' : '0')) }));
  rejected(join(rechain(forged)), ['ballots'], /does not check against its credential/);
  const revoked = JSON.parse(rustLines[rustIndex('revoke')]).old;
  const last = rustLines.map((l) => JSON.parse(l).type).lastIndexOf('ballot');
  rejected(join(rechain(edit(rustLines, last, (o) => ({ ...o, credential: revoked })))), ['ballots'], /revoked credential/);
  rejected(join(rechain(edit(rustLines, rustIndex('close'), (o) => ({ ...o, counted: 4 })))), ['close'], /4 ballots count/);
  const short = edit(rustLines, rustIndex('credentials'), (o) => ({ ...o, keys: o.keys.slice(1), count: o.count - 1 }));
  rejected(join(rechain(short)), ['credentials'], /3 credentials for a roll of 4/);
});
