// The trustee's device on /elections/{id}/trustee: the seed is made, kept
// in a passphrase-sealed key file and used here only; the page's own form
// carries the answer. Without this script the trustee runs `unionhall
// trustee` and pastes its answer into the same form.

import { newSeed, keyFile, fromPacket } from '../trustee.js';
import { el, fill, say, field, nextPaint } from './dom.js';
import {
  planFor,
  sendLabel,
  passphraseProblem,
  electionIdFromPath,
  keyFileName,
  makeAnswer,
  checkRecord,
  headMatches,
} from './trustee-logic.js';

export const TEXT = {
  saved: 'I have saved my key file and will keep it and the passphrase until the result is published',
  opening: 'Opening your key file…',
  making: 'Making your key file…',
  checking: 'Checking the record on this device…',
  noFile: 'Choose your key file.',
};

export function startTrustee(doc, location) {
  const packetNode = doc.getElementById('trustee-packet');
  const section = doc.getElementById('trustee-device');
  const form = doc.getElementById('trustee-answer');
  const answer = form?.querySelector('textarea[name="answer"]');
  if (!packetNode || !section || !form || !answer) return false;

  const status = el(doc, 'p', { id: 'trustee-status', role: 'status' });
  const alert = el(doc, 'div', { id: 'trustee-error', class: 'error-summary', role: 'alert', hidden: true });
  let args;
  try {
    args = fromPacket(packetNode.textContent);
    if (planFor(args.ask) === 'nothing') return false;
  } catch (err) {
    section.hidden = false;
    section.append(alert);
    say(alert, `This page’s script cannot do this step: ${err.message} You can still do it with the unionhall program.`);
    return false;
  }
  section.hidden = false;
  // The page's own steps for a browser without JavaScript are not this one's.
  const noScript = doc.getElementById('trustee-no-js');
  if (noScript) noScript.hidden = true;
  // The answer form carries the device's answer; it stays in sight only
  // when it came back with the server's refusal to read.
  if (!form.querySelector('.error-summary, .field-error')) form.hidden = true;
  section.append(alert, status);

  const send = (text) => {
    answer.value = text;
    form.submit();
  };
  const fail = (err) => {
    fill(status);
    say(alert, err.message);
  };

  const plan = planFor(args.ask);
  if (plan === 'new-key') newKey();
  else if (plan === 'open-key') openKey(section);
  else if (plan === 'check-record') checkFirst();
  return true;

  function newKey() {
    const first = field(doc, {
      id: 'trustee-pass1',
      label: 'Choose a passphrase',
      type: 'password',
      autocomplete: 'new-password',
      hint: 'At least 12 characters. You need it, with the key file, at every step until the result is published.',
    });
    const second = field(doc, { id: 'trustee-pass2', label: 'Type the passphrase again', type: 'password', autocomplete: 'new-password' });
    const make = el(doc, 'button', { type: 'button', id: 'trustee-make' }, 'Make my key file');
    const box = el(doc, 'div', { id: 'trustee-new-key' }, el(doc, 'h2', {}, 'Your key file'), first.box, second.box, make);
    section.append(box);

    make.addEventListener('click', async () => {
      const problem = passphraseProblem(first.input.value, second.input.value);
      if (problem) return say(alert, problem);
      say(alert, '');
      make.disabled = true;
      fill(status, TEXT.making);
      let file;
      let reply;
      try {
        const seed = newSeed();
        file = await keyFile.sealAsync({ seed, fingerprint: args.fingerprint, trustee: args.trustee, passphrase: first.input.value });
        reply = makeAnswer(args, seed);
      } catch (err) {
        make.disabled = false;
        return fail(err);
      }
      first.input.value = '';
      second.input.value = '';
      first.box.hidden = true;
      second.box.hidden = true;
      make.hidden = true;
      fill(status, 'Your key file is made. Save it now.');

      const name = keyFileName(electionIdFromPath(location.pathname), args.trustee);
      const url = URL.createObjectURL(new Blob([`${JSON.stringify(file)}\n`], { type: 'application/json' }));
      const tick = el(doc, 'input', { type: 'checkbox', id: 'trustee-saved' });
      const go = el(doc, 'button', { type: 'button', id: 'trustee-send', disabled: true }, sendLabel('transport'));
      tick.addEventListener('change', () => {
        go.disabled = !tick.checked;
      });
      go.addEventListener('click', () => {
        if (!tick.checked || go.disabled) return;
        go.disabled = true;
        send(reply.text);
      });
      box.append(
        el(doc, 'p', {}, el(doc, 'a', { id: 'trustee-download', href: url, download: name }, `Save your key file (${name})`)),
        el(doc, 'div', { class: 'check' }, tick, el(doc, 'label', { for: 'trustee-saved' }, TEXT.saved)),
        go,
      );
    });
  }

  /** The key file and passphrase inputs; on press, open the file and send the answer. */
  function openKey(parent) {
    const file = field(doc, { id: 'trustee-key-file', label: 'Your key file', type: 'file', accept: '.key,application/json' });
    const pass = field(doc, { id: 'trustee-passphrase', label: 'Your passphrase', type: 'password', autocomplete: 'current-password' });
    const go = el(doc, 'button', { type: 'button', id: 'trustee-send' }, sendLabel(args.ask));
    const box = el(doc, 'div', { id: 'trustee-open-key' }, el(doc, 'h2', {}, 'Open your key file'), file.box, pass.box, go);
    parent.append(box);

    go.addEventListener('click', async () => {
      const chosen = file.input.files?.[0];
      if (!chosen) return say(alert, TEXT.noFile);
      say(alert, '');
      go.disabled = true;
      fill(status, TEXT.opening);
      let reply;
      try {
        const seed = await keyFile.openAsync(await chosen.text(), pass.input.value, { fingerprint: args.fingerprint, trustee: args.trustee });
        if (args.ask === 'share') {
          fill(status, 'Your key file is open. Making your decryption share…');
          await nextPaint();
        }
        reply = makeAnswer(args, seed);
      } catch (err) {
        go.disabled = false;
        return fail(err);
      }
      pass.input.value = '';
      if (reply.complaint === null) {
        fill(status, `${reply.words} Sending it…`);
        send(reply.text);
        return;
      }
      // A complaint: say which trustee's share did not check before it goes.
      fill(status);
      const complain = el(doc, 'button', { type: 'button', id: 'trustee-complain' }, 'Send the complaint');
      complain.addEventListener('click', () => {
        complain.disabled = true;
        send(reply.text);
      });
      box.append(el(doc, 'p', { id: 'trustee-complaint', role: 'alert' }, reply.words), complain);
    });
  }

  async function checkFirst() {
    fill(status, TEXT.checking);
    await nextPaint();
    let result;
    try {
      result = checkRecord(args.record);
    } catch (err) {
      return fail(err);
    }
    const box = el(
      doc,
      'div',
      { id: 'trustee-record' },
      el(doc, 'h2', {}, 'The record, checked on this device'),
      el(doc, 'ul', { id: 'trustee-checks' }, result.checks.map((c) => el(doc, 'li', {}, c))),
    );
    section.append(box);
    if (!result.ok) {
      fill(status);
      box.append(
        el(doc, 'p', {}, 'The record does not verify, so your device sends no share:'),
        el(doc, 'ul', { id: 'trustee-failures' }, result.failures.map((f) => el(doc, 'li', {}, f))),
      );
      say(alert, 'The record does not verify. Nothing was sent. Tell the other trustees and the election’s officer.');
      return;
    }
    // A record made for this trustee alone could decrypt one voter's
    // ballot: the head hash must be the one every member sees.
    fill(status, 'The record verifies. Now check it is the record everyone sees.');
    const head = field(doc, {
      id: 'trustee-head',
      label: 'The head hash the election’s page shows members (ask the other trustees too)',
      type: 'text',
      autocomplete: 'off',
    });
    const compare = el(doc, 'button', { type: 'button', id: 'trustee-head-check' }, 'Check the head hash');
    const shown = el(doc, 'p', {}, 'The record on this device ends at ', el(doc, 'code', { class: 'fingerprint' }, result.head), '.');
    const headBox = el(doc, 'div', { id: 'trustee-head-box' }, shown, head.box, compare);
    box.append(headBox);
    compare.addEventListener('click', () => {
      if (!headMatches(head.input.value, result.head)) {
        say(alert, 'That is not this record’s head hash, so your device makes no share: the record given to you may not be the one members see. Tell the other trustees and the election’s officer.');
        return;
      }
      say(alert, '');
      compare.disabled = true;
      fill(status, 'The record is the one members see. Open your key file to make your decryption share.');
      openKey(section);
    });
  }
}
