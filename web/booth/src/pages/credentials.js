// The credential officer's page (/elections/{id}/credentials): makes one
// credential per roll entry on this device, offers the mail-merge file and
// printable letters (the words, and a QR code of the ballot's address with
// the words in its fragment, which the booth reads and the server never
// receives), and puts the public halves into the upload form. Without this
// script the page says how to do the same with `unionhall credentials`.

import encodeQR from 'qr';
import { newCredential } from '../credential.js';
import { el, fill } from './dom.js';

/** The mail-merge CSV: number, name, email, credential, public. */
export function handOutCsv(rows) {
  const cell = (v) => {
    const text = String(v);
    // A spreadsheet must not read a cell as a formula.
    const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
    return /[",\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  const lines = [['number', 'name', 'email', 'credential', 'public'], ...rows.map((r) => [r.number, r.name, r.email, r.words, r.publicHex])];
  return lines.map((l) => l.map(cell).join(',')).join('\n') + '\n';
}

/** The ballot's address with the credential in the fragment. */
export function letterUrl(ballotUrl, words) {
  return `${ballotUrl}#credential=${words.split(' ').join('-')}`;
}

/** One credential per roll entry, and the sorted public list. */
export function makeCredentials(roll, make = newCredential) {
  const rows = roll.map((r) => ({ ...r, ...make() }));
  const publicList = rows.map((r) => r.publicHex).sort();
  return { rows, publicList };
}

function qrCode(doc, text) {
  const box = el(doc, 'div', { class: 'qr', role: 'img', 'aria-label': 'QR code of the ballot with this credential' });
  // The SVG is the library's drawing of our own text, not page input.
  box.innerHTML = encodeQR(text, 'svg');
  return box;
}

function download(doc, name, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  return el(doc, 'a', { href: url, download: name }, name);
}

export function startCredentials(doc) {
  const maker = doc.getElementById('credential-maker');
  const rollNode = doc.getElementById('credential-roll');
  const replacer = doc.getElementById('credential-replacer');
  if (replacer) {
    const button = el(doc, 'button', { type: 'button', class: 'secondary', id: 'credential-new' }, 'Make a new credential on this device');
    const out = el(doc, 'div', { 'aria-live': 'polite' });
    button.addEventListener('click', () => {
      const c = newCredential();
      const newField = doc.querySelector('input[name="new"]');
      if (newField) newField.value = c.publicHex;
      fill(
        out,
        el(doc, 'p', {}, 'The new credential, to give the member: ', el(doc, 'strong', { id: 'credential-new-words', class: 'credential-words' }, c.words)),
        el(doc, 'p', {}, 'Write the words down or give them to the member now: once you press "Replace the credential" the page reloads and the words are gone. Its public half is in the form below.'),
      );
    });
    fill(replacer, button, out);
  }
  if (!maker || !rollNode) return Boolean(replacer);
  const roll = JSON.parse(rollNode.textContent);
  const ballotUrl = maker.dataset.ballotUrl;
  const button = el(doc, 'button', { type: 'button', id: 'credential-make' }, `Make ${roll.length} credentials on this device`);
  const out = el(doc, 'div', { 'aria-live': 'polite' });
  maker.append(button, out);
  button.addEventListener('click', () => {
    const { rows, publicList } = makeCredentials(roll);
    const keys = doc.getElementById('keys');
    if (keys) keys.value = publicList.join('\n');
    const letters = el(
      doc,
      'section',
      { id: 'credential-letters', class: 'letters' },
      rows.map((r) =>
        el(
          doc,
          'article',
          { class: 'letter' },
          el(doc, 'h2', {}, `Your voting credential: ${doc.title.replace(/^Voting credentials: /, '')}`),
          el(doc, 'p', {}, `For ${r.name} (${r.number})`),
          el(doc, 'p', {}, `To vote, sign in at ${ballotUrl} and type these 12 words where the ballot asks for your credential, or scan the code with your phone. Keep them to yourself: with your login, they are your vote.`),
          el(doc, 'p', { class: 'credential-words' }, r.words),
          qrCode(doc, letterUrl(ballotUrl, r.words)),
          el(doc, 'p', { class: 'muted' }, 'You may vote again until the close; only your last ballot counts. Lost this? Ask the credential officer for a new one before you vote.'),
        ),
      ),
    );
    const print = el(doc, 'button', { type: 'button', class: 'secondary', id: 'credential-print' }, 'Print the letters');
    print.addEventListener('click', () => doc.defaultView.print());
    button.disabled = true;
    fill(
      out,
      el(doc, 'p', { role: 'status' }, `${rows.length} credentials made. Save the mail-merge file and print the letters now: once you leave this page the words are gone, and nobody can make them again. The public halves are in the upload form below.`),
      el(doc, 'p', {}, 'Mail-merge file (keep it to yourself): ', download(doc, 'hand-out.csv', handOutCsv(rows), 'text/csv')),
      el(doc, 'div', { class: 'button-row' }, print),
      letters,
    );
  });
  return true;
}
