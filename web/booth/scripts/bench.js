// Times, on this machine under node: encrypting and proving one yes/no
// ballot and one 3-choice ballot (mean of 50 each, after a warm-up), and
// verifying a complete record of 1,000 yes/no ballots.

import { simulateElection } from '../src/simulate.js';
import { encryptBallot } from '../src/ballot.js';
import { verifyRecord } from '../src/record.js';
import { baseMul, randomScalar, pointToHex } from '../src/group.js';

const key = pointToHex(baseMul(randomScalar()));
const fingerprint = '42'.repeat(32);

function mean(runs, f) {
  f();
  const start = performance.now();
  for (let i = 0; i < runs; i++) f();
  return (performance.now() - start) / runs;
}

const yesNo = mean(50, () => encryptBallot({ key, fingerprint, questions: [{ choices: 2 }], selected: [0] }));
console.log(`encrypt + prove, one yes/no ballot:   ${yesNo.toFixed(1)} ms (mean of 50)`);
const three = mean(50, () => encryptBallot({ key, fingerprint, questions: [{ choices: 3 }], selected: [2] }));
console.log(`encrypt + prove, one 3-choice ballot: ${three.toFixed(1)} ms (mean of 50)`);

const n = Number(process.env.BENCH_BALLOTS ?? 1000);
const question = [{ text: 'Do you authorise strike action?', kind: 'yes_no', choices: ['Yes', 'No'], pass: { num: 1, den: 2, at_least: false }, min_turnout_bp: 5000 }];
let made = performance.now();
const e = simulateElection({ questions: question, votes: Array.from({ length: n }, (_, i) => ({ selected: [i % 3 === 0 ? 1 : 0] })), rollSize: n });
made = performance.now() - made;
const start = performance.now();
const r = verifyRecord(e.text);
const took = performance.now() - start;
if (!r.ok) throw new Error(`the benchmark record does not verify: ${r.failures.join('; ')}`);
console.log(`verify a record of ${n} yes/no ballots: ${(took / 1000).toFixed(2)} s (${(took / n).toFixed(2)} ms a ballot; making it took ${(made / 1000).toFixed(1)} s)`);
