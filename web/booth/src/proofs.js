// The three Σ-protocols of docs/crypto.md "Proofs", each stored as
// challenge/response scalars; the verifier recomputes the commitments and
// checks that the transcript gives the challenge. Mirrors src/crypto/proofs.rs.

import { G, baseMul, mul, mulPublic, encodeCount, randomScalar, mod } from './group.js';
import { Transcript } from './transcript.js';

export const KEY_TAG = 'unionhall/v1/key';
export const EQUALITY_TAG = 'unionhall/v1/equality';
export const RANGE_TAG = 'unionhall/v1/range';

// s·G − c·P for public c, P (s·G uses the base point's precomputed table).
function commit(s, c, p) {
  return mulPublic(G, s).subtract(mulPublic(p, c));
}

// ---- key proof: knowledge of x with X = x·G ----

function keyChallenge(context, pub, a) {
  return new Transcript(KEY_TAG).bytes(context).point(pub).point(a).challenge();
}

/** {c, s} proving knowledge of x behind x·G, bound to context. */
export function proveKey(context, x) {
  const pub = baseMul(x);
  const w = randomScalar();
  const c = keyChallenge(context, pub, baseMul(w));
  return { c, s: mod(w + c * x) };
}

export function verifyKey(proof, context, pub) {
  const a = commit(proof.s, proof.c, pub);
  return keyChallenge(context, pub, a) === proof.c;
}

// ---- equality proof: D = x·B for the x behind X = x·G ----

function equalityChallenge(context, pub, base, share, a, b) {
  return new Transcript(EQUALITY_TAG)
    .bytes(context)
    .point(pub)
    .point(base)
    .point(share)
    .point(a)
    .point(b)
    .challenge();
}

/** {c, s} proving share = x·base for the x behind x·G. */
export function proveEquality(context, x, base) {
  const pub = baseMul(x);
  const share = mul(base, x);
  const w = randomScalar();
  const c = equalityChallenge(context, pub, base, share, baseMul(w), mul(base, w));
  return { c, s: mod(w + c * x) };
}

export function verifyEquality(proof, context, pub, base, share) {
  const { c, s } = proof;
  const a = commit(s, c, pub);
  const b = mulPublic(base, s).subtract(mulPublic(share, c));
  return equalityChallenge(context, pub, base, share, a, b) === c;
}

// ---- range proof: (α, β) encrypts some j in lo..=hi under Y ----

function rangeCommitments(key, ct, j, c, s) {
  return [
    commit(s, c, ct.alpha),
    mulPublic(key, s).subtract(mulPublic(ct.beta.subtract(encodeCount(j)), c)),
  ];
}

function rangeChallenge(context, key, ct, lo, commitments) {
  const t = new Transcript(RANGE_TAG)
    .bytes(context)
    .point(key)
    .point(ct.alpha)
    .point(ct.beta)
    .number(lo)
    .number(commitments.length);
  for (const [a, b] of commitments) t.point(a).point(b);
  return t.challenge();
}

/**
 * Proves ct = encrypt(key, m, r) with lo <= m <= hi: {lo, parts: [[c, s], …]},
 * one pair per value of lo..=hi in order. Throws if m is outside the range.
 */
export function proveRange(context, key, ct, m, r, lo, hi) {
  if (!(lo <= m && m <= hi)) throw new Error(`proving ${m} is in ${lo}..=${hi}`);
  const w = randomScalar();
  const parts = [];
  const commitments = [];
  let simulated = 0n;
  for (let j = lo; j <= hi; j++) {
    if (j === m) {
      parts.push(null);
      commitments.push([baseMul(w), mul(key, w)]);
    } else {
      const c = randomScalar();
      const s = randomScalar();
      simulated += c;
      commitments.push(rangeCommitments(key, ct, j, c, s));
      parts.push([c, s]);
    }
  }
  const total = rangeChallenge(context, key, ct, lo, commitments);
  const c = mod(total - simulated);
  parts[m - lo] = [c, mod(w + c * r)];
  return { lo, parts };
}

/** Whether ct is proved to encrypt a value in lo..=hi under key. */
export function verifyRange(proof, context, key, ct, lo, hi) {
  if (proof.lo !== lo || hi < lo || proof.parts.length !== hi - lo + 1) return false;
  const commitments = proof.parts.map(([c, s], i) => rangeCommitments(key, ct, lo + i, c, s));
  const sum = mod(proof.parts.reduce((acc, [c]) => acc + c, 0n));
  return rangeChallenge(context, key, ct, lo, commitments) === sum;
}
