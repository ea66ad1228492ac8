/**
 * Typed accessors over dicom-parser data sets, so the rest of the engine never
 * touches element offsets or guesses VRs. Tags are written 'xGGGGEEEE'.
 */
import type { DataSet, Element } from './dicomParserLib';
import { textDecoderFor } from './charset';

export type NumericVr = 'US' | 'SS' | 'UL' | 'SL' | 'FL' | 'FD' | 'DS' | 'IS';

/** '(7FE0,0010)' for 'x7fe00010'. */
export function formatTag(tag: string): string {
  const hex = tag.replace(/^x/i, '').toUpperCase();
  return `(${hex.slice(0, 4)},${hex.slice(4, 8)})`;
}

export function hasElement(ds: DataSet, tag: string): boolean {
  return ds.elements[tag] !== undefined;
}

/** Trimmed string value (or one value of a multi-valued one); undefined when absent or empty. */
export function getString(ds: DataSet, tag: string, index?: number): string | undefined {
  const value = ds.elements[tag] ? ds.string(tag, index) : undefined;
  return value === undefined || value === '' ? undefined : value;
}

/** All backslash-separated values, trimmed; empty array when absent. */
export function getStrings(ds: DataSet, tag: string): string[] {
  const element = ds.elements[tag];
  if (!element || element.length === 0) return [];
  return rawLatin1(ds, element).split('\\').map((s) => s.replace(/\0/g, '').trim());
}

/** UID without the NUL padding some writers leave in. */
export function getUid(ds: DataSet, tag: string): string | undefined {
  const value = getString(ds, tag)?.replace(/\0/g, '').trim();
  return value ? value : undefined;
}

/**
 * Text in the file's character set (PN, LO, SH, ST, LT, UT, UC). Pass the root
 * data set's Specific Character Set when reading inside a sequence item.
 */
export function getText(ds: DataSet, tag: string, specificCharacterSet?: string): string | undefined {
  const element = ds.elements[tag];
  if (!element || element.length === 0) return undefined;
  const charset = specificCharacterSet ?? getString(ds, 'x00080005');
  const bytes = ds.byteArray.subarray(element.dataOffset, element.dataOffset + element.length);
  const text = textDecoderFor(charset).decode(bytes).replace(/[\0 ]+$/, '').trim();
  return text === '' ? undefined : text;
}

/**
 * One number. The element's own VR wins when the file is explicit; `vr` is what
 * the standard says the tag is, used for implicit VR files.
 */
export function getNumber(ds: DataSet, tag: string, vr: NumericVr, index = 0): number | undefined {
  const element = ds.elements[tag];
  if (!element || element.length === 0) return undefined;
  const actual = effectiveVr(element, vr);
  if (!isStringNumber(actual) && (index + 1) * BINARY_SIZE[actual] > element.length) return undefined;
  const value = readNumber(ds, tag, actual, index);
  return value === undefined || Number.isNaN(value) ? undefined : value;
}

/** All values of a numeric element (binary or DS/IS strings); undefined when absent or any value is unreadable. */
export function getNumbers(ds: DataSet, tag: string, vr: NumericVr): number[] | undefined {
  const element = ds.elements[tag];
  if (!element || element.length === 0) return undefined;
  const actual = effectiveVr(element, vr);
  const count = isStringNumber(actual) ? (ds.numStringValues(tag) ?? 0) : Math.floor(element.length / BINARY_SIZE[actual]);
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const value = readNumber(ds, tag, actual, i);
    if (value === undefined || Number.isNaN(value)) return undefined;
    out.push(value);
  }
  return out;
}

/** Numbers when exactly `length` are present (e.g. 2 for Pixel Spacing, 6 for orientation). */
export function getFixedNumbers<N extends number>(ds: DataSet, tag: string, vr: NumericVr, length: N): number[] | undefined {
  const values = getNumbers(ds, tag, vr);
  return values && values.length === length ? values : undefined;
}

/** Items of a sequence as data sets; empty when absent. */
export function getSequenceItems(ds: DataSet, tag: string): DataSet[] {
  const items = ds.elements[tag]?.items ?? [];
  return items.flatMap((item) => (item.dataSet ? [item.dataSet] : []));
}

/** First item of a sequence, if any. */
export function getFirstItem(ds: DataSet, tag: string): DataSet | undefined {
  return getSequenceItems(ds, tag)[0];
}

const BINARY_SIZE: Record<Exclude<NumericVr, 'DS' | 'IS'>, number> = { US: 2, SS: 2, UL: 4, SL: 4, FL: 4, FD: 8 };

function isStringNumber(vr: NumericVr): vr is 'DS' | 'IS' {
  return vr === 'DS' || vr === 'IS';
}

function effectiveVr(element: Element, expected: NumericVr): NumericVr {
  const vr = element.vr;
  return vr === 'US' || vr === 'SS' || vr === 'UL' || vr === 'SL' || vr === 'FL' || vr === 'FD' || vr === 'DS' || vr === 'IS'
    ? vr
    : expected;
}

function readNumber(ds: DataSet, tag: string, vr: NumericVr, index: number): number | undefined {
  switch (vr) {
    case 'US': return ds.uint16(tag, index);
    case 'SS': return ds.int16(tag, index);
    case 'UL': return ds.uint32(tag, index);
    case 'SL': return ds.int32(tag, index);
    case 'FL': return ds.float(tag, index);
    case 'FD': return ds.double(tag, index);
    case 'DS': return ds.floatString(tag, index);
    case 'IS': return ds.intString(tag, index);
  }
}

function rawLatin1(ds: DataSet, element: Element): string {
  return Buffer.from(ds.byteArray.buffer, ds.byteArray.byteOffset + element.dataOffset, element.length).toString('latin1');
}
