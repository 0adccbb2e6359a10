// The pages' pure parts: the booth's selections and cast fields, what the
// trustee page does per ask and the answer it sends, and the verify page's
// words. The DOM code in src/pages/{booth,trustee,verify}.js stays thin.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readBoothSetup, collectSelections, ballotShape, chosenLabels, castFields, ballotEntry, revealedText } from '../src/pages/booth-logic.js';
import { planFor, sendLabel, passphraseProblem, electionIdFromPath, keyFileName, makeAnswer, checkRecord, checkWords } from '../src/pages/trustee-logic.js';
import { normalizeTracker, verifyInWords } from '../src/pages/verify-logic.js';
import { startPages } from '../src/pages/main.js';
import { encryptBallot, verifyBallot, revealCheck } from '../src/ballot.js';
import { verifyRecord } from '../src/record.js';
import { fromPacket, checkMessage, keyFile, MIN_PASSPHRASE_CHARS } from '../src/trustee.js';
import { scalarToHex, scalarFromHex, mod } from '../src/group.js';
import { simulateElection, runKeygen } from '../src/simulate.js';

const QUESTIONS = [
  { text: 'Do you authorise strike action?', kind: 'yes_no', choices: ['Yes', 'No'], pass: { num: 1, den: 2, at_least: false }, min_turnout_bp: 5000 },
  { text: 'Which start date?', kind: 'choice', choices: ['1 March', '8 March', '15 March'], pass: { num: 1, den: 2, at_least: false }, min_turnout_bp: 0 },
];

/** An election open for votes, and the booth setup its ballot page would carry. */
function openElection() {
  const e = simulateElection({ questions: QUESTIONS, until: 'open' });
  const setup = {
    election: 12,
    key: e.key,
    fingerprint: e.fingerprint,
    cast_url: '/elections/12/cast',
    questions: [
      { id: 31, text: QUESTIONS[0].text, choices: [{ id: 71, label: 'Yes' }, { id: 72, label: 'No' }] },
      { id: 32, text: QUESTIONS[1].text, choices: [{ id: 80, label: '1 March' }, { id: 81, label: '8 March' }, { id: 79, label: '15 March' }] },
    ],
  };
  return { e, setup };
}

test('the booth setup is read, and refused in words when it is not well formed', () => {
  const { setup } = openElection();
  assert.deepEqual(readBoothSetup(JSON.stringify(setup)), setup);
  const bad = (change, words) => assert.throws(() => readBoothSetup(JSON.stringify({ ...setup, ...change })), words);
  bad({ cast_url: '//elsewhere.example/cast' }, /no address on this site/);
  bad({ cast_url: 'https://elsewhere.example/cast' }, /no address on this site/);
  bad({ key: 'zz' }, /no election key/);
  bad({ questions: [] }, /no questions/);
  bad({ questions: [{ id: 31, text: 'Q', choices: [{ id: 71, label: 'Yes' }] }] }, /fewer than two choices/);
  bad({ questions: [{ id: 31, text: 'Q', choices: [{ id: 71, label: 'Yes' }, { id: 71, label: 'No' }] }] }, /choice 71 twice/);
  assert.throws(() => readBoothSetup('{'), /not JSON/);
});

test('selections are collected in question order, choices by their listed order', () => {
  const { setup } = openElection();
  const pairs = [['csrf_token', 'c'], ['submission_key', 's'], ['q_32', '79'], ['q_31', '72']];
  assert.deepEqual(collectSelections(setup, pairs), { selected: [1, 2], missing: [] });
  assert.deepEqual(chosenLabels(setup, [1, 2]), [
    { question: QUESTIONS[0].text, label: 'No' },
    { question: QUESTIONS[1].text, label: '15 March' },
  ]);
  assert.deepEqual(collectSelections(setup, [['q_31', '71']]), { selected: [0, null], missing: [32] });
  // A value that is not one of the question's choices, or two values, count as no answer.
  assert.deepEqual(collectSelections(setup, [['q_31', '80'], ['q_32', '80']]).missing, [31]);
  assert.deepEqual(collectSelections(setup, [['q_31', '71'], ['q_31', '72'], ['q_32', '80']]).missing, [31]);
  assert.deepEqual(ballotShape(setup), [{ choices: 2 }, { choices: 3 }]);
});

