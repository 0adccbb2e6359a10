// The trustees' devices (docs/trustees.md): key files, the three
// key-generation messages and their checks, a bad deal drawing a complaint,
// the shares made at the close, and the vectors of both sides.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { pbkdf2Sync, createDecipheriv } from 'node:crypto';
import {
  newSeed,
  keyFile,
  derive,
  transportMessage,
  dealMessage,
  confirmOrComplain,
  checkMessage,
  secretFromDeals,
  shareEntry,
  fromPacket,
} from '../src/trustee.js';
import { runKeygen, simulateElection } from '../src/simulate.js';
import { verifyRecord } from '../src/record.js';
import { fromHex, toHex, utf8, concat, u32, baseMul, pointToHex, keyPointFromHex, pointFromHex, scalarToHex, mod, scalarFromHex, encodeCount } from '../src/group.js';
import { verificationKey, combine } from '../src/threshold.js';
import { unblind } from '../src/elgamal.js';
import { smallLog } from '../src/dlog.js';

const here = dirname(fileURLToPath(import.meta.url));
const F = 'a1'.repeat(32);
const PASS = 'correct horse battery staple';

test('a key file opens with its passphrase, for its election and trustee only, and node:crypto agrees', () => {
  const seed = newSeed();
  const start = performance.now();
  const file = keyFile.seal({ seed, fingerprint: F, trustee: 2, passphrase: PASS });
  const took = performance.now() - start;
  console.log(`note: sealing a key file (PBKDF2-HMAC-SHA256, 600,000 iterations) took ${took.toFixed(0)} ms`);
  assert.deepEqual(Object.keys(file), ['format', 'election', 'trustee', 'salt', 'iterations', 'nonce', 'sealed']);
  assert.equal(file.format, 'unionhall-trustee-key/1');
  assert.equal(file.election, F);
  assert.equal(file.trustee, 2);
  assert.equal(file.iterations, 600000);
  assert.match(file.salt, /^[0-9a-f]{32}$/);
  assert.match(file.nonce, /^[0-9a-f]{24}$/);
  assert.match(file.sealed, /^[0-9a-f]{96}$/);
  assert.deepEqual(keyFile.open(JSON.stringify(file), PASS, { fingerprint: F, trustee: 2 }), seed);

  // An independent implementation opens it the same way.
  const key = pbkdf2Sync(Buffer.from(PASS, 'utf8'), Buffer.from(file.salt, 'hex'), 600000, 32, 'sha256');
  const sealed = Buffer.from(file.sealed, 'hex');
  const d = createDecipheriv('chacha20-poly1305', key, Buffer.from(file.nonce, 'hex'), { authTagLength: 16 });
  d.setAAD(Buffer.from(concat(utf8('unionhall trustee key'), fromHex(F), u32(2))), { plaintextLength: 32 });
  d.setAuthTag(sealed.subarray(32));
  assert.equal(Buffer.concat([d.update(sealed.subarray(0, 32)), d.final()]).toString('hex'), toHex(seed));

  assert.throws(() => keyFile.open(file, 'correct horse battery stable', { fingerprint: F, trustee: 2 }), {
    message: 'The passphrase does not open this key file.',
  });
  assert.throws(() => keyFile.open(file, PASS, { fingerprint: 'b2'.repeat(32), trustee: 2 }), {
    message: 'This key file is for another election.',
  });
  assert.throws(() => keyFile.open(file, PASS, { fingerprint: F, trustee: 3 }), {
    message: 'This key file is for trustee 2, not trustee 3.',
  });
  // A file edited to claim another election or trustee does not open either.
  assert.throws(() => keyFile.open({ ...file, trustee: 3 }, PASS, { fingerprint: F, trustee: 3 }), /passphrase does not open/);
  assert.throws(() => keyFile.open({ ...file, election: 'b2'.repeat(32) }, PASS, { fingerprint: 'b2'.repeat(32), trustee: 2 }), /passphrase does not open/);
  assert.throws(() => keyFile.open({ ...file, format: 'x' }, PASS, { fingerprint: F, trustee: 2 }), /not a unionhall trustee key file/);
  assert.throws(() => keyFile.open({ ...file, iterations: 1e9 }, PASS, { fingerprint: F, trustee: 2 }), /not a unionhall trustee key file/);
  assert.throws(() => keyFile.seal({ seed, fingerprint: F, trustee: 2, passphrase: 'short' }), /at least 12 characters/);
});

