// What a trustee's device computes (docs/trustees.md): the key file that
// keeps its 32-byte seed under a passphrase, the values derived from the
// seed, the three key-generation messages (transport, deal, confirm or
// complain), the checks the server and the other trustees make of them, and
// the record's `share` entry made at the close. Everything comes from the
// seed and public messages, so the seed is all a trustee keeps.

import { pbkdf2, pbkdf2Async } from '@noble/hashes/pbkdf2.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import {
  IDENTITY,
  fromHex,
  toHex,
  utf8,
  concat,
  u32,
  mod,
  baseMul,
  mul,
  pointToHex,
  keyPointFromHex,
  pointFromHex,
  scalarToHex,
  scalarFromHex,
} from './group.js';
import { Transcript } from './transcript.js';
import { proveKey, verifyKey, proveEquality } from './proofs.js';
import { trusteeContext, shareContext } from './contexts.js';
import { shareFor, committedValue } from './threshold.js';
import { add, zero } from './elgamal.js';
import { verifyRecord } from './record.js';

export const KEY_FILE_FORMAT = 'unionhall-trustee-key/1';
export const ITERATIONS = 600000;
export const MIN_PASSPHRASE_CHARS = 12;
// A file claiming more would make opening it a denial of service (as
// src/trustees/keyfile.rs).
const MAX_ITERATIONS = 10000000;
export const DERIVE_TAG = 'unionhall/v1/derive';
export const PAD_TAG = 'unionhall/v1/share-pad';
const AAD_LABEL = 'unionhall trustee key';

// ---- inputs ----

function bytes32(value, what) {
  if (value instanceof Uint8Array) {
    if (value.length !== 32) throw new Error(`${what} is not 32 bytes`);
    return value;
  }
  return fromHex(value, what, 32);
}

const isIndex = (v) => Number.isSafeInteger(v) && v >= 1 && v <= 0xffffffff;

function index(value, what) {
  if (!isIndex(value)) throw new Error(`${what} is not a trustee number (1, 2, …)`);
  return value;
}

/** n ≥ 2, and t as the record allows it: 2 ≤ t ≤ n when n > 2, else t = n. */
function checkThreshold(n, t) {
  if (!Number.isSafeInteger(n) || n < 2) throw new Error(`there must be at least 2 trustees, not ${n}`);
  if (!Number.isSafeInteger(t) || (n > 2 ? t < 2 || t > n : t !== n))
    throw new Error(`a threshold of ${t} is not allowed with ${n} trustees`);
}

/** {index: hex} → Map index → Point, with every index 1 … n present. */
function transportMap(transportKeys) {
  if (!transportKeys || typeof transportKeys !== 'object') throw new Error('the transport keys are missing');
  const keys = Object.keys(transportKeys);
  const map = new Map();
  for (const k of keys) {
    const i = Number(k);
    if (!/^[1-9][0-9]*$/.test(k) || !isIndex(i)) throw new Error(`"${k}" is not a trustee number`);
    map.set(i, keyPointFromHex(transportKeys[k], `trustee ${i}'s transport key`));
  }
  const n = map.size;
  for (let i = 1; i <= n; i++) if (!map.has(i)) throw new Error(`trustee ${i}'s transport key is missing`);
  return map;
}

const pairHex = (p) => [scalarToHex(p.c), scalarToHex(p.s)];

function pair(p, what) {
  if (!Array.isArray(p) || p.length !== 2) throw new Error(`${what} is not a [c, s] pair`);
  return { c: scalarFromHex(p[0], `${what}'s challenge`), s: scalarFromHex(p[1], `${what}'s response`) };
}

function exactMembers(msg, members, what) {
  if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) throw new Error(`${what} is not a JSON object`);
  const have = Object.keys(msg);
  const extra = have.filter((k) => !members.includes(k));
  const missing = members.filter((k) => !have.includes(k));
  if (missing.length) throw new Error(`${what} has no ${missing.join(', ')}`);
  if (extra.length) throw new Error(`${what} has members it should not: ${extra.join(', ')}`);
}

