// The m in 0..=bound with m·G = target, by baby-step giant-step (as
// src/crypto/dlog.rs), or null.

import { G, IDENTITY, encodeCount, toHex } from './group.js';

export function smallLog(target, bound) {
  const step = Math.floor(Math.sqrt(bound)) + 1;
  const baby = new Map();
  let point = IDENTITY;
  for (let j = 0; j < step; j++) {
    const key = toHex(point.toBytes());
    if (!baby.has(key)) baby.set(key, j);
    point = point.add(G);
  }
  const giant = encodeCount(step);
  let current = target;
  for (let i = 0; i * step <= bound; i++) {
    const j = baby.get(toHex(current.toBytes()));
    if (j !== undefined) {
      const m = i * step + j;
      return m <= bound ? m : null;
    }
    current = current.subtract(giant);
  }
  return null;
}
