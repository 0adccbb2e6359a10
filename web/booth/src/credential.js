// Voting credentials (docs/crypto.md, "Credentials"), as src/crypto/credential.rs
// makes them: 16 random bytes shown as 12 BIP39 English words; the Ed25519
// seed is SHA-256("unionhall/v1/credential" ‖ entropy); a ballot is signed
// over "unionhall/v1/signature" ‖ its tracker's 32 bytes.

import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { entropyToMnemonic, mnemonicToEntropy, validateMnemonic } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { utf8, concat, toHex, fromHex } from './group.js';

const SEED_TAG = utf8('unionhall/v1/credential');
const SIGNATURE_TAG = utf8('unionhall/v1/signature');

function seedOf(entropy) {
  return sha256(concat(SEED_TAG, entropy));
}

/** A new credential: {entropy, words, publicHex}. */
export function newCredential(entropy = crypto.getRandomValues(new Uint8Array(16))) {
  const words = entropyToMnemonic(entropy, wordlist);
  return { entropy, words, publicHex: toHex(ed25519.getPublicKey(seedOf(entropy))) };
}

/**
 * Reads words as a member types them (any case, spaces, commas or dashes);
 * throws an Error whose message says what to fix.
 */
export function credentialFromWords(text) {
  const typed = String(text)
    .toLowerCase()
    .split(/[\s,-]+/)
    .filter((w) => w.length > 0);
  if (typed.length !== 12) throw new Error(`A voting credential is 12 words; this has ${typed.length}.`);
  typed.forEach((w, i) => {
    if (!wordlist.includes(w))
      throw new Error(`Word ${i + 1}, "${w}", is not one of the credential words: check its spelling on your letter.`);
  });
  const words = typed.join(' ');
  if (!validateMnemonic(words, wordlist))
    throw new Error('These 12 words are not a credential: one of them is probably mistyped. Check each against your letter.');
  return newCredential(mnemonicToEntropy(words, wordlist));
}

/** The signature (hex) of a ballot's tracker (hex) with the credential. */
export function signTracker(credential, trackerHex) {
  const message = concat(SIGNATURE_TAG, fromHex(trackerHex, 'the tracker', 32));
  return toHex(ed25519.sign(message, seedOf(credential.entropy)));
}

/**
 * Whether publicHex can be a credential: the one encoding of a curve point
 * not of small order (a small-order key's signatures need no secret).
 */
export function isValidPublic(publicHex) {
  try {
    const p = ed25519.Point.fromHex(publicHex, false);
    return !p.isSmallOrder() && p.toHex() === publicHex;
  } catch {
    return false;
  }
}

/** Whether signatureHex is publicHex's signature over trackerHex (strict). */
export function verifyTrackerSignature(publicHex, trackerHex, signatureHex) {
  if (!isValidPublic(publicHex)) return false;
  try {
    const message = concat(SIGNATURE_TAG, fromHex(trackerHex, 'the tracker', 32));
    return ed25519.verify(fromHex(signatureHex, 'the signature', 64), message, fromHex(publicHex, 'the credential', 32), {
      zip215: false,
    });
  } catch {
    return false;
  }
}