// ---- contexts ----

/** "transport" ‖ F ‖ u32(i): the key proof of a transport key. */
export function transportContext(F, i) {
  return concat(utf8('transport'), F, u32(i));
}

/** "confirm" ‖ F ‖ u32(j): the key proof of x_j behind X_j. */
export function confirmContext(F, j) {
  return concat(utf8('confirm'), F, u32(j));
}

function keyFileAad(F, i) {
  return concat(utf8(AAD_LABEL), F, u32(i));
}

// ---- the seed and the key file ----

/** 32 random bytes: everything the trustee ever computes comes from them. */
export function newSeed() {
  const seed = new Uint8Array(32);
  globalThis.crypto.getRandomValues(seed);
  return seed;
}

function random(n) {
  const b = new Uint8Array(n);
  globalThis.crypto.getRandomValues(b);
  return b;
}

function checkPassphrase(passphrase) {
  if (typeof passphrase !== 'string') throw new Error('The passphrase is not text.');
  // Characters as Unicode scalar values, as Rust's chars() counts them.
  if ([...passphrase].length < MIN_PASSPHRASE_CHARS)
    throw new Error(`Choose a passphrase of at least ${MIN_PASSPHRASE_CHARS} characters.`);
}

const stretchOpts = (iterations) => ({ c: iterations, dkLen: 32 });

function sealWith(key, seed, F, trustee, salt, nonce, iterations) {
  const sealed = chacha20poly1305(key, nonce, keyFileAad(F, trustee)).encrypt(seed);
  return {
    format: KEY_FILE_FORMAT,
    election: toHex(F),
    trustee,
    salt: toHex(salt),
    iterations,
    nonce: toHex(nonce),
    sealed: toHex(sealed),
  };
}

/** Checks a key file's shape and that it is for this election and trustee; returns its decoded parts. */
function parseKeyFile(file, F, trustee) {
  const bad = () => new Error('This is not a unionhall trustee key file.');
  if (typeof file === 'string') {
    try {
      file = JSON.parse(file);
    } catch {
      throw bad();
    }
  }
  if (!file || typeof file !== 'object' || file.format !== KEY_FILE_FORMAT) throw bad();
  if (typeof file.election !== 'string' || file.election !== toHex(F)) throw new Error('This key file is for another election.');
  if (file.trustee !== trustee)
    throw new Error(`This key file is for trustee ${file.trustee}, not trustee ${trustee}.`);
  const { iterations } = file;
  if (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > MAX_ITERATIONS) throw bad();
  try {
    return {
      salt: fromHex(file.salt, 'the salt'),
      nonce: fromHex(file.nonce, 'the nonce', 12),
      sealed: fromHex(file.sealed, 'the sealed seed', 48),
      iterations,
    };
  } catch {
    throw bad();
  }
}

function unseal(key, parts, F, trustee) {
  try {
    return chacha20poly1305(key, parts.nonce, keyFileAad(F, trustee)).decrypt(parts.sealed);
  } catch {
    throw new Error('The passphrase does not open this key file.');
  }
}

