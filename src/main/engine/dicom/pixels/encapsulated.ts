/**
 * Locate the bytes of one frame in encapsulated (compressed) Pixel Data:
 * from the Extended or Basic Offset Table when present, otherwise one fragment
 * per frame, otherwise by spotting where each frame's codestream starts.
 */
import dicomParser, { type DataSet, type Element, type Fragment } from '../dicomParserLib';
import { DicomInputError, describeThrown } from '../errors';

/** Tells whether a fragment begins a new frame (e.g. JPEG SOI); used only when there is no offset table. */
export type FrameStartTest = (fragmentBytes: Uint8Array) => boolean;

export function readEncapsulatedFrame(
  ds: DataSet,
  pixelData: Element,
  frameIndex: number,
  numberOfFrames: number,
  isFrameStart: FrameStartTest,
): Uint8Array {
  const fragments = pixelData.fragments;
  if (!pixelData.encapsulatedPixelData || !fragments) {
    throw new DicomInputError(
      pixelData.hadUndefinedLength
        ? 'pixel data not loaded: the file was parsed with untilPixelData; parse it fully to decode'
        : 'Pixel Data is not encapsulated although the transfer syntax is a compressed one',
    );
  }
  if (fragments.length === 0) throw new DicomInputError('no pixel data (encapsulated Pixel Data has no fragments)');
  const starts = frameStartFragments(ds, pixelData, fragments, numberOfFrames, isFrameStart);
  const first = starts[frameIndex];
  const end = frameIndex + 1 < starts.length ? starts[frameIndex + 1] : fragments.length;
  try {
    return dicomParser.readEncapsulatedPixelDataFromFragments(ds, pixelData, first, end - first, fragments);
  } catch (thrown) {
    throw new DicomInputError(`corrupt encapsulated pixel data in frame ${frameIndex + 1}`, describeThrown(thrown));
  }
}

/** Index of the first fragment of every frame. */
function frameStartFragments(
  ds: DataSet,
  pixelData: Element,
  fragments: Fragment[],
  numberOfFrames: number,
  isFrameStart: FrameStartTest,
): number[] {
  const table = readExtendedOffsetTable(ds) ?? pixelData.basicOffsetTable ?? [];
  if (table.length === numberOfFrames) {
    const byOffset = new Map(fragments.map((f, i) => [f.offset, i]));
    const starts = table.map((offset) => byOffset.get(offset));
    if (starts.every((s): s is number => s !== undefined)) return starts;
    // An offset table pointing between items is corrupt; fall through to the layout heuristics.
  }
  if (numberOfFrames === 1) return [0];
  if (fragments.length === numberOfFrames) return fragments.map((_, i) => i);
  const starts: number[] = [];
  fragments.forEach((fragment, i) => {
    const head = ds.byteArray.subarray(fragment.position, fragment.position + Math.min(fragment.length, 16));
    if (isFrameStart(head)) starts.push(i);
  });
  if (starts.length === numberOfFrames && starts[0] === 0) return starts;
  throw new DicomInputError(
    `cannot locate the ${numberOfFrames} frames in encapsulated pixel data: no offset table and ${fragments.length} fragments`,
  );
}

/** (7FE0,0001) Extended Offset Table: 64-bit offsets, same meaning as the Basic Offset Table. */
function readExtendedOffsetTable(ds: DataSet): number[] | undefined {
  const element = ds.elements.x7fe00001;
  if (!element || element.length === 0 || element.length % 8 !== 0) return undefined;
  const bytes = ds.byteArray;
  const view = new DataView(bytes.buffer, bytes.byteOffset + element.dataOffset, element.length);
  const offsets: number[] = [];
  for (let at = 0; at < element.length; at += 8) offsets.push(Number(view.getBigUint64(at, true)));
  return offsets;
}
