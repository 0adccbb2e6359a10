// Writes vectors/from-js.json (ballots made here, for the Rust side to
// check) and vectors/from-js.jsonl (a complete record made here). Fresh
// randomness each run: the files change every time, and each must verify.

import { writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { simulateElection } from '../src/simulate.js';
import { encryptBallot } from '../src/ballot.js';
import { verifyRecord } from '../src/record.js';

const out = resolve(dirname(fileURLToPath(import.meta.url)), '../vectors');
mkdirSync(out, { recursive: true });

const votes = [
  { selected: [0, 2] },
  { selected: [1, 0] },
  { selected: [0, 1], credential: '11'.repeat(32) },
  { selected: [0, 0], by: 'server' },
  { selected: [1, 2], by: 'paper' },
];
const e = simulateElection({ trustees: 3, threshold: 2, votes, rollSize: 9, shareBy: [2, 3] });
const check = verifyRecord(e.text);
if (!check.ok) throw new Error(`the record made does not verify: ${check.failures.join('; ')}`);
writeFileSync(resolve(out, 'from-js.jsonl'), e.text);

// The record's ballots, and some more for the same election (never cast).
const extra = [
  { credential: null, questions: [{ choices: 2 }, { choices: 3 }], selected: [1, 1] },
  { credential: 'c0'.repeat(32), questions: [{ choices: 2 }, { choices: 3 }], selected: [0, 2] },
].map((b) => ({ ...b, ...encryptBallot({ key: e.key, fingerprint: e.fingerprint, ...b }) }));
const ballots = [...e.ballots, ...extra].map(({ credential, questions, selected, answers, tracker, randomness }) => ({
  credential,
  questions,
  selected,
  answers,
  tracker,
  randomness,
}));
writeFileSync(
  resolve(out, 'from-js.json'),
  `${JSON.stringify({ fingerprint: e.fingerprint, key: e.key, ballots }, null, 1)}\n`,
);
console.log(`wrote ${ballots.length} ballots to vectors/from-js.json and a ${e.text.split('\n').length - 1}-line record to vectors/from-js.jsonl`);