test("the cast form's ballot is exactly the record's ballot entry, and it verifies there", () => {
  const { e, setup } = openElection();
  const { selected } = collectSelections(setup, [['q_31', '71'], ['q_32', '81']]);
  const ballot = encryptBallot({ key: setup.key, fingerprint: setup.fingerprint, credential: null, questions: ballotShape(setup), selected });
  const fields = castFields({ csrfToken: 'tok', submissionKey: 'key', ballot });
  assert.deepEqual(fields.map(([n]) => n), ['csrf_token', 'submission_key', 'ballot']);
  assert.deepEqual(fields.slice(0, 2), [['csrf_token', 'tok'], ['submission_key', 'key']]);
  const entry = JSON.parse(fields[2][1]);
  assert.deepEqual(Object.keys(entry), ['tracker', 'by', 'answers']);
  assert.deepEqual(entry, JSON.parse(JSON.stringify(ballotEntry(ballot))));
  assert.equal(entry.by, 'voter');
  assert.match(entry.tracker, /^[0-9a-f]{64}$/);
  assert.equal('randomness' in entry, false);
  assert.ok(verifyBallot({ key: setup.key, fingerprint: setup.fingerprint, questions: ballotShape(setup), answers: entry.answers, tracker: entry.tracker }).ok);
  e.writer.append('ballot', entry);
  const r = verifyRecord(e.writer.text(), { tracker: entry.tracker });
  assert.deepEqual(r.failures, []);
  // Checking an encryption: the revealed randomness opens it to the chosen labels.
  const revealed = JSON.parse(revealedText(setup, ballot));
  const picks = revealCheck(revealed.answers, revealed.randomness, revealed.key);
  assert.deepEqual(chosenLabels(setup, picks).map((c) => c.label), ['Yes', '8 March']);
});

test('the trustee page does one thing per ask', () => {
  assert.equal(planFor('transport'), 'new-key');
  assert.equal(planFor('deal'), 'open-key');
  assert.equal(planFor('confirm'), 'open-key');
  assert.equal(planFor('share'), 'check-record');
  assert.equal(planFor('wait'), 'nothing');
  assert.throws(() => planFor('vote'), /does not know the step "vote"/);
  assert.equal(sendLabel('transport'), 'Send my transport key');
  assert.equal(passphraseProblem('short', 'short'), `Choose a passphrase of at least ${MIN_PASSPHRASE_CHARS} characters.`);
  assert.equal(passphraseProblem('a long passphrase', 'a long passphrase!'), 'The two passphrases are not the same. Type the same passphrase twice.');
  assert.equal(passphraseProblem('a long passphrase', 'a long passphrase'), null);
  // Characters, not UTF-16 units: 11 emoji are too short.
  assert.notEqual(passphraseProblem('😀'.repeat(11), '😀'.repeat(11)), null);
  assert.equal(electionIdFromPath('/elections/12/trustee'), 12);
  assert.equal(electionIdFromPath('/trustee'), null);
  assert.equal(keyFileName(12, 2), 'election-12-trustee-2.key');
});

const strip = ({ step, ...rest }) => rest;
const packetFor = (fingerprint, kg, j, ask, { transports = kg.transport, deals = kg.deal, record } = {}) => ({
  format: 'unionhall-trustee-packet/1',
  election: fingerprint,
  title: 'Strike ballot',
  trustee: j,
  trustees: 3,
  threshold: 2,
  ask,
  transports: transports.map(strip),
  deals: deals.map(strip),
  ...(record === undefined ? {} : { record }),
});

