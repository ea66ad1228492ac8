// Reads a SEG or Parametric Map onto the grid of the series it refers to, and says what it holds:
// segments with their colours, or the real-world value, units and mapping of a Parametric Map. A
// problem (another frame of reference, frames off the grid, an encoding not supported) becomes a
// refusal that names the object, so the rest of the study opens regardless.
import type { DerivedObjectSummary, VolumeInfo } from '../../../../shared/api';
import type { DataSet } from '../../dicom/dicomParserLib';
import { readImageHeader, type ImageHeader } from '../../dicom/imageHeader';
import { parseDicom } from '../../dicom/parseFile';
import { prepareFrame } from '../../dicom/pixels/decodeFrame';
import { sharedDecodePool } from '../../dicom/pixels/decodePool';
import type { DecodedFrame } from '../../dicom/pixels/types';
import { getFirstItem, getNumber, getNumbers, getSequenceItems, getString, getText } from '../../dicom/tags';
import { readRegularFile } from '../../io/readRegularFile';
import { DerivedObjectError, placeFrames, type PlacedFrame } from './derivedFrames';
import { describeDerived, type DerivedRecord } from './derivedRecord';
import { dicomLabToRgb, paletteColour } from './segmentColours';
import { readSrPoints } from './srPoints';

const LABEL_MAP_SEG = '1.2.840.10008.5.1.4.1.1.66.7';

interface Parsed {
  ds: DataSet;
  header: ImageHeader;
}

async function parse(record: DerivedRecord): Promise<Parsed> {
  const { dataSet } = parseDicom(await readRegularFile(record.path));
  return { ds: dataSet, header: readImageHeader(dataSet) };
}

/** How a Parametric Map's stored values become real ones (its Real World Value Mapping, else the rescale). */
export interface ValueMapping {
  slope: number;
  intercept: number;
  label: string;
  explanation: string;
  unit: string;
}

function mappingOf(group: DataSet | undefined): DataSet | undefined {
  return group && getFirstItem(group, 'x00409096');
}

function valueMapping(record: DerivedRecord, item: DataSet | undefined, header: ImageHeader): ValueMapping {
  if (!item) return { slope: header.rescaleSlope, intercept: header.rescaleIntercept, label: '', explanation: '', unit: header.rescaleType ?? '' };
  const slope = getNumber(item, 'x00409225', 'FD');
  const intercept = getNumber(item, 'x00409224', 'FD');
  if (slope === undefined || intercept === undefined || !Number.isFinite(slope) || !Number.isFinite(intercept)) {
    const lut = item.elements.x00409212 !== undefined;
    throw new DerivedObjectError(
      `${describeDerived(record)}: its Real World Value Mapping ${lut ? 'is a lookup table (0040,9212), which is not supported' : 'has no usable Real World Value Slope/Intercept (0040,9225/9224)'}`,
    );
  }
  const unit = getFirstItem(item, 'x004008ea');
  const unitText = unit ? (getText(unit, 'x00080104') ?? getString(unit, 'x00080100') ?? '') : '';
  return {
    slope,
    intercept,
    label: getText(item, 'x00409210') ?? '',
    explanation: getText(item, 'x00283003') ?? '',
    unit: unitText,
  };
}

function segmentsOf(ds: DataSet): NonNullable<DerivedObjectSummary['segments']> {
  return getSequenceItems(ds, 'x00620002').map((s, n) => {
    const number = getNumber(s, 'x00620004', 'US') ?? n + 1;
    const lab = getNumbers(s, 'x0062000d', 'US');
    const fromFile = lab?.length === 3;
    return { number, label: getText(s, 'x00620005') ?? `Segment ${number}`, rgb: fromFile ? dicomLabToRgb(lab) : paletteColour(number), fromFile };
  });
}

/** Checks a SEG's encoding; returns how a stored pixel becomes membership (1 = fully inside). */
function segmentEncoding(record: DerivedRecord, ds: DataSet, header: ImageHeader): number {
  const name = describeDerived(record);
  if (record.sopClassUid === LABEL_MAP_SEG)
    throw new DerivedObjectError(`${name} is a Label Map Segmentation, which is not supported (binary and fractional segmentations are)`);
  const type = getString(ds, 'x00620001');
  if (type === 'BINARY') {
    if (header.bitsAllocated !== 1) throw new DerivedObjectError(`${name}: a BINARY segmentation must have Bits Allocated 1, not ${header.bitsAllocated}`);
    return 1;
  }
  if (type === 'FRACTIONAL') {
    const max = getNumber(ds, 'x0062000e', 'US');
    if (header.bitsAllocated !== 8 || !max)
      throw new DerivedObjectError(`${name}: a FRACTIONAL segmentation needs Bits Allocated 8 and a Maximum Fractional Value (0062,000E)`);
    return max;
  }
  throw new DerivedObjectError(`${name}: Segmentation Type (0062,0001) "${type ?? ''}" is not supported (BINARY and FRACTIONAL are)`);
}

function checkPixels(record: DerivedRecord, header: ImageHeader): void {
  if (header.samplesPerPixel !== 1) throw new DerivedObjectError(`${describeDerived(record)}: ${header.samplesPerPixel} samples per pixel; a map has one`);
}

