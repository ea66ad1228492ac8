/**
 * Guess how a data set is encoded when the file does not say (no Part-10 meta
 * header, or a meta header without a Transfer Syntax UID), by looking at the
 * first element the way dcmtk and pydicom do.
 */
import { TS } from './transferSyntax';

const VRS = new Set([
  'AE', 'AS', 'AT', 'CS', 'DA', 'DS', 'DT', 'FL', 'FD', 'IS', 'LO', 'LT', 'OB', 'OD', 'OF', 'OL', 'OV',
  'OW', 'PN', 'SH', 'SL', 'SQ', 'SS', 'ST', 'SV', 'TM', 'UC', 'UI', 'UL', 'UN', 'UR', 'US', 'UT', 'UV',
]);

/** First groups of real data sets are small and even: 0002 (meta), 0008, 0010, ... */
function plausibleFirstGroup(group: number): boolean {
  return group >= 0x0002 && group <= 0x00ff && group % 2 === 0;
}

/** Transfer syntax of the data set starting at `pos`, or undefined if it does not look like DICOM. */
export function sniffTransferSyntax(buf: Buffer, pos: number): string | undefined {
  if (buf.length - pos < 8) return undefined;
  const vr = buf.toString('latin1', pos + 4, pos + 6);
  const groupLE = buf.readUInt16LE(pos);
  const groupBE = buf.readUInt16BE(pos);
  if (VRS.has(vr)) {
    if (plausibleFirstGroup(groupLE)) return TS.explicitLittle;
    if (plausibleFirstGroup(groupBE)) return TS.explicitBig;
    return undefined;
  }
  const length = buf.readUInt32LE(pos + 4);
  const fits = length === 0xffffffff || length <= buf.length - pos - 8;
  return plausibleFirstGroup(groupLE) && fits ? TS.implicitLittle : undefined;
}

/** True when the bytes at `pos` start an Explicit VR Little Endian group 0002 element (a meta header without preamble). */
export function startsWithMetaGroup(buf: Buffer, pos: number): boolean {
  return buf.length - pos >= 8 && buf.readUInt16LE(pos) === 0x0002 && VRS.has(buf.toString('latin1', pos + 4, pos + 6));
}

/** Explicit VR LE bytes of (0002,0010) TransferSyntaxUID, padded to even length with NUL as UI requires. */
export function transferSyntaxElement(uid: string): Buffer {
  const value = uid.length % 2 === 0 ? uid : `${uid}\0`;
  const out = Buffer.alloc(8 + value.length);
  out.writeUInt16LE(0x0002, 0);
  out.writeUInt16LE(0x0010, 2);
  out.write('UI', 4, 'latin1');
  out.writeUInt16LE(value.length, 6);
  out.write(value, 8, 'latin1');
  return out;
}
