// A whole election run in one process, for tests, vectors and the
// benchmark: the election line, n trustees doing the key generation (each
// checks the values it receives against the others' commitments), the
// ballots, the close, the sums, t or more decryption shares and the result.
// Not part of the browser bundle.

import { mul, pointToHex, scalarToHex, fromHex } from './group.js';
import { proveKey, proveEquality } from './proofs.js';
import { add, zero, unblind } from './elgamal.js';
import { randomPolynomial, commitments as commit, shareFor, shareIsCommitted, electionKey } from './threshold.js';
import { trusteeContext, shareContext } from './contexts.js';
import { encryptBallot } from './ballot.js';
import { RecordWriter } from './record.js';
import { keyPointFromHex, pointFromHex } from './group.js';
import { smallLog } from './dlog.js';
import { newSeed, transportMessage, dealMessage, confirmOrComplain, checkMessage } from './trustee.js';
import { combine } from './threshold.js';

export const DEFAULT_QUESTIONS = [
  { text: 'Do you authorise strike action?', kind: 'yes_no', choices: ['Yes', 'No'], pass: { num: 1, den: 2, at_least: false }, min_turnout_bp: 5000 },
  { text: 'Which start date?', kind: 'choice', choices: ['1 March', '8 March', '15 March'], pass: { num: 1, den: 2, at_least: false }, min_turnout_bp: 0 },
];

/**
 * keygen, when given: fingerprint hex → {trustees: [trustee entry fields]}
 * (as the server writes them after every trustee confirmed); the election
 * then runs until 'open' or 'close' and the trustees add the shares.
 *
 * Runs the election up to `until` ('open', 'close', 'result'; default 'result').
 * votes: [{selected: [...], credential?: hex|null, by?: 'voter'}]. Returns
 * {writer, text, fingerprint, key, secrets, ballots}.
 */
export function simulateElection({
  trustees = 3,
  threshold = 2,
  questions = DEFAULT_QUESTIONS,
  votes = [],
  rollSize = 10,
  shareBy = null,
  until = 'result',
  keygen = null,
} = {}) {
  if (keygen && until === 'result') throw new Error('with keygen the trustees make the shares: run until open or close');
  const w = new RecordWriter();
  w.append('election', {
    id: 1,
    title: 'Strike ballot',
    unit: 'Library staff',
    opens_at: '2025-03-01T09:00:00',
    closes_at: '2025-03-08T17:00:00',
    trustees,
    threshold,
    questions: questions.map((q, i) => ({ position: i + 1, ...q })),
  });
  const F = fromHex(w.fingerprint);

  // Key generation: each trustee's polynomial, commitments and key proof,
  // or the deals of a key generation run through the trustees' messages.
  if (keygen) return runWith(w, keygen(w.fingerprint), { questions, votes, rollSize, until });
  const polys = Array.from({ length: trustees }, () => randomPolynomial(threshold));
  const allCommitments = polys.map(commit);
  polys.forEach((p, i) => {
    const proof = proveKey(trusteeContext(F, i + 1), p[0]);
    w.append('trustee', {
      index: i + 1,
      name: `Trustee ${i + 1}`,
      commitments: allCommitments[i].map(pointToHex),
      proof: [scalarToHex(proof.c), scalarToHex(proof.s)],
    });
  });
  const secrets = [];
  for (let j = 1; j <= trustees; j++) {
    let x = 0n;
    polys.forEach((p, i) => {
      const v = shareFor(p, j);
      if (!shareIsCommitted(allCommitments[i], j, v)) throw new Error(`trustee ${i + 1}'s value for ${j} is off its polynomial`);
      x += v;
    });
    secrets.push(x);
  }
  const Y = electionKey(allCommitments);
  return runWith(w, { key: pointToHex(Y), secrets }, { questions, votes, rollSize, until, threshold, shareBy });
}