export const keyFile = {
  /**
   * The key file (a JSON object) sealing seed for trustee `trustee` of the
   * election `fingerprint`: ChaCha20-Poly1305 under
   * PBKDF2-HMAC-SHA256(passphrase, salt, 600,000, 32 bytes), associated data
   * "unionhall trustee key" ‖ F ‖ u32(trustee). Synchronous: about a second.
   */
  seal({ seed, fingerprint, trustee, passphrase }) {
    const s = bytes32(seed, 'the seed');
    const F = bytes32(fingerprint, 'the fingerprint');
    index(trustee, 'the trustee');
    checkPassphrase(passphrase);
    const salt = random(16);
    const key = pbkdf2(sha256, utf8(passphrase), salt, stretchOpts(ITERATIONS));
    return sealWith(key, s, F, trustee, salt, random(12), ITERATIONS);
  },

  /** As seal, without blocking a page (the stretching yields to the event loop). */
  async sealAsync({ seed, fingerprint, trustee, passphrase }) {
    const s = bytes32(seed, 'the seed');
    const F = bytes32(fingerprint, 'the fingerprint');
    index(trustee, 'the trustee');
    checkPassphrase(passphrase);
    const salt = random(16);
    const key = await pbkdf2Async(sha256, utf8(passphrase), salt, stretchOpts(ITERATIONS));
    return sealWith(key, s, F, trustee, salt, random(12), ITERATIONS);
  },

  /**
   * The 32-byte seed in `file` (an object or its JSON text), or an Error in
   * words: another election, another trustee, a wrong passphrase.
   */
  open(file, passphrase, { fingerprint, trustee }) {
    const F = bytes32(fingerprint, 'the fingerprint');
    const parts = parseKeyFile(file, F, trustee);
    if (typeof passphrase !== 'string') throw new Error('The passphrase does not open this key file.');
    const key = pbkdf2(sha256, utf8(passphrase), parts.salt, stretchOpts(parts.iterations));
    return unseal(key, parts, F, trustee);
  },

  async openAsync(file, passphrase, { fingerprint, trustee }) {
    const F = bytes32(fingerprint, 'the fingerprint');
    const parts = parseKeyFile(file, F, trustee);
    if (typeof passphrase !== 'string') throw new Error('The passphrase does not open this key file.');
    const key = await pbkdf2Async(sha256, utf8(passphrase), parts.salt, stretchOpts(parts.iterations));
    return unseal(key, parts, F, trustee);
  },
};

// ---- derived values ----

/** D(label, …): transcript unionhall/v1/derive over B label, B seed, B F, then the values. */
function D(seed, F, label, extend = (t) => t) {
  return extend(new Transcript(DERIVE_TAG).bytes(label).bytes(seed).bytes(F)).challenge();
}

/**
 * What the seed gives trustee-independently: the transport secret y and key
 * T = y·G, the t coefficients a_k = D("coefficient", N k) and their Feldman
 * commitments C_k = a_k·G. Secrets are bigints, points @noble Points.
 */
export function derive(seed, fingerprint, threshold) {
  const s = bytes32(seed, 'the seed');
  const F = bytes32(fingerprint, 'the fingerprint');
  if (!Number.isSafeInteger(threshold) || threshold < 1) throw new Error(`a threshold of ${threshold} is not allowed`);
  const transportSecret = D(s, F, 'transport');
  const coefficients = Array.from({ length: threshold }, (_, k) => D(s, F, 'coefficient', (t) => t.number(k)));
  return {
    transportSecret,
    transportKey: baseMul(transportSecret),
    coefficients,
    commitments: coefficients.map((a) => baseMul(a)),
  };
}

/** p_ij: transcript unionhall/v1/share-pad over B F, N i (dealer), N j (recipient), P (the shared point). */
function pad(F, dealer, recipient, shared) {
  return new Transcript(PAD_TAG).bytes(F).number(dealer).number(recipient).point(shared).challenge();
}

// ---- the three messages ----

/** Step 1: {"step": "transport", "trustee": i, "key": T_i, "proof": [c, s]}. */
export function transportMessage({ seed, fingerprint, trustee }) {
  const F = bytes32(fingerprint, 'the fingerprint');
  index(trustee, 'the trustee');
  const { transportSecret, transportKey } = derive(seed, F, 1);
  return {
    step: 'transport',
    trustee,
    key: pointToHex(transportKey),
    proof: pairHex(proveKey(transportContext(F, trustee), transportSecret)),
  };
}

/** The transport keys, with this trustee's own checked against its seed. */
function others(seed, F, trustee, threshold, transportKeys) {
  const T = transportMap(transportKeys);
  checkThreshold(T.size, threshold);
  if (!T.has(trustee)) throw new Error(`trustee ${trustee} is not one of the ${T.size} trustees`);
  const mine = derive(seed, F, threshold);
  if (!T.get(trustee).equals(mine.transportKey))
    throw new Error(`the transport key given for trustee ${trustee} is not the one this key file makes`);
  return { T, n: T.size, mine };
}

