// Serialises a dcmjs "naturalized" dataset (keywords -> values) as a Part-10 file, Explicit VR
// Little Endian. dcmjs needs `_meta` present (it fills the real meta group from the dataset).
import dcmjs from 'dcmjs';
import { writeFileAtomic } from './atomic';

export type NaturalDataset = Record<string, unknown>;

interface DcmjsData {
  data: { datasetToBuffer(dataset: NaturalDataset): Buffer };
}

const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';

/** Bulk pixel elements, the last tags of a dataset: (7FE0,0008) Float Pixel Data and (7FE0,0010) Pixel Data. */
const BULK = { FloatPixelData: { element: 0x0008, vr: 'OF' }, PixelData: { element: 0x0010, vr: undefined } } as const;

/** The raw bytes of a one-fragment native pixel value of even length (what can be appended as is). */
function rawBytes(v: unknown): Uint8Array | undefined {
  const one = Array.isArray(v) && v.length === 1 ? v[0] : undefined;
  const bytes =
    one instanceof ArrayBuffer ? new Uint8Array(one) : ArrayBuffer.isView(one) ? new Uint8Array(one.buffer, one.byteOffset, one.byteLength) : undefined;
  return bytes && bytes.byteLength % 2 === 0 ? bytes : undefined;
}

export function dicomBuffer(dataset: NaturalDataset): Buffer {
  // dcmjs encodes bulk pixel data value by value (15 s for a 400 MB float volume); the element
  // sorts last, so it is appended here as raw bytes behind dcmjs's encoding of everything else.
  const keyword = (['PixelData', 'FloatPixelData'] as const).find((k) => dataset[k] !== undefined);
  const bytes = keyword ? rawBytes(dataset[keyword]) : undefined;
  const vrMap = (dataset._vrMap ?? {}) as Record<string, string>;
  const vr = keyword && (BULK[keyword].vr ?? vrMap[keyword]);
  const rest: NaturalDataset = { ...dataset, _meta: { TransferSyntaxUID: { Value: [EXPLICIT_VR_LITTLE_ENDIAN] } } };
  if (!keyword || !bytes || !vr || bytes.byteLength >= 0xffffffff) return (dcmjs as unknown as DcmjsData).data.datasetToBuffer(rest);
  delete rest[keyword];
  const head = Buffer.alloc(12);
  head.writeUInt16LE(0x7fe0, 0);
  head.writeUInt16LE(BULK[keyword].element, 2);
  head.write(vr, 4, 'latin1');
  head.writeUInt32LE(bytes.byteLength, 8); // bytes 6-7: reserved, zero
  return Buffer.concat([(dcmjs as unknown as DcmjsData).data.datasetToBuffer(rest), head, bytes]);
}

export async function writeDicom(file: string, dataset: NaturalDataset): Promise<void> {
  await writeFileAtomic(file, dicomBuffer(dataset));
}