test('3 trustees, threshold 2: the three messages make a key every trustee confirms', () => {
  const k = runKeygen({ fingerprint: F, trustees: 3, threshold: 2 });
  assert.deepEqual(k.transport.map((m) => Object.keys(m)), Array(3).fill(['step', 'trustee', 'key', 'proof']));
  assert.deepEqual(Object.keys(k.deal[0]), ['step', 'trustee', 'commitments', 'proof', 'shares']);
  assert.deepEqual(Object.keys(k.deal[0].shares), ['2', '3']);
  assert.deepEqual(Object.keys(k.deal[1].shares), ['1', '3']);
  assert.deepEqual(k.confirm.map((m) => m.step), ['confirm', 'confirm', 'confirm']);
  assert.deepEqual(Object.keys(k.confirm[0]), ['step', 'trustee', 'verification_key', 'proof']);
  const all = k.deal.map((d) => d.commitments.map((c) => keyPointFromHex(c)));
  for (let j = 1; j <= 3; j++) {
    const x = secretFromDeals({ seed: k.seeds[j - 1], fingerprint: F, trustee: j, threshold: 2, transportKeys: k.transportKeys, deals: k.deals });
    assert.equal(pointToHex(baseMul(x)), k.confirm[j - 1].verification_key);
    assert.equal(pointToHex(verificationKey(all, j)), k.confirm[j - 1].verification_key);
  }
  // Deals are recomputed from the seed alike (the proof aside).
  const again = dealMessage({ seed: k.seeds[0], fingerprint: F, trustee: 1, threshold: 2, transportKeys: k.transportKeys });
  assert.deepEqual(again.shares, k.deal[0].shares);
  assert.deepEqual(again.commitments, k.deal[0].commitments);
  // The derived values are those of the doc's D(...).
  const d = derive(k.seeds[0], F, 2);
  assert.equal(pointToHex(d.transportKey), k.transport[0].key);

  // Every check refuses a message copied or altered.
  const ok = (m, o = {}) => checkMessage(m, { fingerprint: F, threshold: 2, trustees: 3, ...o });
  for (const m of [...k.transport, ...k.deal, ...k.confirm]) assert.ok(ok(m, { deals: k.deals }).ok, ok(m).reason);
  assert.match(ok(k.transport[0], { fingerprint: 'b2'.repeat(32) }).reason, /proof does not check/);
  assert.match(ok({ ...k.transport[0], trustee: 2 }).reason, /proof does not check/);
  assert.match(ok({ ...k.deal[0], extra: 1 }).reason, /should not: extra/);
  assert.match(ok({ ...k.deal[0], commitments: k.deal[0].commitments.slice(0, 1) }).reason, /commitments/);
  assert.match(ok({ ...k.deal[0], shares: { 2: k.deal[0].shares['2'] } }).reason, /one for each other trustee/);
  assert.match(ok({ ...k.deal[0], shares: { ...k.deal[0].shares, 3: 'ff'.repeat(32) } }).reason, /below the group order/);
  assert.match(ok({ ...k.confirm[1], verification_key: k.confirm[2].verification_key }).reason, /does not check/);
  assert.match(ok({ ...k.confirm[1], proof: k.confirm[2].proof }).reason, /does not check/);
  assert.match(ok({ step: 'complain', trustee: 2, against: 2 }).reason, /against itself/);
  assert.ok(ok({ step: 'complain', trustee: 2, against: 3 }).ok);
  assert.match(ok({ step: 'vote', trustee: 1 }).reason, /not transport, deal, confirm or complain/);
  assert.match(ok(k.transport[0], { trustee: 2 }).reason, /from trustee 1, not trustee 2/);
});