/**
 * Step 2: {"step": "deal", "trustee": i, "commitments": [C_i0 …], "proof":
 * [c, s], "shares": {"j": f_i(j) + p_ij, …}} for every other trustee j.
 */
export function dealMessage({ seed, fingerprint, trustee, threshold, transportKeys }) {
  const F = bytes32(fingerprint, 'the fingerprint');
  index(trustee, 'the trustee');
  const { T, n, mine } = others(seed, F, trustee, threshold, transportKeys);
  const shares = {};
  for (let j = 1; j <= n; j++) {
    if (j === trustee) continue;
    const p = pad(F, trustee, j, mul(T.get(j), mine.transportSecret));
    shares[String(j)] = scalarToHex(mod(shareFor(mine.coefficients, j) + p));
  }
  return {
    step: 'deal',
    trustee,
    commitments: mine.commitments.map(pointToHex),
    proof: pairHex(proveKey(trusteeContext(F, trustee), mine.coefficients[0])),
    shares,
  };
}

/** {index: deal} → Map index → deal, every index 1 … n present. */
function dealMap(deals, n) {
  if (!deals || typeof deals !== 'object') throw new Error('the deals are missing');
  const map = new Map();
  for (const [k, d] of Object.entries(deals)) map.set(Number(k), d);
  for (let i = 1; i <= n; i++) if (!map.has(i)) throw new Error(`trustee ${i}'s deal is missing`);
  if (map.size !== n) throw new Error(`there are ${map.size} deals for ${n} trustees`);
  return map;
}

/**
 * Opens every deal for trustee j: {values: Map i → f_i(j), commitments:
 * [[C_i0 …] per i], bad: the first dealer whose deal or share does not
 * check, or null}.
 */
function openDeals({ seed, fingerprint, trustee, threshold, transportKeys, deals }) {
  const F = bytes32(fingerprint, 'the fingerprint');
  index(trustee, 'the trustee');
  const { T, n, mine } = others(seed, F, trustee, threshold, transportKeys);
  const D = dealMap(deals, n);
  const own = D.get(trustee);
  const mineHex = mine.commitments.map(pointToHex);
  if (!own || !Array.isArray(own.commitments) || own.commitments.length !== threshold || own.commitments.some((c, k) => c !== mineHex[k]))
    throw new Error(`the deal given as trustee ${trustee}'s own is not the one this key file makes`);
  const values = new Map();
  const all = [];
  let bad = null;
  for (let i = 1; i <= n; i++) {
    if (i === trustee) {
      values.set(i, shareFor(mine.coefficients, trustee));
      all.push(mine.commitments);
      continue;
    }
    // A packet's deals come without their "step" member (src/trustees/packet.rs).
    const given = D.get(i);
    const deal = given && typeof given === 'object' && !('step' in given) ? { step: 'deal', ...given } : given;
    const check = checkMessage(deal, { fingerprint: F, threshold, trustees: n, trustee: i });
    if (!check.ok) {
      bad ??= { against: i, reason: check.reason };
      all.push(null);
      continue;
    }
    const C = deal.commitments.map((c, k) => keyPointFromHex(c, `trustee ${i}'s commitment ${k}`));
    const p = pad(F, i, trustee, mul(T.get(i), mine.transportSecret));
    const v = mod(scalarFromHex(deal.shares[String(trustee)], `trustee ${i}'s share for ${trustee}`) - p);
    if (!baseMul(v).equals(committedValue(C, trustee)))
      bad ??= { against: i, reason: `trustee ${i}'s share for trustee ${trustee} is not on its committed polynomial` };
    values.set(i, v);
    all.push(C);
  }
  return { F, n, values, commitments: all, bad };
}

/**
 * Step 3: {"step": "confirm", "trustee": j, "verification_key": X_j,
 * "proof": [c, s]} when every share checks, else {"step": "complain",
 * "trustee": j, "against": i} naming the first trustee whose deal or share
 * does not.
 */
