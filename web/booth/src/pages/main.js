// The page glue's one entry: on DOMContentLoaded it looks for the booth,
// the trustee's device and the verify page, and takes over only those it
// finds. Every page works without it.

import { startBooth } from './booth.js';
import { startTrustee } from './trustee.js';
import { startVerify } from './verify.js';
import { startCredentials } from './credentials.js';
import { carryCredential } from './booth.js';

export function startPages(doc = globalThis.document, location = globalThis.location) {
  const started = [];
  const tryStart = (name, start) => {
    try {
      if (start()) started.push(name);
    } catch (err) {
      console.error(`unionhall ${name}: ${err.message}`);
    }
  };
  tryStart('booth', () => startBooth(doc));
  tryStart('trustee', () => startTrustee(doc, location));
  tryStart('verify', () => startVerify(doc));
  tryStart('credentials', () => startCredentials(doc));
  tryStart('carry', () => carryCredential(doc, location));
  return started;
}

if (typeof document !== 'undefined' && typeof window !== 'undefined') {
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => startPages());
  else startPages();
}
