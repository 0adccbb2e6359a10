import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomScalar, baseMul, pointToHex, toHex, fromHex } from '../src/group.js';
import { encryptBallot, verifyBallot, revealCheck, tracker } from '../src/ballot.js';

const x = randomScalar();
const key = pointToHex(baseMul(x));
const fingerprint = toHex(new Uint8Array(32).fill(9));
const questions = [{ choices: 2 }, { choices: 3 }];

function flipHexByte(hex, at = 0) {
  const b = fromHex(hex);
  b[at] ^= 1;
  return toHex(b);
}

test('a ballot verifies, its tracker is recomputed, and its shape is the record one', () => {
  const b = encryptBallot({ key, fingerprint, credential: null, questions, selected: [0, 2] });
  assert.equal(b.answers.length, 2);
  assert.deepEqual(Object.keys(b.answers[0]), ['question', 'choices', 'proof']);
  assert.deepEqual(Object.keys(b.answers[0].choices[0]), ['alpha', 'beta', 'proof']);
  assert.equal(b.answers[1].question, 2);
  assert.equal(b.answers[1].choices.length, 3);
  assert.equal(b.answers[0].choices[0].proof.length, 2);
  assert.equal(b.answers[0].proof.length, 1);
  assert.match(b.tracker, /^[0-9a-f]{64}$/);
  assert.equal(tracker(fingerprint, b.answers, null), b.tracker);
  const v = verifyBallot({ key, fingerprint, credential: null, questions, answers: b.answers, tracker: b.tracker });
  assert.deepEqual([v.ok, v.tracker], [true, b.tracker], v.reason);
});

test('revealed randomness shows the selected choices, and only for that ballot', () => {
  const b = encryptBallot({ key, fingerprint, questions, selected: [1, 0] });
  assert.deepEqual(revealCheck(b.answers, b.randomness, key), [1, 0]);
  const other = encryptBallot({ key, fingerprint, questions, selected: [1, 0] });
  assert.throws(() => revealCheck(b.answers, other.randomness, key), /randomness does not give this alpha/);
});

test('a tampered byte, tracker, election, credential or shape is refused in words', () => {
  const cred = toHex(new Uint8Array(32).fill(1));
  const b = encryptBallot({ key, fingerprint, credential: cred, questions, selected: [0, 1] });
  const ok = (changes) => verifyBallot({ key, fingerprint, credential: cred, questions, answers: b.answers, tracker: b.tracker, ...changes });
  assert.ok(ok({}).ok, ok({}).reason);

  const beta = structuredClone(b.answers);
  beta[0].choices[1].beta = flipHexByte(beta[0].choices[1].beta);
  const r1 = ok({ answers: beta });
  assert.equal(r1.ok, false);
  assert.match(r1.reason, /question 1 choice 2/);

  const proof = structuredClone(b.answers);
  proof[1].choices[0].proof[0][1] = flipHexByte(proof[1].choices[0].proof[0][1], 5);
  assert.match(ok({ answers: proof }).reason, /question 2 choice 1's proof that it encrypts 0 or 1 does not check/);

  const sum = structuredClone(b.answers);
  sum[1].proof[0][0] = flipHexByte(sum[1].proof[0][0], 3);
  assert.match(ok({ answers: sum }).reason, /exactly one choice/);

  assert.match(ok({ tracker: '0'.repeat(64) }).reason, /tracker/);
  assert.match(ok({ fingerprint: toHex(new Uint8Array(32).fill(8)) }).reason, /does not check/);
  assert.match(ok({ credential: null }).reason, /does not check/);
  assert.match(ok({ questions: [{ choices: 2 }, { choices: 2 }] }).reason, /3 choices, not 2/);
  assert.match(ok({ questions: [{ choices: 2 }] }).reason, /2 answers for 1 questions/);
});

test('two yes choices cannot be proved as one', () => {
  const yes = encryptBallot({ key, fingerprint, questions: [{ choices: 2 }], selected: [0] });
  const no = encryptBallot({ key, fingerprint, questions: [{ choices: 2 }], selected: [1] });
  const both = structuredClone(no.answers);
  both[0].choices[0] = yes.answers[0].choices[0];
  const v = verifyBallot({ key, fingerprint, questions: [{ choices: 2 }], answers: both });
  assert.equal(v.ok, false);
  assert.match(v.reason, /exactly one choice/);
});

test('selections outside the questions are refused before anything is encrypted', () => {
  assert.throws(() => encryptBallot({ key, fingerprint, questions, selected: [0, 3] }), /no choice 3/);
  assert.throws(() => encryptBallot({ key, fingerprint, questions, selected: [0] }), /one selected choice/);
  assert.throws(() => encryptBallot({ key: '00'.repeat(32), fingerprint, questions, selected: [0, 0] }), /identity/);
});
