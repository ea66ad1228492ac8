// Streams a Part-10 file with encapsulated (compressed) pixel data to disk frame by frame: the
// header (every element but Pixel Data) is encoded by dcmjs, then the Pixel Data element is written
// item by item as frames arrive, so a 400-frame object never exists in memory as a whole.
import { open } from 'node:fs/promises';
import dcmjs from 'dcmjs';
import type { NaturalDataset } from './dicomWrite';

interface DcmjsData {
  data: { datasetToBuffer(dataset: NaturalDataset): Buffer };
}

/** (7FE0,0010) Pixel Data, OB, undefined length: the start of an encapsulated pixel data sequence. */
const PIXEL_DATA_START = Buffer.from([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x42, 0, 0, 0xff, 0xff, 0xff, 0xff]);
/** (FFFE,E0DD) Sequence Delimitation Item. */
const SEQUENCE_END = Buffer.from([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]);

/** Item tag (FFFE,E000) with its length. */
function itemHeader(length: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt16LE(0xfffe, 0);
  b.writeUInt16LE(0xe000, 2);
  b.writeUInt32LE(length, 4);
  return b;
}

/**
 * Writes `header` (without Pixel Data) in `transferSyntaxUid` (an encapsulated syntax: the dataset
 * itself is Explicit VR Little Endian), then one fragment per frame from `frames`, in order.
 * An empty Basic Offset Table is written: readers find frames by their fragments (one per frame).
 */
export async function writeEncapsulatedDicom(
  file: string,
  header: NaturalDataset,
  transferSyntaxUid: string,
  frames: AsyncIterable<Uint8Array>,
): Promise<number> {
  if ('PixelData' in header || 'FloatPixelData' in header) throw new Error('the header must not hold pixel data: frames are streamed after it');
  const fh = await open(file, 'wx');
  let count = 0;
  try {
    const head = (dcmjs as unknown as DcmjsData).data.datasetToBuffer({ ...header, _meta: { TransferSyntaxUID: { Value: [transferSyntaxUid] } } });
    await fh.write(Buffer.concat([head, PIXEL_DATA_START, itemHeader(0)]));
    for await (const frame of frames) {
      // Items have even lengths; a JPEG codestream may be padded after its EOI marker.
      const padded = frame.length % 2 === 0 ? frame : Buffer.concat([frame, Buffer.alloc(1)]);
      if (padded.length >= 0xffffffff) throw new RangeError(`frame ${count + 1} is too large for one fragment`);
      await fh.write(Buffer.concat([itemHeader(padded.length), padded]));
      count++;
    }
    await fh.write(SEQUENCE_END);
  } finally {
    await fh.close();
  }
  return count;
}
