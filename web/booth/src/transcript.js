// The hash every proof's challenge comes from (docs/crypto.md
// "Transcripts"): SHA-512 over the tag's length (u32 big-endian) and UTF-8
// bytes, then per value one kind byte (P point, S scalar, B bytes, N number),
// the value's length (u32 big-endian) and the value. The 64-byte digest read
// little-endian and reduced modulo ℓ is the challenge.

import { sha512 } from '@noble/hashes/sha2.js';
import { u32, u64, utf8, scalarBytes, scalarFromBytesModOrder } from './group.js';

const KIND = { P: 0x50, S: 0x53, B: 0x42, N: 0x4e };

export class Transcript {
  constructor(tag) {
    const bytes = utf8(tag);
    this.hash = sha512.create();
    this.hash.update(u32(bytes.length));
    this.hash.update(bytes);
  }

  value(kind, bytes) {
    this.hash.update(new Uint8Array([kind]));
    this.hash.update(u32(bytes.length));
    this.hash.update(bytes);
    return this;
  }

  point(p) {
    return this.value(KIND.P, p.toBytes());
  }

  scalar(s) {
    return this.value(KIND.S, scalarBytes(s));
  }

  bytes(b) {
    return this.value(KIND.B, typeof b === 'string' ? utf8(b) : b);
  }

  number(n) {
    return this.value(KIND.N, u64(n));
  }

  /** The challenge scalar; the transcript can still be extended afterwards. */
  challenge() {
    return scalarFromBytesModOrder(this.hash.clone().digest());
  }
}
