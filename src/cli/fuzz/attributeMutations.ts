// Mutations of single attributes to the values that broke the engine in the fuzz campaign of
// issue [K]: absurd sizes and frame counts, degenerate orientations, Infinity/NaN in geometry,
// window and rescale, impossible pixel formats. Done on dcmjs's tag dictionary so the file stays
// well-formed and only the meaning is hostile.
import dcmjs from 'dcmjs';
import type { Rng } from '../../main/engine/random';
import type { Mutation } from './byteMutations';

interface DicomDict {
  meta: Record<string, unknown>;
  dict: Record<string, { vr: string; Value: unknown[] } | undefined>;
  write(): ArrayBuffer;
}
const { DicomMessage } = (dcmjs as { data: { DicomMessage: { readFile(b: ArrayBuffer): DicomDict } } }).data;
const dcmjsLog = (dcmjs as { log: { getLevel(): number; setLevel(level: number | string): void } }).log;

/** dcmjs logs every odd VR it meets while re-encoding hostile values: quiet while mutating. */
function quietly<T>(f: () => T): T {
  const level = dcmjsLog.getLevel();
  dcmjsLog.setLevel('silent');
  try {
    return f();
  } finally {
    dcmjsLog.setLevel(level);
  }
}

type Edit = [label: string, tag: string, vr: string, values: unknown[] | null];

const DS_BAD = ['Infinity', '-Infinity', 'NaN', '1e999', '1e308', '0', '-1', '1e-320'];

/** Every hostile edit; one (or a few) are drawn per case. `null` removes the attribute. */
export const EDITS: Edit[] = [
  ['Rows 0', '00280010', 'US', [0]],
  ['Rows 1', '00280010', 'US', [1]],
  ['Rows 65535', '00280010', 'US', [65535]],
  ['Rows as UL 0xFFFFFFFF', '00280010', 'UL', [0xffffffff]],
  ['Columns 0', '00280011', 'US', [0]],
  ['Columns 65535', '00280011', 'US', [65535]],
  ['Rows removed', '00280010', 'US', null],
  ['NumberOfFrames 0', '00280008', 'IS', ['0']],
  ['NumberOfFrames -5', '00280008', 'IS', ['-5']],
  ['NumberOfFrames 100000', '00280008', 'IS', ['100000']],
  ['NumberOfFrames 2147483647', '00280008', 'IS', ['2147483647']],
  ['NumberOfFrames 1e5', '00280008', 'IS', ['1e5']],
  ['NumberOfFrames abc', '00280008', 'IS', ['abc']],
  ['IOP all zero', '00200037', 'DS', ['0', '0', '0', '0', '0', '0']],
  ['IOP row = column', '00200037', 'DS', ['1', '0', '0', '1', '0', '0']],
  ['IOP NaN', '00200037', 'DS', ['NaN', '0', '0', '0', '1', '0']],
  ['IOP Infinity', '00200037', 'DS', ['Infinity', '0', '0', '0', '1', '0']],
  ['IOP 5 values', '00200037', 'DS', ['1', '0', '0', '0', '1']],
  ...DS_BAD.map((v): Edit => [`PixelSpacing ${v}`, '00280030', 'DS', [v, '1']]),
  ...DS_BAD.map((v): Edit => [`IPP ${v}`, '00200032', 'DS', ['0', v, '0']]),
  ...DS_BAD.map((v): Edit => [`WindowCenter ${v}`, '00281050', 'DS', [v]]),
  ...DS_BAD.map((v): Edit => [`WindowWidth ${v}`, '00281051', 'DS', [v]]),
  ...DS_BAD.map((v): Edit => [`RescaleSlope ${v}`, '00281053', 'DS', [v]]),
  ...DS_BAD.map((v): Edit => [`RescaleIntercept ${v}`, '00281052', 'DS', [v]]),
  ...DS_BAD.map((v): Edit => [`SliceThickness ${v}`, '00180050', 'DS', [v]]),
  ['BitsAllocated 0', '00280100', 'US', [0]],
  ['BitsAllocated 7', '00280100', 'US', [7]],
  ['BitsAllocated 64', '00280100', 'US', [64]],
  ['BitsAllocated 65535', '00280100', 'US', [65535]],
  ['BitsStored 0', '00280101', 'US', [0]],
  ['BitsStored 64', '00280101', 'US', [64]],
  ['HighBit 99', '00280102', 'US', [99]],
  ['SamplesPerPixel 0', '00280002', 'US', [0]],
  ['SamplesPerPixel 4', '00280002', 'US', [4]],
  ['SamplesPerPixel 65535', '00280002', 'US', [65535]],
  ['PixelRepresentation 7', '00280103', 'US', [7]],
  ['Photometric PALETTE COLOR', '00280004', 'CS', ['PALETTE COLOR']],
  ['Photometric YBR_FULL_422', '00280004', 'CS', ['YBR_FULL_422']],
  ['Photometric empty', '00280004', 'CS', ['']],
  ['PlanarConfiguration 1', '00280006', 'US', [1]],
  ['PixelData removed', '7FE00010', 'OW', null],
  ['SeriesInstanceUID removed', '0020000E', 'UI', null],
  ['SOPInstanceUID empty', '00080018', 'UI', ['']],
  ['ImagePositionPatient removed', '00200032', 'DS', null],
];

