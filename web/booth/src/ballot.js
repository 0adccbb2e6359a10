// A ballot as docs/record.md "ballot" entries carry it: per question one
// answer, per choice an encryption of 1 (chosen) or 0 with a range proof for
// 0..=1, per answer a range proof for 1..=1 of the sum of its choices, and a
// tracker hashing all of it. encryptBallot makes one in the voter's browser,
// verifyBallot checks one, revealCheck opens one whose randomness was
// revealed ("check an encryption", cast as intended).

import { sha256 } from '@noble/hashes/sha2.js';
import {
  G,
  IDENTITY,
  fromHex,
  toHex,
  utf8,
  keyPointFromHex,
  pointFromHex as pointFromHexAny,
  pointToHex,
  scalarToHex,
  scalarFromHex,
  randomScalar,
  mod,
  baseMul,
  mul,
} from './group.js';
import { encrypt, add, zero } from './elgamal.js';
import { proveRange, verifyRange } from './proofs.js';
import { ballotContext, ballotSumContext, NO_CREDENTIAL } from './contexts.js';

export const TRACKER_TAG = 'unionhall/v1/tracker';

function asBytes32(value, what) {
  if (value instanceof Uint8Array) {
    if (value.length !== 32) throw new Error(`${what} is not 32 bytes`);
    return value;
  }
  return fromHex(value, what, 32);
}

function asKey(key) {
  return typeof key === 'string' ? keyPointFromHex(key, 'the election key') : key;
}

/** The credential's 32 bytes, or null for a ballot without one. */
function asCredential(credential) {
  return credential === null || credential === undefined ? null : asBytes32(credential, 'the credential');
}

function positionOf(question, i) {
  return question.position ?? i + 1;
}

const pairHex = ([c, s]) => [scalarToHex(c), scalarToHex(s)];

/**
 * Encrypts and proves a ballot.
 * key, fingerprint: hex (or a Point / 32 bytes); credential: 32-byte hex or null;
 * questions: [{choices: N}] (position i+1 unless given); selected: a choice index per question.
 * Returns {answers, tracker, randomness}: randomness[q][k] is choice k's r (hex).
 */
export function encryptBallot({ key, fingerprint, credential = null, questions, selected }) {
  const Y = asKey(key);
  const F = asBytes32(fingerprint, 'the fingerprint');
  const cred = asCredential(credential);
  if (!Array.isArray(questions) || !Array.isArray(selected) || selected.length !== questions.length)
    throw new Error('one selected choice is needed per question');
  const answers = [];
  const randomness = [];
  questions.forEach((question, i) => {
    const q = positionOf(question, i);
    const n = question.choices;
    const pick = selected[i];
    if (!Number.isInteger(n) || n < 2) throw new Error(`question ${q} needs at least two choices`);
    if (!Number.isInteger(pick) || pick < 0 || pick >= n)
      throw new Error(`question ${q} has no choice ${pick}`);
    const choices = [];
    const rs = [];
    let sum = zero();
    let total = 0n;
    for (let k = 0; k < n; k++) {
      const m = k === pick ? 1 : 0;
      const r = randomScalar();
      const ct = encrypt(Y, m, r);
      const proof = proveRange(ballotContext(F, cred, q, k + 1), Y, ct, m, r, 0, 1);
      choices.push({ alpha: pointToHex(ct.alpha), beta: pointToHex(ct.beta), proof: proof.parts.map(pairHex) });
      rs.push(scalarToHex(r));
      sum = add(sum, ct);
      total = mod(total + r);
    }
    const sumProof = proveRange(ballotSumContext(F, cred, q), Y, sum, 1, total, 1, 1);
    answers.push({ question: q, choices, proof: sumProof.parts.map(pairHex) });
    randomness.push(rs);
  });
  return { answers, tracker: tracker(F, answers, cred), randomness };
}

function pairBytes(pair, what) {
  if (!Array.isArray(pair) || pair.length !== 2) throw new Error(`${what} is not a [c, s] pair`);
  return [fromHex(pair[0], what, 32), fromHex(pair[1], what, 32)];
}

/**
 * The tracker: lowercase hex SHA-256 of "unionhall/v1/tracker" ‖ F ‖
 * K (the credential's 32 bytes, or 32 zero bytes) ‖, per
 * answer, per choice alpha ‖ beta ‖ c0 ‖ s0 ‖ c1 ‖ s1, then the answer's
 * sum-proof scalars. Hashes the bytes the hex spells (which must be well formed).
 */
export function tracker(fingerprint, answers, credential = null) {
  const F = asBytes32(fingerprint, 'the fingerprint');
  const cred = asCredential(credential);
  const h = sha256.create();
  h.update(utf8(TRACKER_TAG));
  h.update(F);
  h.update(cred ?? NO_CREDENTIAL);
  for (const answer of answers) {
    for (const choice of answer.choices) {
      h.update(fromHex(choice.alpha, 'alpha', 32));
      h.update(fromHex(choice.beta, 'beta', 32));
      for (const pair of choice.proof) for (const b of pairBytes(pair, 'a choice proof')) h.update(b);
    }
    for (const pair of answer.proof) for (const b of pairBytes(pair, 'a sum proof')) h.update(b);
  }
  return toHex(h.digest());
}

