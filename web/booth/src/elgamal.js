// Exponential ElGamal (docs/crypto.md "Encryption"): a count m with
// randomness r under key Y is (r·G, m·G + r·Y); ciphertexts add.

import { IDENTITY, baseMul, mul, encodeCount } from './group.js';

export function encrypt(key, m, r) {
  return { alpha: baseMul(r), beta: encodeCount(m).add(mul(key, r)) };
}

export function zero() {
  return { alpha: IDENTITY, beta: IDENTITY };
}

export function add(a, b) {
  return { alpha: a.alpha.add(b.alpha), beta: a.beta.add(b.beta) };
}

/** m·G, given x·α. */
export function unblind(ct, xAlpha) {
  return ct.beta.subtract(xAlpha);
}