test('a trustee who deals a wrong share draws a complaint naming them', () => {
  const dealFor = (i, d) => (i === 3 ? { ...d, shares: { ...d.shares, 1: scalarToHex(mod(scalarFromHex(d.shares['1']) + 1n)) } } : d);
  const k = runKeygen({ fingerprint: F, dealFor });
  assert.deepEqual(k.confirm[0], { step: 'complain', trustee: 1, against: 3 });
  assert.deepEqual(k.confirm.slice(1).map((m) => m.step), ['confirm', 'confirm']);
  const args = (j) => ({ seed: k.seeds[j - 1], fingerprint: F, trustee: j, threshold: 2, transportKeys: k.transportKeys, deals: k.deals });
  assert.throws(() => secretFromDeals(args(1)), /trustee 3's share for trustee 1 is not on its committed polynomial/);
  // Dealt again from the same key files, every trustee confirms.
  const again = runKeygen({ fingerprint: F, seeds: k.seeds });
  assert.deepEqual(again.confirm.map((m) => m.step), ['confirm', 'confirm', 'confirm']);
  // A deal whose proof fails is complained against too; another's key as one's own is refused.
  const forged = { ...again.deals, 2: { ...again.deals['2'], proof: again.deals['1'].proof } };
  assert.deepEqual(confirmOrComplain({ ...args(1), deals: forged }), { step: 'complain', trustee: 1, against: 2 });
  assert.throws(() => confirmOrComplain({ ...args(1), deals: again.deals, seed: k.seeds[1] }), /not the one this key file makes/);
});

const QUESTIONS = [
  { text: 'Do you authorise strike action?', kind: 'yes_no', choices: ['Yes', 'No'], pass: { num: 1, den: 2, at_least: false }, min_turnout_bp: 5000 },
  { text: 'Which start date?', kind: 'choice', choices: ['1 March', '8 March', '15 March'], pass: { num: 1, den: 2, at_least: false }, min_turnout_bp: 0 },
];
const VOTES = [[0, 2], [1, 0], [0, 0], [0, 1], [0, 2]].map((selected) => ({ selected }));
const COUNTS = [[4, 1], [2, 1, 2]];

/** An election whose key the three trustees made through their messages, closed with its sums. */
function closedElection() {
  let kg;
  const e = simulateElection({
    questions: QUESTIONS,
    votes: VOTES,
    rollSize: 8,
    until: 'close',
    keygen: (fingerprint) => (kg = runKeygen({ fingerprint, trustees: 3, threshold: 2 })),
  });
  return { e, kg };
}

function result(w, shareEntries) {
  const sums = JSON.parse(w.lines.find((l) => JSON.parse(l).type === 'sums')).questions;
  const counts = sums.map((q, qi) =>
    q.choices.map((c, k) => {
      const xAlpha = combine(shareEntries.map((s) => [s.trustee, pointFromHex(s.questions[qi].choices[k].share)]));
      return smallLog(unblind({ alpha: pointFromHex(c.alpha), beta: pointFromHex(c.beta) }, xAlpha), VOTES.length);
    }),
  );
  w.append('result', { questions: counts.map((row, qi) => ({ question: qi + 1, counts: row })), voted: VOTES.length, eligible: 8 });
  return counts;
}

test('two of the three trustees decrypt a record made with their key; one cannot', () => {
  const { e, kg } = closedElection();
  assert.deepEqual(verifyRecord(e.text).failures, []);
  const give = (j, text) =>
    shareEntry({ record: text, seed: kg.seeds[j - 1], trustee: j, transportKeys: kg.transportKeys, deals: kg.deals });
  const s3 = give(3, e.writer.text());
  assert.deepEqual(Object.keys(s3), ['trustee', 'questions']);
  e.writer.append('share', s3);
  assert.deepEqual(verifyRecord(e.writer.text()).failures, []);
  assert.throws(() => give(3, e.writer.text()), /already given its share/);
  const s1 = give(1, e.writer.text());
  e.writer.append('share', s1);
  assert.deepEqual(result(e.writer, [s3, s1]), COUNTS);
  const r = verifyRecord(e.writer.text());
  assert.deepEqual(r.failures, []);
  assert.ok(r.complete);

  // One share alone decrypts nothing: the counts it gives are not the votes.
  const alone = closedElection();
  const only = shareEntry({ record: alone.e.text, seed: alone.kg.seeds[1], trustee: 2, transportKeys: alone.kg.transportKeys, deals: alone.kg.deals });
  alone.e.writer.append('share', only);
  const wrong = result(alone.e.writer, [only]);
  assert.notDeepEqual(wrong, COUNTS);
  const one = verifyRecord(alone.e.writer.text());
  assert.equal(one.ok, false);
  assert.ok(one.failures.some((f) => /there are 1 shares; the threshold is 2/.test(f)), one.failures.join(' | '));
});

test('a share is refused from a record that does not verify, or with deals not in it', () => {
  const { e, kg } = closedElection();
  const args = { seed: kg.seeds[0], trustee: 1, transportKeys: kg.transportKeys, deals: kg.deals };
  const lines = e.text.trimEnd().split('\n');
  // A sum changed (and the chain left as it is): the record does not verify.
  const i = lines.findIndex((l) => JSON.parse(l).type === 'sums');
  const o = JSON.parse(lines[i]);
  o.questions[0].choices[0] = o.questions[1].choices[0];
  const bad = [...lines.slice(0, i), JSON.stringify(o)].map((l) => `${l}\n`).join('');
  assert.throws(() => shareEntry({ record: bad, ...args }), /^Error: The record does not verify, so no share is given: /);
  // Before the close there is nothing to decrypt.
  const open = lines.slice(0, lines.findIndex((l) => JSON.parse(l).type === 'close')).map((l) => `${l}\n`).join('');
  assert.throws(() => shareEntry({ record: open, ...args }), /no sums yet/);
  // Another key generation's deals are refused.
  const other = runKeygen({ fingerprint: e.fingerprint });
  assert.throws(() => shareEntry({ record: e.text, ...args, seed: other.seeds[0], transportKeys: other.transportKeys, deals: other.deals }), /commitments are in the record/);
  assert.throws(() => shareEntry({ record: e.text, ...args, fingerprint: 'b2'.repeat(32) }), /another election/);
});

test("the page's packet (as src/trustees/packet.rs writes it) gives the same answers", () => {
  const { e, kg } = closedElection();
  const strip = ({ step, ...rest }) => rest;
  const packet = (j, ask) =>
    JSON.stringify({
      format: 'unionhall-trustee-packet/1',
      election: e.fingerprint,
      title: 'Strike ballot',
      trustee: j,
      trustees: 3,
      threshold: 2,
      ask,
      transports: kg.transport.map(strip),
      deals: kg.deal.map(strip),
      record: e.text,
    });
  const p = fromPacket(packet(2, 'confirm'));
  assert.deepEqual(p.transportKeys, kg.transportKeys);
  const c = confirmOrComplain({ ...p, seed: kg.seeds[1] });
  assert.equal(c.verification_key, kg.confirm[1].verification_key);
  const s = shareEntry({ ...fromPacket(packet(2, 'share')), seed: kg.seeds[1] });
  e.writer.append('share', s);
  assert.deepEqual(verifyRecord(e.writer.text()).failures, []);
  const forged = JSON.parse(packet(1, 'deal'));
  forged.transports[2].proof = forged.transports[1].proof;
  assert.throws(() => fromPacket(forged), /transport keys do not check/);
  assert.throws(() => fromPacket({ format: 'x' }), /not a trustee packet/);
});

// ---- vectors: this side's and, when it exists, the Rust side's ----

const vectorFiles = [
  ['JS', resolve(here, '../vectors/trustees-from-js.json')],
  ['Rust', resolve(here, '../../../tests/vectors/trustees-from-rust.json')],
];

for (const [who, path] of vectorFiles) {
  test(`the ${who}-made trustee vectors: every message checks and the key files rebuild the same keys`, (t) => {
    const v = JSON.parse(readFileSync(path, 'utf8'));
    const n = v.trustees.length;
    const fingerprint = v.fingerprint;
    const threshold = v.threshold;
    assert.equal(n, 3);
    assert.equal(threshold, 2);
    v.trustees.forEach((tr, i) => assert.equal(tr.index, i + 1, 'trustees in order'));
    const transportKeys = Object.fromEntries(v.trustees.map((tr) => [String(tr.index), tr.transport.key]));
    const deals = Object.fromEntries(v.trustees.map((tr) => [String(tr.index), tr.deal]));
    const opts = { fingerprint, threshold, trustees: n };
    for (const tr of v.trustees) {
      for (const [step, m] of [['transport', tr.transport], ['deal', tr.deal], ['confirm', tr.confirm]]) {
        assert.equal(m.step, step);
        const r = checkMessage(m, { ...opts, trustee: tr.index, deals });
        assert.ok(r.ok, `trustee ${tr.index}'s ${step}: ${r.reason}`);
      }
    }
    const all = v.trustees.map((tr) => tr.deal.commitments.map((c) => keyPointFromHex(c)));
    for (const tr of v.trustees) {
      const j = tr.index;
      assert.equal(tr.key_file.iterations, 600000);
      const seed = keyFile.open(tr.key_file, v.passphrase, { fingerprint, trustee: j });
      assert.equal(pointToHex(derive(seed, fingerprint, threshold).transportKey), tr.transport.key, `trustee ${j}'s transport key`);
      const again = dealMessage({ seed, fingerprint, trustee: j, threshold, transportKeys });
      assert.deepEqual(again.commitments, tr.deal.commitments, `trustee ${j}'s commitments`);
      assert.deepEqual(again.shares, tr.deal.shares, `trustee ${j}'s padded shares`);
      const x = secretFromDeals({ seed, fingerprint, trustee: j, threshold, transportKeys, deals });
      assert.equal(pointToHex(baseMul(x)), tr.confirm.verification_key, `trustee ${j}'s x_j`);
      assert.equal(pointToHex(verificationKey(all, j)), tr.confirm.verification_key);
      assert.equal(confirmOrComplain({ seed, fingerprint, trustee: j, threshold, transportKeys, deals }).step, 'confirm');
    }
  });
}