function decodeProof(pairs, count, what) {
  if (!Array.isArray(pairs) || pairs.length !== count)
    throw new Error(`${what} has ${Array.isArray(pairs) ? pairs.length : 'no'} pairs, not ${count}`);
  return pairs.map((pair) => {
    if (!Array.isArray(pair) || pair.length !== 2) throw new Error(`${what} is not a list of [c, s] pairs`);
    return [scalarFromHex(pair[0], `${what}'s challenge`), scalarFromHex(pair[1], `${what}'s response`)];
  });
}

/**
 * Checks a ballot's answers against the election's questions and throws an
 * Error whose message says in words what is wrong. Returns the decoded
 * ciphertexts (cts[q][k]), the alphas' hex and the recomputed tracker.
 * Y: the key Point; F: fingerprint bytes; cred: credential bytes or null;
 * questions: [{position, choices: N}].
 */
export function checkAnswers(Y, F, cred, questions, answers) {
  if (!Array.isArray(answers)) throw new Error('the answers are not a list');
  if (answers.length !== questions.length)
    throw new Error(`there are ${answers.length} answers for ${questions.length} questions`);
  const cts = [];
  const alphas = [];
  answers.forEach((answer, i) => {
    const q = questions[i].position;
    const n = questions[i].choices;
    if (answer === null || typeof answer !== 'object') throw new Error(`answer ${i + 1} is not an object`);
    if (answer.question !== q) throw new Error(`answer ${i + 1} is for question ${answer.question}, not ${q}`);
    if (!Array.isArray(answer.choices) || answer.choices.length !== n)
      throw new Error(`question ${q}'s answer has ${answer.choices?.length ?? 'no'} choices, not ${n}`);
    let sum = zero();
    const row = [];
    answer.choices.forEach((choice, k) => {
      const what = `question ${q} choice ${k + 1}`;
      if (choice === null || typeof choice !== 'object') throw new Error(`${what} is not an object`);
      const alpha = keyPointFromHex(choice.alpha, `${what}'s alpha`);
      const beta = pointFromHexAny(choice.beta, `${what}'s beta`);
      const parts = decodeProof(choice.proof, 2, `${what}'s proof`);
      const ct = { alpha, beta };
      if (!verifyRange({ lo: 0, parts }, ballotContext(F, cred, q, k + 1), Y, ct, 0, 1))
        throw new Error(`${what}'s proof that it encrypts 0 or 1 does not check`);
      sum = add(sum, ct);
      row.push(ct);
      alphas.push(choice.alpha);
    });
    const parts = decodeProof(answer.proof, 1, `question ${q}'s sum proof`);
    if (!verifyRange({ lo: 1, parts }, ballotSumContext(F, cred, q), Y, sum, 1, 1))
      throw new Error(`question ${q}'s proof that exactly one choice is chosen does not check`);
    cts.push(row);
  });
  return { cts, alphas, tracker: tracker(F, answers, cred) };
}

/**
 * Verifies a ballot: {key, fingerprint, credential, questions: [{choices}],
 * answers, tracker (optional)} → {ok, reason} (reason in words when not ok).
 */
export function verifyBallot({ key, fingerprint, credential = null, questions, answers, tracker: given }) {
  try {
    const Y = asKey(key);
    const F = asBytes32(fingerprint, 'the fingerprint');
    const cred = asCredential(credential);
    const qs = questions.map((q, i) => ({ position: positionOf(q, i), choices: q.choices }));
    const { tracker: computed } = checkAnswers(Y, F, cred, qs, answers);
    if (given !== undefined && given !== null && given !== computed)
      return { ok: false, reason: `the tracker ${given} is not the ballot's, which is ${computed}` };
    return { ok: true, reason: 'every proof checks and the tracker matches', tracker: computed };
  } catch (e) {
    return { ok: false, reason: e.message };
  }
}

/**
 * Opens a ballot whose randomness was revealed: for each choice checks
 * alpha = r·G and beta − r·Y ∈ {0·G, 1·G}. Returns the selected choice index
 * per question; throws, in words, if the randomness does not open the
 * ballot or a question has other than one choice.
 */
export function revealCheck(answers, randomness, key) {
  const Y = asKey(key);
  return answers.map((answer, i) => {
    const q = answer.question;
    const rs = randomness[i];
    if (!Array.isArray(rs) || rs.length !== answer.choices.length)
      throw new Error(`question ${q} needs one randomness per choice`);
    const chosen = [];
    answer.choices.forEach((choice, k) => {
      const r = scalarFromHex(rs[k], `question ${q} choice ${k + 1}'s randomness`);
      const alpha = keyPointFromHex(choice.alpha, `question ${q} choice ${k + 1}'s alpha`);
      const beta = pointFromHexAny(choice.beta, `question ${q} choice ${k + 1}'s beta`);
      if (!baseMul(r).equals(alpha))
        throw new Error(`question ${q} choice ${k + 1}: the randomness does not give this alpha`);
      const m = beta.subtract(mul(Y, r));
      if (m.equals(G)) chosen.push(k);
      else if (!m.equals(IDENTITY)) throw new Error(`question ${q} choice ${k + 1} encrypts neither 0 nor 1`);
    });
    if (chosen.length !== 1) throw new Error(`question ${q} has ${chosen.length} choices chosen, not one`);
    return chosen[0];
  });
}
