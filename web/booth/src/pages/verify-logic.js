// The verify page's pure part: a record checked in the browser, in words.

import { verifyRecord } from '../record.js';
import { checkWords } from './trustee-logic.js';

/** A typed tracker, trimmed and in lower case ('' when none was typed). */
export function normalizeTracker(text) {
  return String(text ?? '').trim().toLowerCase();
}

/**
 * Runs verifyRecord(text, {tracker}) and says what it found:
 * {ok, heading, checks: [words], failures: [words], summary, tracker:
 * words or null, trackerFound: true/false/null, head}.
 */
export function verifyInWords(text, tracker = '') {
  const t = normalizeTracker(tracker);
  const report = verifyRecord(text, t ? { tracker: t } : {});
  const checks = report.checks.filter((c) => c.name !== 'tracker');
  let trackerWords = null;
  let trackerFound = null;
  if (t) {
    trackerFound = report.checks.some((c) => c.name === 'tracker' && c.ok);
    trackerWords = trackerFound
      ? `A ballot with the tracker ${t} is in the record.`
      : `No ballot in the record has the tracker ${t}.`;
  }
  const failures = report.failures.filter((f) => !(t && f === `no ballot in the record has the tracker ${t}`));
  let summary;
  if (failures.length > 0) summary = `The record does not verify: ${failures.length === 1 ? 'one check fails' : `${failures.length} checks fail`}.`;
  else if (report.complete) summary = 'The record verifies, and it is complete: it ends in its result.';
  else summary = 'The record verifies as far as it goes. It is still being written.';
  return {
    ok: failures.length === 0,
    heading: 'Checked in your browser:',
    checks: checks.map(checkWords),
    failures,
    summary,
    tracker: trackerWords,
    trackerFound,
    head: report.head,
  };
}
