// The booth page's pure parts: reading the page's setup, turning the form's
// (name, value) pairs into one choice per question, and the fields of the
// cast form. No DOM here, so node --test checks them.

import { verifyKey } from '../proofs.js';
import { trusteeContext } from '../contexts.js';
import { electionKey } from '../threshold.js';
import { fromHex, keyPointFromHex, scalarFromHex } from '../group.js';

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * Whether the key the page gives is the trustees' joint key: each trustee's
 * first commitment proved by its key proof, and the key their sum. A page
 * that swapped the key for one its server holds fails here, before any
 * ballot is encrypted. Throws in words when it does not hold.
 */
export function checkKey(setup) {
  const trustees = setup.trustees;
  if (!Array.isArray(trustees) || trustees.length < 2)
    throw new Error('The page does not give the trustees’ keys, so this device cannot check the election key.');
  const F = fromHex(setup.fingerprint, 'the fingerprint', 32);
  const all = trustees.map((t, i) => {
    if (!t || t.index !== i + 1 || !Array.isArray(t.commitments) || t.commitments.length < 1)
      throw new Error(`Trustee ${i + 1}’s key is not in the page.`);
    const cs = t.commitments.map((c, k) => keyPointFromHex(c, `trustee ${t.index}’s commitment ${k}`));
    const [c, s] = [scalarFromHex(t.proof?.[0]), scalarFromHex(t.proof?.[1])];
    if (!verifyKey({ c, s }, trusteeContext(F, t.index), cs[0]))
      throw new Error(`Trustee ${t.index}’s key proof does not check.`);
    return cs;
  });
  if (!keyPointFromHex(setup.key, 'the election key').equals(electionKey(all)))
    throw new Error('The election key on this page is not the trustees’ joint key.');
  return true;
}
const isId = (v) => Number.isSafeInteger(v) && v >= 1;

/**
 * The booth setup the ballot page carries in <script id="booth-setup">:
 * {election, key, fingerprint, cast_url, questions: [{id, text, choices:
 * [{id, label}]}]}. Throws in words if it is not well formed.
 */
export function readBoothSetup(text) {
  let s;
  try {
    s = typeof text === 'string' ? JSON.parse(text) : text;
  } catch {
    throw new Error('The booth setup is not JSON.');
  }
  if (!s || typeof s !== 'object') throw new Error('The booth setup is not an object.');
  if (!isId(s.election)) throw new Error('The booth setup has no election number.');
  if (typeof s.key !== 'string' || !HEX64.test(s.key)) throw new Error('The booth setup has no election key.');
  if (typeof s.fingerprint !== 'string' || !HEX64.test(s.fingerprint))
    throw new Error('The booth setup has no fingerprint.');
  // Only a path on this site: the ballot is never posted elsewhere.
  if (typeof s.cast_url !== 'string' || !s.cast_url.startsWith('/') || s.cast_url.startsWith('//') || s.cast_url.includes('\\'))
    throw new Error('The booth setup has no address on this site to cast to.');
  if (!Array.isArray(s.questions) || s.questions.length === 0) throw new Error('The booth setup has no questions.');
  s.questions.forEach((q, i) => {
    const what = `Question ${i + 1} of the booth setup`;
    if (!q || !isId(q.id) || typeof q.text !== 'string') throw new Error(`${what} has no number or text.`);
    if (!Array.isArray(q.choices) || q.choices.length < 2) throw new Error(`${what} has fewer than two choices.`);
    const ids = new Set();
    for (const c of q.choices) {
      if (!c || !isId(c.id) || typeof c.label !== 'string') throw new Error(`${what} has a choice with no number or label.`);
      if (ids.has(c.id)) throw new Error(`${what} has choice ${c.id} twice.`);
      ids.add(c.id);
    }
  });
  return s;
}

/** The radio name of a question: q_<question id>. */
export const fieldName = (question) => `q_${question.id}`;

/**
 * One choice per question from the form's (name, value) pairs (radio values
 * are choice ids). Returns {selected: [choice index per question, in the
 * setup's order], missing: [ids of the questions with no valid answer]}.
 * A question with two values, or a value that is not one of its choice ids,
 * counts as unanswered.
 */
export function collectSelections(setup, pairs) {
  const values = new Map();
  for (const [name, value] of pairs) {
    if (!values.has(name)) values.set(name, []);
    values.get(name).push(String(value));
  }
  const selected = [];
  const missing = [];
  for (const q of setup.questions) {
    const given = values.get(fieldName(q)) ?? [];
    const k = given.length === 1 ? q.choices.findIndex((c) => String(c.id) === given[0]) : -1;
    if (k < 0) missing.push(q.id);
    selected.push(k < 0 ? null : k);
  }
  return { selected, missing };
}

/** What encryptBallot takes as the election's questions: [{choices: N}], positions 1, 2, … */
export const ballotShape = (setup) => setup.questions.map((q) => ({ choices: q.choices.length }));

/** [{question: text, label}] of the chosen choices, in question order. */
export function chosenLabels(setup, selected) {
  return setup.questions.map((q, i) => ({ question: q.text, label: q.choices[selected[i]]?.label ?? '' }));
}

/**
 * The record's ballot entry without seq, prev and type, and without a
 * credential: {tracker, by: "voter", answers}.
 */
export function ballotEntry({ tracker, answers, credential, signature }) {
  // Keys in the record's order: tracker, by, credential, signature, answers.
  return credential
    ? { tracker, by: 'voter', credential, signature, answers }
    : { tracker, by: 'voter', answers };
}

/** The cast form's fields, as [name, value] pairs, in order. */
export function castFields({ csrfToken, submissionKey, ballot }) {
  return [
    ['csrf_token', csrfToken],
    ['submission_key', submissionKey],
    ['ballot', JSON.stringify(ballotEntry(ballot))],
  ];
}

/** What a voter may keep to check a checked encryption elsewhere. */
export function revealedText(setup, ballot) {
  return JSON.stringify(
    {
      election: setup.election,
      key: setup.key,
      fingerprint: setup.fingerprint,
      tracker: ballot.tracker,
      answers: ballot.answers,
      randomness: ballot.randomness,
    },
    null,
    1,
  );
}
