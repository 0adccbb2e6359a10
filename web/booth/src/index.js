// The browser bundle's entry: window.UnionhallBooth.

export { Transcript } from './transcript.js';
export * as group from './group.js';
export { proveKey, verifyKey, proveEquality, verifyEquality, proveRange, verifyRange } from './proofs.js';
export { encryptBallot, verifyBallot, revealCheck, tracker } from './ballot.js';
export { verifyRecord, lineHash } from './record.js';
export {
  newSeed,
  keyFile,
  derive,
  transportMessage,
  dealMessage,
  confirmOrComplain,
  checkMessage,
  secretFromDeals,
  shareEntry,
  fromPacket,
} from './trustee.js';
// The page glue (booth, trustee's device, verify page), started on DOMContentLoaded.
export { startPages } from './pages/main.js';
