// The verify page, /elections/{id}/verify: the record is fetched and
// checked in this browser, so a visitor need not trust the server's own
// check (which the page shows without this script).

import { el, fill, nextPaint } from './dom.js';
import { verifyInWords } from './verify-logic.js';

export function startVerify(doc, fetchImpl = globalThis.fetch) {
  const setupNode = doc.getElementById('verify-setup');
  const result = doc.getElementById('verify-result');
  if (!setupNode || !result) return false;
  let setup;
  try {
    setup = JSON.parse(setupNode.textContent);
    if (typeof setup.record_url !== 'string' || !setup.record_url.startsWith('/') || setup.record_url.startsWith('//'))
      throw new Error('no record address');
  } catch {
    return false;
  }
  const form = doc.getElementById('verify-tracker');
  const input = form?.querySelector('input[name="tracker"]');

  let running = 0;
  async function run() {
    const mine = ++running;
    result.setAttribute('aria-busy', 'true');
    fill(result, el(doc, 'p', { role: 'status' }, 'Checking the record in your browser…'));
    let view;
    try {
      const response = await fetchImpl(setup.record_url, { mode: 'same-origin', credentials: 'include', cache: 'no-store' });
      if (!response.ok) throw new Error(`The record could not be fetched (the server answered ${response.status}).`);
      const bytes = new Uint8Array(await response.arrayBuffer());
      await nextPaint();
      view = verifyInWords(bytes, input ? input.value : '');
    } catch (err) {
      if (mine !== running) return;
      result.removeAttribute('aria-busy');
      fill(result, el(doc, 'p', { role: 'alert' }, `Your browser could not check the record: ${err.message}`));
      return;
    }
    if (mine !== running) return;
    result.removeAttribute('aria-busy');
    fill(
      result,
      el(doc, 'p', {}, el(doc, 'strong', {}, view.heading)),
      el(doc, 'ul', { class: 'verify-checks' }, view.checks.map((c) => el(doc, 'li', {}, c))),
      view.failures.length
        ? [el(doc, 'p', {}, 'What fails:'), el(doc, 'ul', { class: 'verify-failures' }, view.failures.map((f) => el(doc, 'li', {}, f)))]
        : null,
      el(doc, 'p', { class: view.ok ? 'verify-ok' : 'verify-bad' }, view.summary),
      view.tracker ? el(doc, 'p', { class: view.trackerFound ? 'verify-found' : 'verify-not-found' }, view.tracker) : null,
      el(doc, 'p', {}, 'The record’s head hash: ', el(doc, 'code', { class: 'head-hash' }, view.head)),
    );
  }

  form?.addEventListener('submit', (event) => {
    event.preventDefault();
    run();
  });
  run();
  return true;
}
