// The committed bundle static/booth.js, loaded as a browser would (a script
// defining the global UnionhallBooth), makes and checks the same bytes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import vm from 'node:vm';
import { verifyBallot as verifyHere } from '../src/ballot.js';
import { checkMessage } from '../src/trustee.js';

const bundle = resolve(dirname(fileURLToPath(import.meta.url)), '../../../static/booth.js');

test('the bundle defines UnionhallBooth and its ballots verify here', (t) => {
  const window = { crypto: globalThis.crypto, TextEncoder, TextDecoder };
  window.window = window;
  vm.createContext(window);
  vm.runInContext(`${readFileSync(bundle, 'utf8')}\nwindow.UnionhallBooth = UnionhallBooth;`, window);
  const B = window.UnionhallBooth;
  assert.equal(typeof B.encryptBallot, 'function');
  assert.equal(
    B.group.scalarToHex(new B.Transcript('unionhall/test').number(7).bytes('election').challenge()),
    'b68d26481ee045378d696c683e08212ce558598a4e887bfe83fc762540881004',
  );
  const key = B.group.pointToHex(B.group.baseMul(B.group.randomScalar()));
  const fingerprint = '42'.repeat(32);
  const questions = [{ choices: 2 }, { choices: 3 }];
  const b = B.encryptBallot({ key, fingerprint, credential: null, questions, selected: [1, 2] });
  const answers = JSON.parse(JSON.stringify(b.answers));
  assert.ok(verifyHere({ key, fingerprint, questions, answers, tracker: b.tracker }).ok);
  assert.deepEqual([...B.revealCheck(answers, b.randomness, key)], [1, 2]);
  const jsonl = resolve(dirname(fileURLToPath(import.meta.url)), '../vectors/from-js.jsonl');
  assert.deepEqual([...B.verifyRecord(readFileSync(jsonl, 'utf8')).failures], []);
  // The trustee's code is in the bundle too.
  for (const f of ['newSeed', 'derive', 'transportMessage', 'dealMessage', 'confirmOrComplain', 'checkMessage', 'secretFromDeals', 'shareEntry'])
    assert.equal(typeof B[f], 'function', f);
  assert.equal(typeof B.keyFile.seal, 'function');
  const m = JSON.parse(JSON.stringify(B.transportMessage({ seed: B.newSeed(), fingerprint, trustee: 2 })));
  assert.ok(checkMessage(m, { fingerprint, trustee: 2 }).ok);
});
