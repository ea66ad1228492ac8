// Decodes a series, slice by slice, into one voxel buffer with its geometry (the engine's Volume).
import type { VolumeInfo, VoxelType } from '../../../shared/api';
import { geometryFromSlices } from '../../../shared/geometry';
import { DicomInputError, parseDicom } from '../dicom/parseFile';
import { formatBytes, readRegularFile } from '../io/readRegularFile';
import { prepareFrame } from '../dicom/pixels/decodeFrame';
import { sharedDecodePool } from '../dicom/pixels/decodePool';
import type { DecodedFrame } from '../dicom/pixels/types';
import type { ImageHeader } from '../dicom/imageHeader';
import { seriesKind, type SeriesRecord } from '../study/catalog';
import { listReasons } from '../study/noImageMessage';
import { orderSlices, type FrameRef } from './sliceOrder';
import { VoxelStore, type VoxelArray } from './voxelStore';

export interface Volume {
  info: VolumeInfo;
  voxels: VoxelArray;
}

/**
 * Most memory one volume may take (voxels at up to 4 bytes, as a store may widen to float32),
 * checked before allocating: declared sizes are believed only within this budget.
 */
export const VOLUME_BUDGET_BYTES = 2 * 1024 ** 3;

/** Frames decoding at once for one volume: enough to keep a pool of two workers busy. */
const DECODE_WINDOW = 4;

export interface BuildProgress {
  (done: number, total: number): void;
}

/** Rescaled value range that the stored bits allow, used to pick the voxel type before decoding. */
function rescaledRange(h: ImageHeader): [number, number] {
  const bits = h.bitsStored || h.bitsAllocated;
  const [lo, hi] = h.pixelRepresentation === 1 ? [-(2 ** (bits - 1)), 2 ** (bits - 1) - 1] : [0, 2 ** bits - 1];
  const a = lo * h.rescaleSlope + h.rescaleIntercept;
  const b = hi * h.rescaleSlope + h.rescaleIntercept;
  return [Math.min(a, b), Math.max(a, b)];
}

function chooseVoxelType(h: ImageHeader): VoxelType {
  if (!Number.isInteger(h.rescaleSlope) || !Number.isInteger(h.rescaleIntercept)) return 'float32';
  if (h.bitsAllocated > 16) return 'float32';
  const [lo, hi] = rescaledRange(h);
  if (lo >= 0 && hi <= 255) return 'uint8';
  if (lo >= 0 && hi <= 65535) return 'uint16';
  // CT stored as signed 16 bit with an intercept may overflow int16 in theory but rarely does;
  // VoxelStore widens to float32 if a real value does not fit.
  return 'int16';
}

function groupByFile(frames: FrameRef[]): Map<string, { k: number; frame: FrameRef }[]> {
  const byFile = new Map<string, { k: number; frame: FrameRef }[]>();
  frames.forEach((frame, k) => {
    const list = byFile.get(frame.instance.path) ?? [];
    list.push({ k, frame });
    byFile.set(frame.instance.path, list);
  });
  return byFile;
}

