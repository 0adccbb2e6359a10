// ristretto255 points and scalars, and their canonical 32-byte encodings
// (docs/crypto.md "Group"). Points are @noble/curves RistrettoPoint values,
// scalars are bigints in 0..ℓ−1. Every decoder says in words what is wrong.

import { ristretto255 } from '@noble/curves/ed25519.js';

export const Point = ristretto255.Point;
/** The group order ℓ = 2^252 + 27742317777372353535851937790883648493. */
export const L = Point.Fn.ORDER;
export const G = Point.BASE;
export const IDENTITY = Point.ZERO;

const HEX = /^[0-9a-f]*$/;

/** Lowercase hex of bytes. */
export function toHex(bytes) {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

/** Bytes from lowercase hex; `what` names the value in the error. */
export function fromHex(text, what = 'value', length = undefined) {
  if (typeof text !== 'string') throw new Error(`${what} is not a hex string`);
  if (text.length % 2 !== 0 || !HEX.test(text)) throw new Error(`${what} is not lowercase hexadecimal`);
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  if (length !== undefined && out.length !== length) throw new Error(`${what} is not ${length} bytes`);
  return out;
}

export function utf8(text) {
  return new TextEncoder().encode(text);
}

export function concat(...parts) {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Four bytes big-endian. */
export function u32(n) {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error(`${n} is not a u32`);
  return new Uint8Array([(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
}

/** Eight bytes big-endian. */
export function u64(n) {
  let v = BigInt(n);
  if (v < 0n || v >= 1n << 64n) throw new Error(`${n} is not a u64`);
  const out = new Uint8Array(8);
  for (let i = 7; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

export function bytesEqual(a, b) {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

function leToBigint(bytes) {
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]);
  return v;
}

// ---- scalars ----

export function mod(a) {
  const r = a % L;
  return r < 0n ? r + L : r;
}

/** 32 bytes little-endian. */
export function scalarBytes(s) {
  let v = mod(s);
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** A scalar from 32 little-endian bytes, refused unless below ℓ. */
export function scalarFromBytes(bytes, what = 'scalar') {
  if (!(bytes instanceof Uint8Array) || bytes.length !== 32) throw new Error(`${what} is not 32 bytes`);
  const v = leToBigint(bytes);
  if (v >= L) throw new Error(`${what} is not a scalar below the group order`);
  return v;
}

/** Any-length little-endian bytes reduced modulo ℓ (the transcript's wide reduction). */
export function scalarFromBytesModOrder(bytes) {
  return leToBigint(bytes) % L;
}

export function scalarToHex(s) {
  return toHex(scalarBytes(s));
}

export function scalarFromHex(text, what = 'scalar') {
  return scalarFromBytes(fromHex(text, what, 32), what);
}

/** A uniform scalar: 64 random bytes reduced modulo ℓ. */
export function randomScalar() {
  const bytes = new Uint8Array(64);
  globalThis.crypto.getRandomValues(bytes);
  return scalarFromBytesModOrder(bytes);
}

export function invert(a) {
  // Fermat: a^(ℓ−2); a must be non-zero.
  if (mod(a) === 0n) throw new Error('zero has no inverse');
  return Point.Fn.inv(mod(a));
}

// ---- points ----

export function pointBytes(p) {
  return p.toBytes();
}

export function pointToHex(p) {
  return toHex(p.toBytes());
}

/** A point from its 32 canonical bytes; any other encoding is refused. */
export function pointFromBytes(bytes, what = 'point') {
  if (!(bytes instanceof Uint8Array) || bytes.length !== 32) throw new Error(`${what} is not 32 bytes`);
  try {
    return Point.fromBytes(bytes);
  } catch {
    throw new Error(`${what} is not the canonical encoding of a ristretto255 point`);
  }
}

/** As pointFromBytes, refusing the identity (a key, a commitment, an alpha). */
export function nonzeroPointFromBytes(bytes, what = 'point') {
  const p = pointFromBytes(bytes, what);
  if (p.is0()) throw new Error(`${what} is the identity point, which no key or ciphertext may be`);
  return p;
}

/** A point that may be the identity (a sum, a share). */
export function pointFromHex(text, what = 'point') {
  return pointFromBytes(fromHex(text, what, 32), what);
}

/** A key, commitment or first half of a ciphertext: never the identity. */
export function keyPointFromHex(text, what = 'point') {
  return nonzeroPointFromBytes(fromHex(text, what, 32), what);
}

/** s·G, constant time (for secrets). */
export function baseMul(s) {
  const v = mod(s);
  return v === 0n ? IDENTITY : G.multiply(v);
}

/** s·P, constant time (for secrets). */
export function mul(p, s) {
  const v = mod(s);
  return v === 0n || p.is0() ? IDENTITY : p.multiply(v);
}

/** s·P, variable time: for public values only (verification). */
export function mulPublic(p, s) {
  return p.multiplyUnsafe(mod(s));
}

const COUNTS = [];
/** m·G for a small count (a vote, a tally). */
export function encodeCount(m) {
  const n = Number(m);
  if (Number.isInteger(n) && n >= 0 && n < 16) {
    if (!COUNTS[n]) COUNTS[n] = G.multiplyUnsafe(BigInt(n));
    return COUNTS[n];
  }
  return G.multiplyUnsafe(mod(BigInt(m)));
}