export function confirmOrComplain(args) {
  const { F, values, commitments, bad } = openDeals(args);
  const j = args.trustee;
  if (bad) return { step: 'complain', trustee: j, against: bad.against };
  const x = [...values.values()].reduce((a, v) => mod(a + v), 0n);
  const X = commitments.reduce((acc, C) => acc.add(committedValue(C, j)), IDENTITY);
  if (!baseMul(x).equals(X)) throw new Error(`trustee ${j}'s secret does not match its verification key`);
  return {
    step: 'confirm',
    trustee: j,
    verification_key: pointToHex(X),
    proof: pairHex(proveKey(confirmContext(F, j), x)),
  };
}

/**
 * x_j (a bigint) rebuilt from the seed and the deals, every share checked
 * against its dealer's commitments and x_j·G against X_j = Σ_i Σ_k C_ik·j^k.
 * Throws in words if any does not check.
 */
export function secretFromDeals(args) {
  const { values, commitments, bad } = openDeals(args);
  if (bad) throw new Error(`the deals do not give this trustee's secret: ${bad.reason}`);
  const j = args.trustee;
  const x = [...values.values()].reduce((a, v) => mod(a + v), 0n);
  const X = commitments.reduce((acc, C) => acc.add(committedValue(C, j)), IDENTITY);
  if (!baseMul(x).equals(X)) throw new Error(`trustee ${j}'s secret does not match its verification key`);
  return x;
}

// ---- the page's packet ----

export const PACKET_FORMAT = 'unionhall-trustee-packet/1';

/**
 * The arguments the functions above take, from the packet the trustee page
 * hands the device (src/trustees/packet.rs: {format, election, title,
 * trustee, trustees, threshold, ask, transports: [...], deals: [...],
 * record?}, its transports and deals without their "step" member). Every
 * transport key's proof is checked. Returns {fingerprint, trustee,
 * trustees, threshold, ask, title, transportKeys, deals, record}.
 */
export function fromPacket(packet) {
  if (typeof packet === 'string') {
    try {
      packet = JSON.parse(packet);
    } catch {
      throw new Error('This is not a trustee packet from an election page.');
    }
  }
  if (!packet || typeof packet !== 'object' || packet.format !== PACKET_FORMAT)
    throw new Error('This is not a trustee packet from an election page.');
  const fingerprint = toHex(bytes32(packet.election, "the election's fingerprint"));
  const { trustee, trustees, threshold } = packet;
  index(trustee, 'the trustee');
  checkThreshold(trustees, threshold);
  if (!Array.isArray(packet.transports) || !Array.isArray(packet.deals)) throw new Error('The packet has no transport keys or deals.');
  const transportKeys = {};
  for (const t of packet.transports) {
    const msg = { step: 'transport', ...t };
    const r = checkMessage(msg, { fingerprint, trustees });
    if (!r.ok) throw new Error(`The packet's transport keys do not check: ${r.reason}`);
    transportKeys[String(t.trustee)] = t.key;
  }
  const deals = {};
  for (const d of packet.deals) deals[String(d?.trustee)] = { step: 'deal', ...d };
  return {
    fingerprint,
    trustee,
    trustees,
    threshold,
    ask: packet.ask,
    title: packet.title,
    transportKeys,
    deals,
    record: packet.record ?? null,
  };
}

// ---- checking a message ----

