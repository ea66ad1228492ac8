// UIDs of derived objects: name-based 2.25 UIDs from (source series, result creation time, purpose),
// so exporting the same result again replaces its objects in a PACS instead of duplicating them.
import { createHash } from 'node:crypto';

export function derivedUid(...parts: string[]): string {
  const d = createHash('sha256').update(`explicare-derived\0${parts.join('\0')}`).digest().subarray(0, 16);
  d[6] = (d[6] & 0x0f) | 0x80;
  d[8] = (d[8] & 0x3f) | 0x80;
  return `2.25.${BigInt(`0x${d.toString('hex')}`).toString(10)}`;
}

/** DICOM DA and TM of a date (local time, as DICOM expects). */
export function dicomDateTime(d: Date): { date: string; time: string } {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return { date: `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}`, time: `${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}` };
}
