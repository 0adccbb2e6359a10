// The booth page's pure parts: reading the page's setup, turning the form's
// (name, value) pairs into one choice per question, and the fields of the
// cast form. No DOM here, so node --test checks them.

const HEX64 = /^[0-9a-f]{64}$/;
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
export function ballotEntry({ tracker, answers }) {
  return { tracker, by: 'voter', answers };
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
