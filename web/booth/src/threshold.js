// The trustees' threshold key (docs/crypto.md "Threshold key"): Pedersen key
// generation with Feldman commitments, verification keys from the
// commitments alone, and Lagrange combination of decryption shares at zero.
// Mirrors src/crypto/threshold.rs. Trustees are numbered from 1.

import { IDENTITY, baseMul, mulPublic, randomScalar, mod, invert } from './group.js';

/** A random polynomial of degree threshold − 1: its coefficients. */
export function randomPolynomial(threshold) {
  if (threshold < 1) throw new Error('a threshold of at least one');
  return Array.from({ length: threshold }, () => randomScalar());
}

export function commitments(coefficients) {
  return coefficients.map((a) => baseMul(a));
}

/** f(index): the value owed to trustee index. */
export function shareFor(coefficients, index) {
  const x = BigInt(index);
  let acc = 0n;
  for (let k = coefficients.length - 1; k >= 0; k--) acc = mod(acc * x + coefficients[k]);
  return acc;
}

/** Σ_k C_k·index^k. */
export function committedValue(commits, index) {
  const x = BigInt(index);
  let power = 1n;
  let acc = IDENTITY;
  for (const c of commits) {
    acc = acc.add(mulPublic(c, power));
    power = mod(power * x);
  }
  return acc;
}

export function shareIsCommitted(commits, index, share) {
  return baseMul(share).equals(committedValue(commits, index));
}

/** Y = Σ_i C_i0. */
export function electionKey(allCommitments) {
  return allCommitments.reduce((acc, c) => acc.add(c[0]), IDENTITY);
}

/** X_j = Σ_i Σ_k C_ik·j^k. */
export function verificationKey(allCommitments, index) {
  return allCommitments.reduce((acc, c) => acc.add(committedValue(c, index)), IDENTITY);
}

/** λ_j = Π_{m≠j} m / (m − j). */
export function lagrangeAtZero(indices, j) {
  let num = 1n;
  let den = 1n;
  for (const m of indices) {
    if (m === j) continue;
    num = mod(num * BigInt(m));
    den = mod(den * (BigInt(m) - BigInt(j)));
  }
  return mod(num * invert(den));
}

/** x·α from shares [[trustee, D], …] of distinct trustees. */
export function combine(shares) {
  const indices = shares.map(([j]) => j);
  return shares.reduce(
    (acc, [j, d]) => acc.add(mulPublic(d, lagrangeAtZero(indices, j))),
    IDENTITY,
  );
}