test("the trustee's answers for transport, deal and confirm are the messages the server checks", () => {
  const F = 'c3'.repeat(32);
  const kg = runKeygen({ fingerprint: F });
  const t = makeAnswer(fromPacket(packetFor(F, kg, 2, 'transport', { transports: [], deals: [] })), kg.seeds[1]);
  const tm = JSON.parse(t.text);
  assert.equal(tm.key, kg.transport[1].key);
  assert.ok(checkMessage(tm, { fingerprint: F, trustees: 3, trustee: 2 }).ok);
  assert.equal(t.complaint, null);
  const d = makeAnswer(fromPacket(packetFor(F, kg, 2, 'deal', { deals: [] })), kg.seeds[1]);
  assert.ok(checkMessage(JSON.parse(d.text), { fingerprint: F, threshold: 2, trustees: 3, trustee: 2 }).ok);
  const c = makeAnswer(fromPacket(packetFor(F, kg, 2, 'confirm')), kg.seeds[1]);
  const cm = JSON.parse(c.text);
  assert.equal(cm.step, 'confirm');
  assert.equal(cm.verification_key, kg.confirm[1].verification_key);
  assert.ok(checkMessage(cm, { fingerprint: F, threshold: 2, trustees: 3, trustee: 2, deals: kg.deals }).ok);
  assert.match(c.words, /Every share dealt to you checks/);
  assert.throws(() => makeAnswer(fromPacket(packetFor(F, kg, 2, 'wait')), kg.seeds[1]), /Nothing is asked/);
});

test('a complaint says in words whose share did not check', () => {
  const F = 'c4'.repeat(32);
  const dealFor = (i, d) => (i === 3 ? { ...d, shares: { ...d.shares, 1: scalarToHex(mod(scalarFromHex(d.shares['1']) + 1n)) } } : d);
  const kg = runKeygen({ fingerprint: F, dealFor });
  const c = makeAnswer(fromPacket(packetFor(F, kg, 1, 'confirm')), kg.seeds[0]);
  assert.deepEqual(JSON.parse(c.text), { step: 'complain', trustee: 1, against: 3 });
  assert.equal(c.complaint, 3);
  assert.match(c.words, /The share trustee 3 dealt you did not check/);
});

test('a share is made only from a record that verifies, and the checks are shown in words', () => {
  let kg;
  const e = simulateElection({
    questions: QUESTIONS,
    votes: [{ selected: [0, 1] }, { selected: [1, 2] }],
    until: 'close',
    keygen: (fingerprint) => (kg = runKeygen({ fingerprint, trustees: 3, threshold: 2 })),
  });
  const args = fromPacket(packetFor(e.fingerprint, kg, 2, 'share', { record: e.text }));
  const checked = checkRecord(args.record);
  assert.equal(checked.ok, true);
  assert.ok(checked.checks.includes('ballots: holds (2 checked)'), checked.checks.join(' | '));
  const s = makeAnswer(args, kg.seeds[1]);
  const entry = JSON.parse(s.text);
  assert.deepEqual(Object.keys(entry), ['trustee', 'questions']);
  e.writer.append('share', entry);
  assert.deepEqual(verifyRecord(e.writer.text()).failures, []);

  const lines = e.text.trimEnd().split('\n');
  const i = lines.findIndex((l) => JSON.parse(l).type === 'sums');
  const o = JSON.parse(lines[i]);
  o.questions[0].choices[0] = o.questions[1].choices[0];
  const bad = [...lines.slice(0, i), JSON.stringify(o)].map((l) => `${l}\n`).join('');
  const r = checkRecord(bad);
  assert.equal(r.ok, false);
  assert.ok(r.checks.some((c) => /does not hold/.test(c)));
  assert.ok(r.failures.length > 0);
  assert.throws(() => makeAnswer({ ...args, record: bad }, kg.seeds[1]), /does not verify, so no share is given/);
  assert.equal(checkWords({ name: 'chain', count: 3, ok: false }), 'chain: does not hold (3 checked)');
});

