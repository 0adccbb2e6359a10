// The booth on /elections/{id}/ballot: the choice is encrypted on this
// device and only the encrypted ballot is sent. Without this script the
// page's own form sends the choice to the server, which encrypts it.

import { encryptBallot, revealCheck } from '../ballot.js';
import { credentialFromWords, signTracker } from '../credential.js';
import { el, fill, say } from './dom.js';
import {
  readBoothSetup,
  checkKey,
  collectSelections,
  ballotShape,
  chosenLabels,
  castFields,
  fieldName,
  revealedText,
} from './booth-logic.js';

export const TEXT = {
  unanswered: 'Answer every question before you confirm.',
  heading: 'Confirm your vote',
  encrypted: 'Your ballot is encrypted on this device; this server never sees your choice.',
  cast: 'Cast my vote',
  check: 'Check this encryption first',
  change: 'Change my choices',
  holds: 'This encryption holds:',
  neverCast: 'A checked encryption is never cast: a new one has been made for your vote.',
};

export function startBooth(doc) {
  const setupNode = doc.getElementById('booth-setup');
  const form = doc.getElementById('ballot-form');
  if (!setupNode || !form) return false;
  let setup;
  try {
    setup = readBoothSetup(setupNode.textContent);
  } catch (err) {
    // The page's own form still works: the server encrypts.
    console.error(`unionhall booth: ${err.message}`);
    return false;
  }
  const hidden = (name) => form.querySelector(`input[name="${name}"]`)?.value ?? '';
  const alert = el(doc, 'div', { id: 'booth-error', class: 'error-summary', role: 'alert', hidden: true });
  form.before(alert);
  try {
    checkKey(setup);
  } catch (err) {
    // A key the trustees did not make: nothing is encrypted or sent, not
    // even to the server to encrypt, since it may hold that key.
    say(alert, `${err.message} Your ballot was not encrypted or sent. Tell an officer and the trustees.`);
    form.addEventListener('submit', (event) => event.preventDefault());
    return true;
  }

  let ballot = null;
  let section = null;
  // The member's credential, read from the form: it signs here and is
  // never sent (the cast form is built from castFields alone).
  let credential = null;
  const credentialField = form.querySelector('input[name="credential"]');
  const fromLetter = /[#&]credential=([^&]+)/.exec(doc.defaultView?.location?.hash ?? '');
  const carried = takeCarried(doc);
  if (credentialField && (fromLetter || carried)) {
    credentialField.value = fromLetter ? decodeURIComponent(fromLetter[1]).replace(/[+.-]/g, ' ') : carried;
    // Out of the address bar and the history, so it is not left behind.
    if (fromLetter) doc.defaultView.history.replaceState(null, '', doc.defaultView.location.pathname);
  }

  const encrypt = (selected) => {
    const made = encryptBallot({
      key: setup.key,
      fingerprint: setup.fingerprint,
      credential: credential ? credential.publicHex : null,
      questions: ballotShape(setup),
      selected,
    });
    if (credential) {
      made.credential = credential.publicHex;
      made.signature = signTracker(credential, made.tracker);
    }
    return made;
  };

  form.addEventListener('submit', (event) => {
    // The choice never leaves this device in the clear.
    event.preventDefault();
    const { selected, missing } = collectSelections(setup, [...new FormData(form).entries()]);
    if (missing.length > 0) {
      say(alert, TEXT.unanswered);
      const q = setup.questions.find((x) => x.id === missing[0]);
      form.querySelector(`input[name="${fieldName(q)}"]`)?.focus();
      return;
    }
    if (setup.credentialed) {
      try {
        credential = credentialFromWords(credentialField?.value ?? '');
      } catch (err) {
        say(alert, err.message);
        credentialField?.focus();
        return;
      }
    }
    try {
      ballot = encrypt(selected);
    } catch (err) {
      say(alert, `This device could not encrypt your ballot: ${err.message}`);
      return;
    }
    say(alert, '');
    form.hidden = true;
    section?.remove();
    section = confirmSection(selected);
    form.after(section);
    section.querySelector('h2').focus();
  });

  function confirmSection(selected) {
    const trackerCode = el(doc, 'code', { class: 'tracker', id: 'booth-tracker' }, ballot.tracker);
    const check = el(doc, 'div', { id: 'booth-check', hidden: true, 'aria-live': 'polite' });
    const castButton = el(doc, 'button', { type: 'button', id: 'booth-cast' }, TEXT.cast);
    const checkButton = el(doc, 'button', { type: 'button', id: 'booth-check-button', class: 'secondary' }, TEXT.check);
    const changeButton = el(doc, 'button', { type: 'button', id: 'booth-change', class: 'secondary' }, TEXT.change);
    const node = el(
      doc,
      'section',
      { id: 'booth' },
      el(doc, 'h2', { tabindex: '-1' }, TEXT.heading),
      el(
        doc,
        'dl',
        { class: 'facts' },
        chosenLabels(setup, selected).map(({ question, label }) => [
          el(doc, 'dt', {}, question),
          el(doc, 'dd', {}, el(doc, 'strong', {}, label)),
        ]),
      ),
      el(doc, 'p', {}, TEXT.encrypted),
      el(doc, 'p', {}, 'Your ballot’s tracker: ', trackerCode),
      el(doc, 'div', { class: 'button-row' }, castButton, checkButton, changeButton),
      check,
    );

    castButton.addEventListener('click', () => {
      if (castButton.disabled) return;
      castButton.disabled = true;
      checkButton.disabled = true;
      changeButton.disabled = true;
      const fields = castFields({ csrfToken: hidden('csrf_token'), submissionKey: hidden('submission_key'), ballot });
      const cast = el(
        doc,
        'form',
        { method: 'post', action: setup.cast_url, hidden: true },
        fields.map(([name, value]) => el(doc, 'input', { type: 'hidden', name, value })),
      );
      doc.body.append(cast);
      cast.submit();
    });

    checkButton.addEventListener('click', () => {
      const checked = ballot;
      let picks;
      try {
        picks = revealCheck(checked.answers, checked.randomness, setup.key);
      } catch (err) {
        castButton.disabled = true;
        fill(check, el(doc, 'p', { role: 'alert' }, `This encryption does not open: ${err.message}. Do not cast this ballot. Tell the election’s officer.`));
        check.hidden = false;
        return;
      }
      try {
        ballot = encrypt(selected);
      } catch (err) {
        castButton.disabled = true;
        fill(check, el(doc, 'p', { role: 'alert' }, `This device could not encrypt your ballot again: ${err.message}`));
        check.hidden = false;
        return;
      }
      fill(
        check,
        el(doc, 'p', {}, TEXT.holds),
        el(
          doc,
          'ul',
          {},
          chosenLabels(setup, picks).map(({ question, label }) => el(doc, 'li', {}, `${question}: `, el(doc, 'strong', {}, label))),
        ),
        el(doc, 'p', {}, 'The checked encryption’s tracker: ', el(doc, 'code', { class: 'tracker' }, checked.tracker)),
        el(
          doc,
          'details',
          {},
          el(doc, 'summary', {}, 'Its randomness, to check it elsewhere'),
          el(doc, 'pre', {}, revealedText(setup, checked)),
        ),
        el(doc, 'p', {}, TEXT.neverCast),
      );
      check.hidden = false;
      trackerCode.textContent = ballot.tracker;
    });

    changeButton.addEventListener('click', () => {
      ballot = null;
      node.remove();
      section = null;
      form.hidden = false;
      form.querySelector('input[type="radio"]:checked, input[type="radio"]')?.focus();
    });
    return node;
  }
  return true;
}

const CARRY_KEY = 'unionhall-credential';

function takeCarried(doc) {
  try {
    const storage = doc.defaultView?.sessionStorage;
    const words = storage?.getItem(CARRY_KEY) ?? null;
    storage?.removeItem(CARRY_KEY);
    return words;
  } catch {
    return null;
  }
}

/**
 * A letter's address opened while signed out lands on the sign-in page
 * with the words in its fragment, which the sign-in form cannot carry
 * without sending them. They wait in this tab's session storage (never
 * sent) for the ballot page, and leave the address bar.
 */
export function carryCredential(doc, location) {
  const found = /[#&]credential=([^&]+)/.exec(location?.hash ?? '');
  if (!found || doc.querySelector('input[name="credential"]')) return false;
  try {
    doc.defaultView.sessionStorage.setItem(CARRY_KEY, decodeURIComponent(found[1]).replace(/[+.-]/g, ' '));
  } catch {
    return false;
  }
  doc.defaultView.history.replaceState(null, '', location.pathname + location.search);
  return true;
}