export async function buildVolume(series: SeriesRecord, progress?: BuildProgress): Promise<Volume> {
  const order = orderSlices(series.instances);
  const warnings = [...order.warnings];
  const first = order.frames[0].instance.header;
  const { rows, columns } = first;
  const sliceLength = rows * columns;

  const spacingSource = first.pixelSpacing ? 'PixelSpacing' : first.imagerPixelSpacing ? 'ImagerPixelSpacing' : 'none';
  const pixelSpacing = (first.pixelSpacing ?? first.imagerPixelSpacing ?? [1, 1]) as [number, number];
  if (spacingSource === 'none') warnings.push('No pixel spacing in the file: distances are in pixels, not mm.');
  if (spacingSource === 'ImagerPixelSpacing') {
    warnings.push('Distances use ImagerPixelSpacing (at the detector); they include the geometric magnification of the projection.');
  }

  const budget = sliceLength * order.frames.length * 4;
  if (budget > VOLUME_BUDGET_BYTES) {
    throw new DicomInputError(
      `${order.frames[0].instance.displayName}: the series declares ${order.frames.length} slices of ${columns} x ${rows} (up to ${formatBytes(budget)}), above the ${formatBytes(VOLUME_BUDGET_BYTES)} memory budget for one volume`,
    );
  }
  // Values the scan dropped as unusable, one warning per kind of problem, naming a file that has it.
  const notes = new Map<string, string[]>();
  for (const i of series.instances) for (const note of i.header.notes ?? []) notes.set(note, [...(notes.get(note) ?? []), i.displayName]);
  for (const [note, files] of notes) warnings.push(`${files[0]}${files.length > 1 ? ` (and ${files.length - 1} more files)` : ''}: ${note}.`);

  const monochrome1 = first.photometricInterpretation === 'MONOCHROME1';
  const [rlo, rhi] = rescaledRange(first);
  const invertAround = monochrome1 ? rlo + rhi : undefined;
  let store: VoxelStore;
  try {
    store = new VoxelStore(chooseVoxelType(first), sliceLength * order.frames.length);
  } catch (err) {
    throw new DicomInputError(`${order.frames[0].instance.displayName}: ${err instanceof Error ? err.message : String(err)}`);
  }

  const failed: { k: number; file: string; reason: string; message: string }[] = [];
  let done = 0;
  const place = (k: number, frame: FrameRef, decoded: DecodedFrame): void => {
    const h = frame.instance.header;
    if (decoded.pixels.length !== sliceLength) throw new DicomInputError(`decoded frame has ${decoded.pixels.length} pixels, expected ${sliceLength}`);
    const fg = h.frames?.[frame.frameIndex];
    store.writeSlice(k * sliceLength, decoded.pixels, fg?.rescaleSlope ?? h.rescaleSlope, fg?.rescaleIntercept ?? h.rescaleIntercept, invertAround);
  };
  // Compressed frames are decoded in the shared worker pool, a few at a time (bounded, so a large
  // series never queues all its codestreams at once); slices land at their own offset, so the
  // result does not depend on the order in which they finish.
  const lease = sharedDecodePool().acquire();
  const inFlight = new Set<Promise<void>>();
  try {
    for (const [file, entries] of groupByFile(order.frames)) {
      const name = entries[0].frame.instance.displayName;
      let buffer: Buffer;
      try {
        buffer = await readRegularFile(file);
      } catch {
        throw new DicomInputError(`${name}: the file can no longer be read (moved, deleted or replaced since it was opened)`);
      }
      let ds;
      try {
        ds = parseDicom(buffer).dataSet;
      } catch (err) {
        throw new DicomInputError(`${name}: ${err instanceof DicomInputError ? err.reason : 'unreadable'} (the file changed since it was opened?)`);
      }
      for (const { k, frame } of entries) {
        let decoding: Promise<DecodedFrame>;
        try {
          const prepared = prepareFrame(frame.instance.header, ds, frame.frameIndex);
          decoding = prepared.kind === 'decoded'
            ? Promise.resolve(prepared.frame)
            : lease.decode({ ...prepared, frameIndex: frame.frameIndex, file: name });
        } catch (err) {
          decoding = Promise.reject(err);
        }
        const settled: Promise<void> = decoding
          .then((decoded) => place(k, frame, decoded))
          .catch((err: unknown) => {
            // One corrupt slice must not hide the rest of the series: it stays blank, and the user is told.
            const reason = err instanceof DicomInputError ? err.reason : err instanceof Error ? err.message : String(err);
            failed.push({ k, file: name, reason, message: `Slice ${k + 1} (${name}) could not be decoded: ${reason}. It is shown blank.` });
          })
          .finally(() => {
            inFlight.delete(settled);
            progress?.(++done, order.frames.length);
          });
        inFlight.add(settled);
        while (inFlight.size >= DECODE_WINDOW) await Promise.race(inFlight);
      }
    }
    await Promise.all(inFlight);
  } finally {
    // Frames still in flight after a thrown error settle on their own; their results are dropped.
    lease.release();
  }
  failed.sort((a, b) => a.k - b.k);

  if (failed.length === order.frames.length) {
    // Nothing to show: say why for each file, not only for the first slice.
    const slices = `${failed.length} slice${failed.length === 1 ? '' : 's'}`;
    throw new DicomInputError(`No slice of the series could be decoded (${slices}): ${listReasons(failed)}.`);
  }
  for (const f of failed) {
    store.fillSlice(f.k * sliceLength, sliceLength);
    warnings.push(f.message);
  }

  const geometry = geometryFromSlices({
    columns,
    rows,
    pixelSpacing,
    imageOrientation: order.orientation,
    firstPosition: order.firstPosition,
    sliceCount: order.frames.length,
    sliceSpacing: order.sliceSpacing,
  });

  const isCt = first.modality === 'CT';
  const [wc, ww] = [first.windowCenter?.[0], first.windowWidth?.[0]];
  let window = wc !== undefined && ww !== undefined && ww > 0
    ? { center: wc, width: ww }
    : isCt ? { center: 40, width: 400 } : { center: (store.min + store.max) / 2, width: Math.max(1, store.max - store.min) };
  if (monochrome1 && invertAround !== undefined) window = { center: invertAround - window.center, width: window.width };

  const info: VolumeInfo = {
    seriesUid: series.uid,
    studyUid: series.studyUid,
    frameOfReferenceUid: first.frameOfReferenceUid ?? '',
    modality: first.modality ?? 'OT',
    kind: seriesKind(series),
    geometry,
    voxelType: store.type,
    unit: isCt ? 'HU' : 'raw',
    invertedFromMonochrome1: monochrome1,
    window,
    range: { min: store.min, max: store.max },
    pixelSpacingSource: spacingSource,
    sopInstanceUids: order.frames.map((f) => f.instance.sopInstanceUid),
    warnings,
  };
  return { info, voxels: store.data };
}
