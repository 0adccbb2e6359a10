// Writes vectors/from-js.json (ballots made here, for the Rust side to
// check), vectors/from-js.jsonl (a complete record made here) and
// vectors/trustees-from-js.json (a key generation through the trustees'
// messages, with their key files). Fresh
// randomness each run: the files change every time, and each must verify.

import { writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { simulateElection } from '../src/simulate.js';
import { encryptBallot } from '../src/ballot.js';
import { verifyRecord, RecordWriter } from '../src/record.js';
import { runKeygen } from '../src/simulate.js';
import { keyFile } from '../src/trustee.js';

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

// A key generation by 3 trustees, threshold 2, for an election line made
// here: each trustee's key file under the passphrase and its three messages.
const kw = new RecordWriter();
kw.append('election', {
  id: 2,
  title: 'Trustee vectors',
  unit: 'Library staff',
  opens_at: '2025-03-01T09:00:00',
  closes_at: '2025-03-08T17:00:00',
  trustees: 3,
  threshold: 2,
  questions: [{ position: 1, text: 'Do you authorise strike action?', kind: 'yes_no', choices: ['Yes', 'No'], pass: { num: 1, den: 2, at_least: false }, min_turnout_bp: 5000 }],
});
const passphrase = 'correct horse battery staple';
const kg = runKeygen({ fingerprint: kw.fingerprint, trustees: 3, threshold: 2 });
if (!kg.confirm.every((m) => m.step === 'confirm')) throw new Error('a trustee complained');
const trustees = kg.seeds.map((seed, i) => ({
  index: i + 1,
  key_file: keyFile.seal({ seed, fingerprint: kw.fingerprint, trustee: i + 1, passphrase }),
  transport: kg.transport[i],
  deal: kg.deal[i],
  confirm: kg.confirm[i],
}));
writeFileSync(
  resolve(out, 'trustees-from-js.json'),
  `${JSON.stringify({ fingerprint: kw.fingerprint, threshold: 2, passphrase, trustees }, null, 1)}\n`,
);
console.log('wrote a 3-trustee, threshold-2 key generation to vectors/trustees-from-js.json');
