// Lists the data elements of one DICOM file for the tag panel (names from dcmjs's dictionary).
import dcmjs from 'dcmjs';
import type { DataSet, Element } from 'dicom-parser';
import type { TagEntry } from '../../../shared/api';

const dictionary = (dcmjs as unknown as { data: { DicomMetaDictionary: { dictionary: Record<string, { name: string; vr: string }> } } })
  .data.DicomMetaDictionary.dictionary;

const TEXT_VRS = new Set(['AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'LO', 'LT', 'PN', 'SH', 'ST', 'TM', 'UC', 'UI', 'UR', 'UT']);
const MAX_VALUE_CHARS = 256;
const MAX_ENTRIES = 2000;

const formatTag = (hex: string): string => `(${hex.slice(1, 5).toUpperCase()},${hex.slice(5, 9).toUpperCase()})`;

function numbers(ds: DataSet, el: Element, vr: string): string {
  const size: Record<string, number> = { US: 2, SS: 2, UL: 4, SL: 4, FL: 4, FD: 8, AT: 4 };
  const n = Math.min(Math.floor(el.length / size[vr]), 16);
  const values: (number | string)[] = [];
  for (let i = 0; i < n; i++) {
    switch (vr) {
      case 'US': values.push(ds.uint16(el.tag, i)!); break;
      case 'SS': values.push(ds.int16(el.tag, i)!); break;
      case 'UL': values.push(ds.uint32(el.tag, i)!); break;
      case 'SL': values.push(ds.int32(el.tag, i)!); break;
      case 'FL': values.push(Number(ds.float(el.tag, i)!.toPrecision(7))); break;
      case 'FD': values.push(ds.double(el.tag, i)!); break;
      case 'AT': values.push(formatTag('x' + ds.attributeTag(el.tag)!.slice(1))); break;
    }
  }
  return values.join('\\') + (el.length / size[vr] > n ? '\\…' : '');
}

function valueOf(ds: DataSet, el: Element, vr: string): string {
  if (el.items) return `(sequence, ${el.items.length} item${el.items.length === 1 ? '' : 's'})`;
  if (el.tag === 'x7fe00010') return `(pixel data, ${el.encapsulatedPixelData ? 'encapsulated' : `${el.length} bytes`})`;
  if (TEXT_VRS.has(vr)) {
    const s = ds.string(el.tag) ?? '';
    return s.length > MAX_VALUE_CHARS ? s.slice(0, MAX_VALUE_CHARS) + '…' : s;
  }
  if (['US', 'SS', 'UL', 'SL', 'FL', 'FD', 'AT'].includes(vr)) return numbers(ds, el, vr);
  return `(binary, ${el.length} bytes)`;
}

export function dumpTags(ds: DataSet): TagEntry[] {
  const out: TagEntry[] = [];
  for (const el of Object.values(ds.elements)) {
    if (out.length >= MAX_ENTRIES) break;
    const tag = formatTag(el.tag);
    const entry = dictionary[tag];
    const vr = el.vr ?? entry?.vr ?? 'UN';
    const isPrivate = parseInt(el.tag.slice(1, 5), 16) % 2 === 1;
    out.push({ tag, keyword: entry?.name ?? (isPrivate ? '(private)' : '(unknown)'), vr, value: valueOf(ds, el, vr.split('|')[0]) });
  }
  return out.sort((a, b) => a.tag.localeCompare(b.tag));
}
