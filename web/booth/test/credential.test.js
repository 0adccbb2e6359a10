// Credentials as src/crypto/credential.rs makes them, byte for byte, and
// the credential officer's files.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newCredential, credentialFromWords, signTracker, verifyTrackerSignature, isValidPublic } from '../src/credential.js';
import { handOutCsv, letterUrl, makeCredentials } from '../src/pages/credentials.js';
import { ballotEntry } from '../src/pages/booth-logic.js';

test('the same entropy gives Rust’s words, public key and signature', () => {
  const c = newCredential(new Uint8Array(16).fill(0x7f));
  assert.equal(c.words, 'legal winner thank year wave sausage worth useful legal winner thank yellow');
  assert.equal(c.publicHex, 'dbcd9f40d2c4dac69faacabc0c7df6513014c2f2e2978c066772d678e7452cbe');
  const sig = signTracker(c, '09'.repeat(32));
  assert.equal(
    sig,
    '41c34ed0619d7a02f25945f1f33f5d27773de0b55d0bf09dc34433fff0c54b8ecd10495a16fbaf67ed70e35923407251f0f0009933e281c696ce36495450ee02',
  );
  assert.ok(verifyTrackerSignature(c.publicHex, '09'.repeat(32), sig));
  assert.ok(!verifyTrackerSignature(c.publicHex, '08'.repeat(32), sig));
});

test('keys with no secret behind them are not credentials', () => {
  assert.ok(isValidPublic(newCredential().publicHex));
  for (const bad of ['01' + '0'.repeat(62), '0'.repeat(64), 'f'.repeat(64), 'ee' + 'f'.repeat(60) + '7f'])
    assert.ok(!isValidPublic(bad), bad);
  assert.ok(!verifyTrackerSignature('01' + '0'.repeat(62), '09'.repeat(32), '01' + '0'.repeat(126)));
});

test('typed words are read forgivingly, and mistakes said in words', () => {
  const c = newCredential();
  assert.equal(credentialFromWords(c.words.toUpperCase().replaceAll(' ', ' - ')).publicHex, c.publicHex);
  assert.throws(() => credentialFromWords('abandon abandon'), /12 words; this has 2/);
  assert.throws(() => credentialFromWords(c.words.replace(/^\S+/, 'zzzz')), /Word 1, "zzzz"/);
  assert.throws(() => credentialFromWords(Array(12).fill('abandon').join(' ')), /probably mistyped/);
});

test('the letter’s address carries the words in its fragment only', () => {
  const url = letterUrl('https://hall.example/elections/4/ballot', 'legal winner thank');
  assert.equal(url, 'https://hall.example/elections/4/ballot#credential=legal-winner-thank');
});

test('one credential per roll entry; the mail merge guards its cells', () => {
  const roll = [
    { number: 'E1', name: 'Ana Ruiz', email: 'ana@example.org' },
    { number: 'E2', name: '=HYPERLINK("x")', email: '' },
  ];
  const { rows, publicList } = makeCredentials(roll);
  assert.equal(rows.length, 2);
  assert.deepEqual(publicList, [...publicList].sort());
  assert.notEqual(rows[0].words, rows[1].words);
  const csv = handOutCsv(rows);
  assert.ok(csv.startsWith('number,name,email,credential,public\nE1,Ana Ruiz,ana@example.org,'));
  assert.ok(csv.includes(`"'=HYPERLINK(""x"")"`), csv);
});

test('a signed ballot names its credential and signature in the record’s order', () => {
  const entry = ballotEntry({ tracker: 't', answers: [], credential: 'c', signature: 's' });
  assert.deepEqual(Object.keys(entry), ['tracker', 'by', 'credential', 'signature', 'answers']);
  assert.deepEqual(Object.keys(ballotEntry({ tracker: 't', answers: [] })), ['tracker', 'by', 'answers']);
});