function checkOne(msg, { fingerprint, threshold, trustees: n, trustee, transportKeys, deals }) {
  const F = bytes32(fingerprint, 'the fingerprint');
  if (msg === null || typeof msg !== 'object') throw new Error('the message is not a JSON object');
  const what = `the ${typeof msg.step === 'string' ? msg.step : ''} message`.replace('  ', ' ');
  const i = index(msg.trustee, `${what}'s trustee`);
  if (trustee !== undefined && i !== trustee) throw new Error(`${what} is from trustee ${i}, not trustee ${trustee}`);
  if (n !== undefined && i > n) throw new Error(`${what} is from trustee ${i}; there are ${n} trustees`);
  const by = `trustee ${i}'s ${msg.step}`;
  switch (msg.step) {
    case 'transport': {
      exactMembers(msg, ['step', 'trustee', 'key', 'proof'], what);
      const T = keyPointFromHex(msg.key, `${by} key`);
      if (!verifyKey(pair(msg.proof, `${by} proof`), transportContext(F, i), T))
        throw new Error(`${by} key's proof does not check`);
      return;
    }
    case 'deal': {
      exactMembers(msg, ['step', 'trustee', 'commitments', 'proof', 'shares'], what);
      if (!Array.isArray(msg.commitments) || (threshold !== undefined && msg.commitments.length !== threshold))
        throw new Error(`${by} does not have ${threshold ?? 'its'} commitments`);
      if (msg.commitments.length < 1) throw new Error(`${by} has no commitments`);
      const C = msg.commitments.map((c, k) => keyPointFromHex(c, `${by} commitment ${k}`));
      if (!verifyKey(pair(msg.proof, `${by} proof`), trusteeContext(F, i), C[0]))
        throw new Error(`${by} proof of its first commitment does not check`);
      const s = msg.shares;
      if (!s || typeof s !== 'object' || Array.isArray(s)) throw new Error(`${by} shares are not an object`);
      const count = n ?? Object.keys(s).length + 1;
      const want = [];
      for (let j = 1; j <= count; j++) if (j !== i) want.push(String(j));
      const have = Object.keys(s);
      if (have.length !== want.length || !want.every((k) => Object.hasOwn(s, k)))
        throw new Error(`${by} shares are not one for each other trustee (${want.join(', ')})`);
      for (const k of want) scalarFromHex(s[k], `${by} share for trustee ${k}`);
      return;
    }
    case 'confirm': {
      exactMembers(msg, ['step', 'trustee', 'verification_key', 'proof'], what);
      const X = keyPointFromHex(msg.verification_key, `${by} verification key`);
      if (!verifyKey(pair(msg.proof, `${by} proof`), confirmContext(F, i), X))
        throw new Error(`${by} proof of its verification key does not check`);
      if (deals) {
        // The server and the other trustees compute X_i from the deals' commitments.
        let want = IDENTITY;
        for (const [, d] of Object.entries(deals))
          want = want.add(committedValue(d.commitments.map((c) => keyPointFromHex(c, 'a commitment')), i));
        if (!want.equals(X)) throw new Error(`${by} verification key is not the one the deals' commitments give`);
      }
      return;
    }
    case 'complain': {
      exactMembers(msg, ['step', 'trustee', 'against'], what);
      const a = index(msg.against, `${by} against`);
      if (a === i) throw new Error(`trustee ${i} complains against itself`);
      if (n !== undefined && a > n) throw new Error(`trustee ${i} complains against trustee ${a}; there are ${n} trustees`);
      return;
    }
    default:
      throw new Error(`the step ${JSON.stringify(msg.step)} is not transport, deal, confirm or complain`);
  }
}

/**
 * What the server and the other trustees check of a message: its shape
 * (exact members), points and scalars, and proofs. Options: fingerprint
 * (required); threshold, trustees (n), trustee (the sender expected), and
 * for a confirm, deals ({index: deal}) to check the verification key.
 * Returns {ok, reason}.
 */
export function checkMessage(msg, options) {
  try {
    checkOne(msg, options);
    return { ok: true, reason: null };
  } catch (err) {
    return { ok: false, reason: err.message };
  }
}

// ---- the share at the close ----

