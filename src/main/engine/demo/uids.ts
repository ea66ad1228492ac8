// Deterministic DICOM UIDs: a name-based (version 5 style) UUID from (seed, purpose), written as
// a decimal under the 2.25 root (PS3.5 B.2). Same seed -> same UIDs, so regenerated demo studies
// replace themselves in a PACS instead of piling up.
import { createHash } from 'node:crypto';

const NAMESPACE = 'explicare-demo-generator';

export function demoUid(seed: number, purpose: string): string {
  const digest = createHash('sha1').update(`${NAMESPACE}\0${seed}\0${purpose}`).digest();
  const bytes = digest.subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50; // version 5
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
  const value = BigInt(`0x${bytes.toString('hex')}`);
  return `2.25.${value.toString(10)}`; // at most 5 + 39 = 44 characters
}