function runWith(w, { key, secrets = null, trustees: entries = null }, { questions, votes, rollSize, until, threshold, shareBy }) {
  const F = fromHex(w.fingerprint);
  if (entries) {
    for (const e of entries) w.append('trustee', e);
    key = pointToHex(electionKey(entries.map((e) => e.commitments.map((c) => keyPointFromHex(c)))));
  }
  w.append('open', { key, roll: { size: rollSize, fingerprint: '5'.repeat(64) } });

  const ballots = [];
  const shape = questions.map((q) => ({ choices: q.choices.length }));
  for (const v of votes) {
    const credential = v.credential ?? null;
    const b = encryptBallot({ key, fingerprint: w.fingerprint, credential, questions: shape, selected: v.selected });
    ballots.push({ credential, questions: shape, selected: v.selected, ...b });
    const entry = { tracker: b.tracker, by: v.by ?? 'voter' };
    if (credential !== null) entry.credential = credential;
    entry.answers = b.answers;
    w.append('ballot', entry);
  }
  const done = () => ({ writer: w, text: w.text(), fingerprint: w.fingerprint, key, secrets, ballots });
  if (until === 'open') return done();

  w.append('close', { ballots: ballots.length });
  const sums = shape.map((q, qi) =>
    Array.from({ length: q.choices }, (_, k) =>
      ballots.reduce((acc, b) => add(acc, { alpha: keyPointFromHex(b.answers[qi].choices[k].alpha), beta: pointFromHex(b.answers[qi].choices[k].beta) }), zero()),
    ),
  );
  w.append('sums', {
    questions: sums.map((row, qi) => ({ question: qi + 1, choices: row.map((ct) => ({ alpha: pointToHex(ct.alpha), beta: pointToHex(ct.beta) })) })),
  });
  if (until === 'close') return done();

  const sharers = shareBy ?? Array.from({ length: threshold }, (_, i) => i + 1);
  const given = [];
  for (const j of sharers) {
    const x = secrets[j - 1];
    const ds = sums.map((row) => row.map((ct) => mul(ct.alpha, x)));
    given.push([j, ds]);
    w.append('share', {
      trustee: j,
      questions: sums.map((row, qi) => ({
        question: qi + 1,
        choices: row.map((ct, k) => {
          const p = proveEquality(shareContext(F, j, qi + 1, k + 1), x, ct.alpha);
          return { share: pointToHex(ds[qi][k]), proof: [scalarToHex(p.c), scalarToHex(p.s)] };
        }),
      })),
    });
  }
  const chosen = given.slice(0, threshold);
  const counts = sums.map((row, qi) =>
    row.map((ct, k) => smallLog(unblind(ct, combine(chosen.map(([j, ds]) => [j, ds[qi][k]]))), ballots.length)),
  );
  w.append('result', {
    questions: counts.map((row, qi) => ({ question: qi + 1, counts: row })),
    voted: ballots.length,
    eligible: rollSize,
  });
  return done();
}



/**
 * A key generation run in one process through the three messages of
 * docs/trustees.md, each checked as the server checks it. Returns {seeds,
 * transport, deal, confirm} (each an array by trustee, from index 0 for
 * trustee 1), transportKeys and deals as the server hands them out, and the
 * record's trustee entries. dealFor(i, deal) may alter a deal (tests).
 */
export function runKeygen({ fingerprint, trustees = 3, threshold = 2, seeds = null, dealFor = null }) {
  const range = Array.from({ length: trustees }, (_, i) => i + 1);
  seeds ??= range.map(() => newSeed());
  const check = (msg, extra = {}) => {
    const r = checkMessage(msg, { fingerprint, threshold, trustees, ...extra });
    if (!r.ok) throw new Error(`the server refuses a message: ${r.reason}`);
    return msg;
  };
  const transport = range.map((i) => check(transportMessage({ seed: seeds[i - 1], fingerprint, trustee: i }), { trustee: i }));
  const transportKeys = Object.fromEntries(transport.map((m) => [String(m.trustee), m.key]));
  const deal = range.map((i) => {
    const d = dealMessage({ seed: seeds[i - 1], fingerprint, trustee: i, threshold, transportKeys });
    return check(dealFor ? dealFor(i, d) : d, { trustee: i });
  });
  const deals = Object.fromEntries(deal.map((m) => [String(m.trustee), m]));
  const confirm = range.map((j) =>
    check(confirmOrComplain({ seed: seeds[j - 1], fingerprint, trustee: j, threshold, transportKeys, deals }), { trustee: j, deals }),
  );
  const entries = deal.map((d) => ({ index: d.trustee, name: `Trustee ${d.trustee}`, commitments: d.commitments, proof: d.proof }));
  return { seeds, transport, transportKeys, deal, deals, confirm, trustees: entries };
}
