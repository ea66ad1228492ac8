// The export's one pass over its maps. Each method's map on the study grid is loaded (read from its
// NIfTI or resampled from the model grid) while no other one is in memory, and everything the export
// needs of the whole map is taken from it then: slice masses (the shared key slice), the overlay's
// colour range, the SEG region as bits and the value range of the Parametric Map. The map is then
// parked in a scratch file beside the staging folder, from which the key slice and the PM's frames
// are read back one slice at a time; the last map stays in memory (nothing is loaded after it).
// Holding every map at once made two 400-slice float32 maps 800 MB of a 1.26 GB peak.
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Geometry } from '../../../shared/geometry';
import { type OverlayScale, overlayScale } from '../../../shared/overlayScale';
import { type BitMask, maskWhere, topRegionMask } from './bitMask';
import { type MapVolume, sameGrid, sliceMass } from './keyImages';
import { ReportError } from './resultFile';

/** A method's main map on the study grid, made or read when asked (exportInput.ts). */
export interface MapSource {
  load(): Promise<MapVolume>;
}

/** What the DICOM objects need of a whole map (computed only when they are written). */
export interface MapDicomSummary {
  /** The SEG segment: the significant region, or the map's top `topPercent`%. */
  mask: BitMask;
  /** Smallest and largest value (the Parametric Map's quantization). */
  range: [number, number];
}

export interface HeldMap {
  method: string;
  /** Positive mass of each slice (keyImages.ts sliceMass). */
  masses: number[];
  /** The key images' colour range of the whole map. */
  scale: OverlayScale;
  dicom?: MapDicomSummary;
  /** Slice k (nx * ny values, NIfTI order), from memory or the scratch file. */
  slice(k: number): Promise<ArrayLike<number>>;
  /** Lets go of the map (memory or scratch file). */
  release(): Promise<void>;
}

type Typed = Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;
type TypedCtor = new (length: number) => Typed;

/** Smallest and largest value; refuses NaN and infinities (they have no stored integer). */
export function finiteRange(data: ArrayLike<number>, method: string): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isFinite(v)) throw new RangeError(`the ${method} map has a non-finite value at voxel ${i}`);
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return data.length ? [lo, hi] : [0, 0];
}

const sliceOf = (data: ArrayLike<number>, from: number, to: number): ArrayLike<number> =>
  ArrayBuffer.isView(data) ? (data as Typed).subarray(from, to) : Array.from({ length: to - from }, (_, i) => data[from + i]);

/** The map's values as they are in memory (a plain array as float64, which holds every number exactly). */
const typedOf = (data: ArrayLike<number>): Typed => (ArrayBuffer.isView(data) ? (data as Typed) : Float64Array.from(data));

/**
 * Writes `bytes` with as few write calls as the system allows (one for a 420 MB map on Linux): each
 * runs whole on libuv's pool, so the file is written while this thread goes on computing. (writeFile
 * writes 512 KB chunks, each of which waits for this thread to start the next.)
 */
async function writeWhole(file: string, bytes: Uint8Array): Promise<void> {
  const handle = await open(file, 'wx');
  try {
    for (let at = 0; at < bytes.length; ) at += (await handle.write(bytes, at, bytes.length - at, at)).bytesWritten;
  } finally {
    await handle.close();
  }
}

/** Scratch files of parked maps: one hidden folder in the output folder, removed by `close`. */
export class MapScratch {
  private constructor(private readonly dir: string) {}

  static async open(out: string): Promise<MapScratch> {
    return new MapScratch(await mkdtemp(path.join(out, '.explicare-maps-')));
  }

  /** Writes the map's raw values; its slices are read back in the same type, bit for bit. */
  async park(n: number, data: ArrayLike<number>, sliceSize: number): Promise<{ slice(k: number): Promise<Typed>; close(): Promise<void> }> {
    const typed = typedOf(data);
    const file = path.join(this.dir, `map-${n}.raw`);
    await writeWhole(file, new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength));
    const Ctor = typed.constructor as TypedCtor;
    const bytes = sliceSize * typed.BYTES_PER_ELEMENT;
    let handle: FileHandle | undefined = await open(file, 'r');
    return {
      async slice(k) {
        if (!handle) throw new Error('the parked map was released');
        const out = new Ctor(sliceSize);
        const { bytesRead } = await handle.read(new Uint8Array(out.buffer), 0, bytes, k * bytes);
        if (bytesRead !== bytes) throw new Error(`the parked map ${n} ends before slice ${k}`);
        return out;
      },
      async close() {
        await handle?.close();
        handle = undefined;
        await rm(file, { force: true });
      },
    };
  }

  async close(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

export interface MapPassArgs {
  maps: { method: string; source: MapSource; region: boolean }[];
  study: Geometry;
  /** The DICOM objects are written: SEG masks and PM ranges are needed. */
  dicom: boolean;
  topPercent: number;
  scratch: MapScratch;
  /** Called before each map is loaded (cancellation). */
  check?: () => void;
}

/** Loads every map once, one at a time, in the given order; see the top of this file. */
export async function passOverMaps(a: MapPassArgs): Promise<HeldMap[]> {
  const held: HeldMap[] = [];
  try {
    for (const [n, m] of a.maps.entries()) {
      a.check?.();
      held.push(await holdMap(a, n, m));
    }
    return held;
  } catch (err) {
    for (const h of held) await h.release();
    throw err;
  }
}

/**
 * One map: loaded, summarized, parked (or kept, the last one). Its own function, so that nothing
 * refers to a parked map's values once it returns: a suspended loop would keep them alive while
 * the next map loads, and two maps would be in memory again.
 */
async function holdMap(a: MapPassArgs, n: number, { method, source, region }: MapPassArgs['maps'][number]): Promise<HeldMap> {
  const [nx, ny, nz] = a.study.dimensions;
  const sliceSize = nx * ny;
  let map: MapVolume | undefined = await source.load();
  if (map.data.length !== sliceSize * nz) throw new ReportError(`map of ${method} has ${map.data.length} voxels, the series ${sliceSize * nz}`);
  if (!sameGrid(a.study, map.geometry)) throw new Error('the saliency map is not on the study grid (was it computed for another series?)');
  // Parked while this thread takes the summaries from the same values (the write runs on libuv's
  // pool): on a 2-core machine the 3 s of writing a 420 MB map mostly hide behind them.
  const parking = n < a.maps.length - 1 ? a.scratch.park(n, map.data, sliceSize) : undefined;
  let summary;
  try {
    const range = a.dicom ? finiteRange(map.data, method) : undefined;
    summary = {
      method,
      masses: sliceMass(map),
      // A finite map's value range is its overlay range (overlayScale): one pass less over 100 M voxels.
      scale: range && !region ? { min: range[0], max: range[1] } : overlayScale(map.data, region),
      dicom: range && { range, mask: region ? maskWhere(map.data, (v) => v > 0) : topRegionMask(map.data, a.topPercent) },
    };
  } catch (err) {
    await parking?.then((p) => p.close(), () => undefined);
    throw err;
  }
  if (parking) {
    const parked = await parking;
    map = undefined;
    return { ...summary, slice: parked.slice, release: parked.close };
  }
  // The last map: kept in memory until released.
  return {
    ...summary,
    slice: async (k) => {
      if (!map) throw new Error('the map was released');
      return sliceOf(map.data, k * sliceSize, (k + 1) * sliceSize);
    },
    release: async () => {
      map = undefined;
    },
  };
}