/** The record's sums recomputed from its ballots: [question][choice] → {alpha, beta}. */
function sumsFromBallots(entries, election) {
  const sums = election.questions.map((q) => q.choices.map(() => zero()));
  // With credentials only the last ballot of each counts (docs/record.md).
  const credentialed = entries.some((e) => e.type === 'credentials');
  const ballots = entries.filter((e) => e.type === 'ballot');
  const last = new Map(ballots.map((b, i) => [b.credential, i]));
  const counted = credentialed ? ballots.filter((b, i) => last.get(b.credential) === i) : ballots;
  for (const b of counted)
    b.answers.forEach((a, qi) =>
      a.choices.forEach((c, k) => {
        sums[qi][k] = add(sums[qi][k], { alpha: keyPointFromHex(c.alpha, 'an alpha'), beta: pointFromHex(c.beta, 'a beta') });
      }),
    );
  return sums;
}

/**
 * The record's `share` entry for this trustee ({trustee, questions}; the
 * server adds seq, prev and type), made only after the record verifies,
 * its sums are recomputed here from its ballots, the deals match the
 * record's trustee commitments and x_j·G = X_j. Arguments: {record (text or
 * bytes), seed, trustee, transportKeys, deals}; fingerprint and threshold
 * come from the record (if given they must agree). Throws in words.
 */
export function shareEntry({ record, seed, fingerprint, trustee, threshold, transportKeys, deals }) {
  index(trustee, 'the trustee');
  const report = verifyRecord(record);
  if (!report.ok) throw new Error(`The record does not verify, so no share is given: ${report.failures.join('; ')}`);
  const text = typeof record === 'string' ? record : new TextDecoder().decode(record);
  const entries = text.split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l));
  const election = entries[0];
  const F = fromHex(report.fingerprint, 'the fingerprint', 32);
  if (fingerprint !== undefined && toHex(bytes32(fingerprint, 'the fingerprint')) !== report.fingerprint)
    throw new Error('The record is for another election.');
  const t = election.threshold;
  if (threshold !== undefined && threshold !== t) throw new Error(`The record's threshold is ${t}, not ${threshold}.`);
  if (trustee > election.trustees) throw new Error(`The record has ${election.trustees} trustees; there is no trustee ${trustee}.`);
  const sumsEntry = entries.find((e) => e.type === 'sums');
  if (!sumsEntry) throw new Error('The record has no sums yet: the vote has not closed.');
  if (entries.some((e) => e.type === 'result')) throw new Error('The record already has its result.');
  if (entries.some((e) => e.type === 'share' && e.trustee === trustee))
    throw new Error(`Trustee ${trustee} has already given its share.`);

  // The sums, recomputed here from the ballots.
  const sums = sumsFromBallots(entries, election);
  sumsEntry.questions.forEach((q, qi) =>
    q.choices.forEach((c, k) => {
      if (c.alpha !== pointToHex(sums[qi][k].alpha) || c.beta !== pointToHex(sums[qi][k].beta))
        throw new Error(`The record's sum for question ${qi + 1} choice ${k + 1} is not the sum of its ballots.`);
    }),
  );

  // The deals must be the key generation the record holds.
  const trustees = entries.filter((e) => e.type === 'trustee');
  for (const tr of trustees) {
    const d = deals?.[tr.index] ?? deals?.[String(tr.index)];
    if (!d || JSON.stringify(d.commitments) !== JSON.stringify(tr.commitments))
      throw new Error(`Trustee ${tr.index}'s deal is not the one whose commitments are in the record.`);
  }
  const x = secretFromDeals({ seed, fingerprint: F, trustee, threshold: t, transportKeys, deals });
  const X = trustees.reduce(
    (acc, tr) => acc.add(committedValue(tr.commitments.map((c) => keyPointFromHex(c, 'a commitment')), trustee)),
    IDENTITY,
  );
  if (!baseMul(x).equals(X)) throw new Error(`This key file's secret is not trustee ${trustee}'s in the record.`);

  return {
    trustee,
    questions: sums.map((row, qi) => ({
      question: qi + 1,
      choices: row.map((ct, k) => {
        const p = proveEquality(shareContext(F, trustee, qi + 1, k + 1), x, ct.alpha);
        return { share: pointToHex(mul(ct.alpha, x)), proof: pairHex(p) };
      }),
    })),
  };
}