test('the verify page says what the record holds, and whether a tracker is in it', () => {
  const e = simulateElection({ questions: QUESTIONS, votes: [{ selected: [0, 1] }, { selected: [1, 0] }] });
  const tracker = e.ballots[1].tracker;
  const v = verifyInWords(e.text, `  ${tracker.toUpperCase()} `);
  assert.equal(v.heading, 'Checked in your browser:');
  assert.equal(v.ok, true);
  assert.deepEqual(v.failures, []);
  assert.equal(v.trackerFound, true);
  assert.equal(v.tracker, `A ballot with the tracker ${tracker} is in the record.`);
  assert.match(v.summary, /verifies, and it is complete/);
  assert.equal(v.head, verifyRecord(e.text).head);
  assert.ok(v.checks.some((c) => /^result: holds \(\d+ checked\)$/.test(c)), v.checks.join(' | '));

  const missing = verifyInWords(e.text, 'ab'.repeat(32));
  assert.equal(missing.trackerFound, false);
  assert.equal(missing.ok, true);
  assert.equal(missing.tracker, `No ballot in the record has the tracker ${'ab'.repeat(32)}.`);
  const none = verifyInWords(e.text, '');
  assert.equal(none.tracker, null);
  assert.equal(none.trackerFound, null);

  const cut = e.text.split('\n').slice(0, 4).map((l) => `${l}\n`).join('');
  assert.match(verifyInWords(cut).summary, /as far as it goes/);
  const tampered = e.text.replace('"by":"voter"', '"by":"server"');
  const t = verifyInWords(tampered);
  assert.equal(t.ok, false);
  assert.match(t.summary, /does not verify/);
  assert.ok(t.failures.length > 0);
  assert.equal(normalizeTracker(undefined), '');
});

test('the page glue starts nothing on a page without its elements', () => {
  const doc = { getElementById: () => null };
  assert.deepEqual(startPages(doc, { pathname: '/' }), []);
});

test('a key file sealed by the page opens with its passphrase', async () => {
  const F = 'c5'.repeat(32);
  const seed = new Uint8Array(32).fill(7);
  const file = await keyFile.sealAsync({ seed, fingerprint: F, trustee: 2, passphrase: 'correct horse battery' });
  const text = `${JSON.stringify(file)}\n`;
  assert.deepEqual([...(await keyFile.openAsync(text, 'correct horse battery', { fingerprint: F, trustee: 2 }))], [...seed]);
  await assert.rejects(keyFile.openAsync(text, 'wrong passphrase!', { fingerprint: F, trustee: 2 }), /does not open this key file/);
});

test('a share is made only for the head hash members see', async () => {
  const { headMatches } = await import('../src/pages/trustee-logic.js');
  const head = 'ab'.repeat(32);
  assert.equal(headMatches(` ${head.toUpperCase()} `, head), true);
  assert.equal(headMatches('ab'.repeat(31), head), false);
  assert.equal(headMatches('', head), false);
  assert.equal(headMatches(head, undefined), false);
});

test('the booth encrypts only under the trustees\u2019 joint key', async () => {
  const { checkKey } = await import('../src/pages/booth-logic.js');
  const { readFileSync } = await import('node:fs');
  const { fileURLToPath } = await import('node:url');
  const path = fileURLToPath(new URL('../../../tests/vectors/from-rust.jsonl', import.meta.url));
  const lines = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const { lineHash } = await import('../src/record.js');
  const first = readFileSync(path, 'utf8').split('\n')[0];
  const fingerprint = lineHash(first);
  const trustees = lines.filter((l) => l.type === 'trustee').map((t) => ({ index: t.index, commitments: t.commitments, proof: t.proof }));
  const key = lines.find((l) => l.type === 'open').key;
  assert.equal(checkKey({ fingerprint, key, trustees }), true);
  assert.throws(() => checkKey({ fingerprint, key: trustees[0].commitments[0], trustees }), /not the trustees’ joint key/);
  const bent = trustees.map((t) => ({ ...t, proof: [t.proof[1], t.proof[0]] }));
  assert.throws(() => checkKey({ fingerprint, key, trustees: bent }), /key proof does not check/);
  assert.throws(() => checkKey({ fingerprint, key, trustees: [] }), /cannot check the election key/);
});
