// Cross-checks: the Rust side's vectors (tests/vectors/from-rust.json and
// .jsonl at the repository root) must verify here, and so must this side's
// own committed vectors (web/booth/vectors/from-js.*).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { verifyBallot, revealCheck } from '../src/ballot.js';
import { verifyRecord } from '../src/record.js';

const here = dirname(fileURLToPath(import.meta.url));
const sources = [
  ['Rust', resolve(here, '../../../tests/vectors/from-rust')],
  ['JS', resolve(here, '../vectors/from-js')],
];

for (const [who, base] of sources) {
  const json = `${base}.json`;
  const jsonl = `${base}.jsonl`;

  test(`${who}-made ballots verify and their trackers are recomputed`, (t) => {
    const v = JSON.parse(readFileSync(json, 'utf8'));
    assert.ok(Array.isArray(v.ballots) && v.ballots.length > 0, 'there are ballots');
    v.ballots.forEach((b, i) => {
      const r = verifyBallot({
        key: v.key,
        fingerprint: v.fingerprint,
        credential: b.credential ?? null,
        questions: b.questions,
        answers: b.answers,
        tracker: b.tracker,
      });
      assert.ok(r.ok, `ballot ${i}: ${r.reason}`);
      assert.equal(r.tracker, b.tracker, `ballot ${i}'s tracker`);
      if (b.randomness) assert.deepEqual(revealCheck(b.answers, b.randomness, v.key), b.selected, `ballot ${i} opens`);
      // And a changed byte is refused.
      const bad = structuredClone(b.answers);
      const beta = bad[0].choices[0].beta;
      bad[0].choices[0].beta = (beta[0] === '0' ? '2' : '0') + beta.slice(1);
      const f = verifyBallot({ key: v.key, fingerprint: v.fingerprint, credential: b.credential ?? null, questions: b.questions, answers: bad });
      assert.equal(f.ok, false);
    });
  });

  test(`the ${who}-made record verifies`, (t) => {
    const r = verifyRecord(readFileSync(jsonl));
    assert.deepEqual(r.failures, []);
    assert.ok(r.ok);
    assert.ok(r.complete, 'the record ends in its result');
  });
}
