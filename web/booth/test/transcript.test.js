import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Transcript } from '../src/transcript.js';
import { scalarToHex } from '../src/group.js';

test('the test vector of docs/crypto.md is reproduced', () => {
  const c = new Transcript('unionhall/test').number(7).bytes('election').challenge();
  assert.equal(scalarToHex(c), 'b68d26481ee045378d696c683e08212ce558598a4e887bfe83fc762540881004');
});

test('moving a byte between values, or changing the tag, changes the challenge', () => {
  const a = new Transcript('t').bytes('ab').bytes('c').challenge();
  const b = new Transcript('t').bytes('a').bytes('bc').challenge();
  const u = new Transcript('u').bytes('ab').bytes('c').challenge();
  assert.notEqual(a, b);
  assert.notEqual(a, u);
});

test('a challenge can be taken and the transcript extended after', () => {
  const t = new Transcript('t').number(1);
  const first = t.challenge();
  assert.equal(t.challenge(), first);
  assert.notEqual(t.number(2).challenge(), first);
});
