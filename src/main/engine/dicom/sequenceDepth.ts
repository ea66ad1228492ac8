/**
 * How deeply sequences nest in a data set, found without recursion. dicom-parser reads nested
 * sequences recursively: a few thousand levels (a few kilobytes of hostile bytes) overflow the
 * stack, and the error then names whatever element happened to be read last. This walk reads only
 * element headers, keeps its own stack, and stops at the limit naming the top-level element.
 */
import { formatTag } from './tags';

/** Real objects (SR content trees included) stay far below this. */
export const MAX_SEQUENCE_DEPTH = 100;

const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT', 'SV', 'UV']);
const ITEM = 0xfffee000;
const ITEM_END = 0xfffee00d;
const SEQUENCE_END = 0xfffee0dd;
const UNDEFINED = 0xffffffff;

/** The top-level element whose sequences nest deeper than `limit`, or undefined (also for anything it cannot follow). */
export function tooDeeplyNested(bytes: Uint8Array, start: number, explicit: boolean, limit = MAX_SEQUENCE_DEPTH): { tag: string; depth: number } | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const open: { sequence: boolean; end: number }[] = []; // open sequences and items (end: Infinity when undefined length)
  let sequences = 0;
  const close = () => {
    if (open.pop()?.sequence) sequences--;
  };
  let topTag = '';
  let at = start;
  while (at + 8 <= bytes.length) {
    while (open.length > 0 && at >= open[open.length - 1].end) close(); // defined lengths that ended
    const tag = ((view.getUint16(at, true) << 16) | view.getUint16(at + 2, true)) >>> 0;
    if (tag === ITEM || tag === ITEM_END || tag === SEQUENCE_END) {
      const length = view.getUint32(at + 4, true);
      at += 8;
      if (tag === ITEM) open.push({ sequence: false, end: length === UNDEFINED ? Infinity : at + length });
      else if (tag === ITEM_END) {
        if (open.length > 0 && !open[open.length - 1].sequence) close();
      } else {
        if (open.length > 0 && !open[open.length - 1].sequence) close();
        if (open.length > 0) close();
      }
      continue;
    }
    if (open.length === 0) topTag = `x${tag.toString(16).padStart(8, '0')}`;
    let length: number;
    let sequence: boolean;
    if (explicit) {
      const vr = String.fromCharCode(bytes[at + 4], bytes[at + 5]);
      const long = LONG_VRS.has(vr);
      if (long && at + 12 > bytes.length) return undefined;
      length = long ? view.getUint32(at + 8, true) : view.getUint16(at + 6, true);
      at += long ? 12 : 8;
      sequence = vr === 'SQ' || (length === UNDEFINED && vr === 'UN');
    } else {
      length = view.getUint32(at + 4, true);
      at += 8;
      // Implicit VR: what dicom-parser treats as a sequence (undefined length, or an item tag next).
      sequence = length === UNDEFINED || (at + 4 <= bytes.length && view.getUint16(at, true) === 0xfffe && view.getUint16(at + 2, true) === 0xe000);
    }
    if (sequence) {
      if (++sequences > limit) return { tag: topTag, depth: sequences };
      open.push({ sequence: true, end: length === UNDEFINED ? Infinity : at + length });
      continue;
    }
    if (length === UNDEFINED) return undefined; // encapsulated pixel data: nothing nests after it
    at += length;
  }
  return undefined;
}

export function describeTooDeep(found: { tag: string; depth: number }): string {
  return `sequences nested more than ${MAX_SEQUENCE_DEPTH} levels deep inside element ${formatTag(found.tag)}`;
}

/** Where the data set starts and the Transfer Syntax UID the meta group declares (Part-10 files; else 0). */
export function dataSetStart(bytes: Uint8Array): { start: number; transferSyntaxUid?: string } {
  if (bytes.length < 132 || String.fromCharCode(bytes[128], bytes[129], bytes[130], bytes[131]) !== 'DICM') return { start: 0 };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 132;
  let transferSyntaxUid: string | undefined;
  while (at + 8 <= bytes.length && view.getUint16(at, true) === 0x0002) {
    const long = LONG_VRS.has(String.fromCharCode(bytes[at + 4], bytes[at + 5]));
    if (long && at + 12 > bytes.length) break;
    const length = long ? view.getUint32(at + 8, true) : view.getUint16(at + 6, true);
    const value = at + (long ? 12 : 8);
    if (view.getUint16(at + 2, true) === 0x0010 && value + length <= bytes.length) {
      transferSyntaxUid = Buffer.from(bytes.buffer, bytes.byteOffset + value, length).toString('latin1').replace(/[\0 ]+$/, '');
    }
    at = value + length;
  }
  return { start: at, transferSyntaxUid };
}