/** What the object is and whether it can be shown over the series `info`. */
export async function inspectDerived(record: DerivedRecord, info: VolumeInfo): Promise<DerivedObjectSummary> {
  const base = { uid: record.sopInstanceUid, kind: record.kind, file: record.displayName, label: record.label, notes: [] as string[] };
  try {
    const { ds, header } = await parse(record);
    if (record.kind === 'sr') {
      const points = readSrPoints(ds, info);
      return { ...base, points, notes: points.length ? [] : ['it holds no image coordinates of this series to draw'] };
    }
    checkPixels(record, header);
    const frames = placeFrames(record, header, ds, info);
    if (record.kind === 'seg') {
      segmentEncoding(record, ds, header);
      const segments = segmentsOf(ds);
      const unknown = frames.find((f) => !segments.some((s) => s.number === f.segment));
      if (unknown)
        throw new DerivedObjectError(
          `${describeDerived(record)}: frame ${unknown.frame + 1} names segment ${unknown.segment ?? '(none)'}, which the Segment Sequence does not describe`,
        );
      return { ...base, segments, notes: coverageNote(frames, info) };
    }
    const shared = getFirstItem(ds, 'x52009229');
    const m = valueMapping(record, mappingOf(frames[0]?.group) ?? mappingOf(shared), header);
    return {
      ...base,
      value: { label: m.label, explanation: m.explanation, unit: m.unit, slope: m.slope, intercept: m.intercept },
      notes: coverageNote(frames, info),
    };
  } catch (err) {
    return { ...base, refusal: refusalOf(record, err) };
  }
}

function coverageNote(frames: PlacedFrame[], info: VolumeInfo): string[] {
  const covered = new Set(frames.map((f) => f.slice)).size;
  const nz = info.geometry.dimensions[2];
  return covered < nz ? [`its frames cover ${covered} of the ${nz} slices; the others show nothing`] : [];
}

function refusalOf(record: DerivedRecord, err: unknown): string {
  if (err instanceof DerivedObjectError) return err.message;
  const reason = err instanceof Error ? err.message : String(err);
  return `${describeDerived(record)} could not be read: ${reason}`;
}

/** Frames decoding at once: enough to keep the shared pool's workers busy (as buildVolume does). */
const DECODE_WINDOW = 4;

/**
 * Decodes `frames` (compressed ones in the shared decode worker pool, a few in flight) and hands each
 * to `use` in the order given, so results do not depend on which worker finishes first.
 */
async function eachDecoded(
  header: ImageHeader,
  ds: DataSet,
  frames: PlacedFrame[],
  file: string,
  use: (f: PlacedFrame, d: DecodedFrame) => void,
): Promise<void> {
  const lease = sharedDecodePool().acquire();
  try {
    const pending: Promise<DecodedFrame>[] = [];
    const start = (f: PlacedFrame): Promise<DecodedFrame> => {
      const prepared = prepareFrame(header, ds, f.frame);
      return prepared.kind === 'decoded' ? Promise.resolve(prepared.frame) : lease.decode({ ...prepared, frameIndex: f.frame, file });
    };
    for (let i = 0; i < Math.min(DECODE_WINDOW, frames.length); i++) pending.push(start(frames[i]));
    for (let i = 0; i < frames.length; i++) {
      const decoded = await pending[i];
      if (i + DECODE_WINDOW < frames.length) pending.push(start(frames[i + DECODE_WINDOW]));
      use(frames[i], decoded);
    }
    // A failure above leaves later frames in flight; their results are dropped.
    await Promise.allSettled(pending);
  } finally {
    lease.release();
  }
}

/**
 * The object's voxels on the series grid ([z][y][x], Float32): a Parametric Map's real values; a SEG's
 * membership of `segment` (0..1), or with segment 0 the number of the segment each voxel belongs to
 * (where segments overlap, the higher number).
 */
export async function derivedMap(record: DerivedRecord, info: VolumeInfo, segment: number): Promise<Float32Array> {
  try {
    const { ds, header } = await parse(record);
    if (record.kind === 'sr') throw new DerivedObjectError(`${describeDerived(record)} is a report: it has no voxels`);
    checkPixels(record, header);
    const frames = placeFrames(record, header, ds, info);
    const [nx, ny, nz] = info.geometry.dimensions;
    const sliceSize = nx * ny;
    const out = new Float32Array(sliceSize * nz);
    if (record.kind === 'seg') {
      const max = segmentEncoding(record, ds, header);
      const wanted = segment === 0 ? frames : frames.filter((f) => f.segment === segment);
      if (segment !== 0 && !segmentsOf(ds).some((s) => s.number === segment))
        throw new DerivedObjectError(`${describeDerived(record)} has no segment ${segment}`);
      // Lower segment numbers first, so the higher one wins where segments overlap.
      const ordered = [...wanted].sort((a, b) => (a.segment ?? 0) - (b.segment ?? 0));
      await eachDecoded(header, ds, ordered, record.displayName, (f, { pixels }) => {
        const base = f.slice * sliceSize;
        for (let p = 0; p < sliceSize; p++) {
          if (pixels[p] === 0) continue;
          if (segment === 0) out[base + p] = pixels[p] * 2 >= max ? (f.segment ?? 1) : out[base + p];
          else out[base + p] = Math.max(out[base + p], pixels[p] / max);
        }
      });
      return out;
    }
    const shared = mappingOf(getFirstItem(ds, 'x52009229'));
    await eachDecoded(header, ds, frames, record.displayName, (f, { pixels }) => {
      const m = valueMapping(record, mappingOf(f.group) ?? shared, header);
      const base = f.slice * sliceSize;
      for (let p = 0; p < sliceSize; p++) out[base + p] = pixels[p] * m.slope + m.intercept;
    });
    return out;
  } catch (err) {
    throw new DerivedObjectError(refusalOf(record, err));
  }
}
