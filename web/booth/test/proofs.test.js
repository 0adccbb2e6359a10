import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomScalar, baseMul, mul, G, mod } from '../src/group.js';
import { encrypt } from '../src/elgamal.js';
import { proveKey, verifyKey, proveEquality, verifyEquality, proveRange, verifyRange } from '../src/proofs.js';

const ctx = (s) => new TextEncoder().encode(s);
const keypair = () => {
  const x = randomScalar();
  return [x, baseMul(x)];
};

test('a key proof checks for its key and context only', () => {
  const [x, pub] = keypair();
  const proof = proveKey(ctx('election A, trustee 1'), x);
  assert.ok(verifyKey(proof, ctx('election A, trustee 1'), pub));
  assert.ok(!verifyKey(proof, ctx('election B, trustee 1'), pub));
  assert.ok(!verifyKey(proof, ctx('election A, trustee 1'), keypair()[1]));
  assert.ok(!verifyKey({ c: proof.c, s: mod(proof.s + 1n) }, ctx('election A, trustee 1'), pub));
  assert.ok(!verifyKey({ c: proof.c ^ 1n, s: proof.s }, ctx('election A, trustee 1'), pub));
});

test('a decryption share proof checks only the true share', () => {
  const [x, pub] = keypair();
  const base = baseMul(randomScalar());
  const share = mul(base, x);
  const proof = proveEquality(ctx('ctx'), x, base);
  assert.ok(verifyEquality(proof, ctx('ctx'), pub, base, share));
  assert.ok(!verifyEquality(proof, ctx('ctx'), pub, base, share.add(G)));
  assert.ok(!verifyEquality(proof, ctx('other'), pub, base, share));
  assert.ok(!verifyEquality({ c: proof.c, s: proof.s ^ 1n }, ctx('ctx'), pub, base, share));
});

test('0 and 1 are proved in 0..=1 and 2 cannot pass as either', () => {
  const [, key] = keypair();
  for (const m of [0, 1]) {
    const r = randomScalar();
    const ct = encrypt(key, m, r);
    const proof = proveRange(ctx('q1'), key, ct, m, r, 0, 1);
    assert.ok(verifyRange(proof, ctx('q1'), key, ct, 0, 1), `${m}`);
    assert.ok(!verifyRange(proof, ctx('q2'), key, ct, 0, 1), 'context is bound');
    assert.ok(!verifyRange(proof, ctx('q1'), key, ct, 0, 2), 'range is bound');
    assert.ok(!verifyRange(proof, ctx('q1'), key, encrypt(key, m, randomScalar()), 0, 1), 'ciphertext is bound');
    const tampered = { lo: 0, parts: proof.parts.map(([c, s], i) => (i === 1 ? [c, s ^ 1n] : [c, s])) };
    assert.ok(!verifyRange(tampered, ctx('q1'), key, ct, 0, 1), 'a changed response fails');
  }
  const r = randomScalar();
  const proof = proveRange(ctx('q1'), key, encrypt(key, 1, r), 1, r, 0, 1);
  assert.ok(!verifyRange(proof, ctx('q1'), key, encrypt(key, 2, r), 0, 1));
  assert.throws(() => proveRange(ctx('q1'), key, encrypt(key, 2, r), 2, r, 0, 1), /proving 2/);
});

test('a wider range proves a sum of answers', () => {
  const [, key] = keypair();
  const r = randomScalar();
  const ct = encrypt(key, 2, r);
  const proof = proveRange(ctx('sum'), key, ct, 2, r, 1, 3);
  assert.equal(proof.parts.length, 3);
  assert.ok(verifyRange(proof, ctx('sum'), key, ct, 1, 3));
  assert.ok(!verifyRange(proof, ctx('sum'), key, ct, 0, 3));
});