const TS_EDITS = ['1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.4.90', '1.2.840.10008.1.2.5', '1.2.840.10008.1.2.1.99', '1.2.840.10008.1.2.2', '9.9.9'];

function readDict(src: Buffer): DicomDict | undefined {
  try {
    return DicomMessage.readFile(src.buffer.slice(src.byteOffset, src.byteOffset + src.byteLength) as ArrayBuffer);
  } catch {
    return undefined; // a seed dcmjs cannot read (e.g. no meta header) gets byte mutations only
  }
}

/** One to three hostile edits; undefined when dcmjs cannot round-trip the seed. */
export function mutateAttributes(src: Buffer, rng: Rng): Mutation | undefined {
  return quietly(() => mutateQuietly(src, rng));
}

function mutateQuietly(src: Buffer, rng: Rng): Mutation | undefined {
  const d = readDict(src);
  if (!d) return undefined;
  const labels: string[] = [];
  const n = rng.next() < 0.7 ? 1 : rng.int(2, 3);
  for (let i = 0; i < n; i++) {
    if (rng.next() < 0.06) {
      const ts = TS_EDITS[rng.int(0, TS_EDITS.length - 1)];
      d.meta['00020010'] = { vr: 'UI', Value: [ts] };
      labels.push(`TransferSyntax ${ts}`);
      continue;
    }
    const [label, tag, vr, values] = EDITS[rng.int(0, EDITS.length - 1)];
    if (values === null) delete d.dict[tag];
    else d.dict[tag] = { vr, Value: values };
    labels.push(label);
  }
  try {
    const bytes = Buffer.from(d.write());
    // dcmjs re-encodes some seeds (UN elements, odd RLE) into hundreds of MB: the harness, not
    // the engine, would then be what blows the memory budget. Such a case is not kept.
    return bytes.length <= 2 * src.length + 65_536 ? { bytes, label: labels.join(', ') } : undefined;
  } catch {
    return undefined;
  }
}

/** Exactly the named edit (tests and series mutations pick a specific one); throws if dcmjs cannot. */
export function applyEdit(src: Buffer, label: string): Buffer {
  return quietly(() => applyQuietly(src, label));
}

function applyQuietly(src: Buffer, label: string): Buffer {
  const d = readDict(src);
  const edit = EDITS.find((e) => e[0] === label);
  if (!d || !edit) throw new Error(`cannot apply ${label}`);
  const [, tag, vr, values] = edit;
  if (values === null) delete d.dict[tag];
  else d.dict[tag] = { vr, Value: values };
  return Buffer.from(d.write());
}
