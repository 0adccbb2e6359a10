import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  G, L, randomScalar, baseMul, pointToHex, pointFromHex, keyPointFromHex,
  scalarToHex, scalarFromHex, pointFromBytes, nonzeroPointFromBytes, scalarFromBytes, fromHex,
} from '../src/group.js';

test('ℓ is the group order of docs/crypto.md', () => {
  assert.equal(L, 2n ** 252n + 27742317777372353535851937790883648493n);
});

test('points and scalars round-trip through their hex', () => {
  const s = randomScalar();
  const p = baseMul(s);
  assert.ok(pointFromHex(pointToHex(p)).equals(p));
  assert.equal(scalarFromHex(scalarToHex(s)), s);
});

test('the RFC 9496 encoding of the generator', () => {
  assert.equal(pointToHex(G), 'e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76');
});

test('bad bytes are refused in words', () => {
  assert.throws(() => pointFromBytes(new Uint8Array(31)), /not 32 bytes/);
  assert.throws(() => pointFromBytes(new Uint8Array(32).fill(0xff)), /not the canonical encoding/);
  assert.throws(() => nonzeroPointFromBytes(new Uint8Array(32)), /identity/);
  assert.ok(pointFromBytes(new Uint8Array(32)).is0(), 'the identity is a point where one may be');
  assert.throws(() => keyPointFromHex('00'.repeat(32), 'the key'), /the key is the identity/);
  // The order itself, one past the largest scalar.
  assert.throws(
    () => scalarFromHex('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010'),
    /not a scalar below the group order/,
  );
  assert.equal(scalarFromHex('ecd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010'), L - 1n);
  assert.throws(() => scalarFromBytes(new Uint8Array(33)), /not 32 bytes/);
  assert.throws(() => fromHex('ABCD'), /not lowercase hexadecimal/);
  assert.throws(() => fromHex('abc'), /not lowercase hexadecimal/);
});

test('a non-canonical encoding of a valid point is refused', () => {
  // The field element p (2^255 − 19) encodes 0 non-canonically: the identity's bytes plus p.
  const p = fromHex('edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f');
  assert.throws(() => pointFromBytes(p), /not the canonical encoding/);
  // A negative (odd) s is refused too: the generator's s negated.
  const gs = fromHex(pointToHex(G));
  const neg = new Uint8Array(gs);
  neg[0] ^= 1;
  assert.throws(() => pointFromBytes(neg), /not the canonical encoding/);
});
