// Partition of the model-grid input into rectangular chunks (nD blocks): MUPAX keeps or drops
// whole chunks. Edge chunks are smaller when the size does not divide the grid.
import { ExplainOptionError } from '../optionError';

/** Any split of the model input into units that are kept or dropped together. */
export interface Partition {
  count: number;
  /** Unit index of every voxel, in [z][y][x] order. */
  chunkOf: Int32Array;
}

export interface ChunkGrid extends Partition {
  /** Chunks per axis, [x, y, z] (z = 1 for 2D). */
  counts: [number, number, number];
  count: number;
  /** Chunk index of every voxel, in [z][y][x] order. */
  chunkOf: Int32Array;
  /** Chunk size per axis in voxels, [x, y, z]. */
  size: [number, number, number];
}

export class MupaxParameterError extends ExplainOptionError {}

/** dims and size are [x, y, z] (columns, rows, slices). */
export function chunkGrid(dims: [number, number, number], size: [number, number, number]): ChunkGrid {
  size.forEach((s, a) => {
    if (!Number.isInteger(s) || s < 1) throw new MupaxParameterError(`chunk: chunk size must be whole voxels >= 1, got ${size.join('x')}`);
    if (s > dims[a])
      throw new MupaxParameterError(
        `chunk: ${size[2]}x${size[1]}x${size[0]} (z,y,x) is larger than the model input ${dims[2]}x${dims[1]}x${dims[0]} along ${'xyz'[a]}`,
      );
  });
  const counts = [0, 1, 2].map((a) => Math.ceil(dims[a] / size[a])) as [number, number, number];
  const count = counts[0] * counts[1] * counts[2];
  if (count < 2) throw new MupaxParameterError('chunk: the chunk size leaves only one chunk, nothing to compare');
  const chunkOf = new Int32Array(dims[0] * dims[1] * dims[2]);
  let v = 0;
  for (let z = 0; z < dims[2]; z++) {
    const cz = Math.floor(z / size[2]);
    for (let y = 0; y < dims[1]; y++) {
      const cy = Math.floor(y / size[1]);
      for (let x = 0; x < dims[0]; x++) chunkOf[v++] = (cz * counts[1] + cy) * counts[0] + Math.floor(x / size[0]);
    }
  }
  return { counts, count, chunkOf, size };
}

/** Spreads per-chunk values onto the voxels (nearest: each voxel takes its chunk's value). */
export function chunksToVoxels(grid: Partition, values: ArrayLike<number>): Float32Array {
  const out = new Float32Array(grid.chunkOf.length);
  for (let v = 0; v < out.length; v++) out[v] = values[grid.chunkOf[v]];
  return out;
}

/**
 * The coarse grid of a coarse-to-fine run: twice the chunk along every axis that has room for it;
 * null when that leaves fewer than 2 chunks (nothing to refine from).
 */
export function coarserGrid(dims: [number, number, number], size: [number, number, number]): ChunkGrid | null {
  const coarse = size.map((s, a) => (s * 2 <= dims[a] ? s * 2 : s)) as [number, number, number];
  if (coarse.every((s, a) => s === size[a])) return null;
  const counts = coarse.map((s, a) => Math.ceil(dims[a] / s));
  return counts[0] * counts[1] * counts[2] >= 2 ? chunkGrid(dims, coarse) : null;
}

/**
 * A mixed partition: the fine chunks inside the coarse chunks marked in `refine`, the coarse chunk
 * elsewhere. Units are numbered in voxel order of first appearance, so the result is deterministic.
 */
export function refinedPartition(coarse: Partition, fine: Partition, refine: Uint8Array): Partition {
  const n = coarse.chunkOf.length;
  const ids = new Map<number, number>();
  const chunkOf = new Int32Array(n);
  for (let v = 0; v < n; v++) {
    const c = coarse.chunkOf[v];
    // Fine units keyed >= 0, coarse units < 0, so the two numberings cannot collide.
    const key = refine[c] ? fine.chunkOf[v] : -1 - c;
    let id = ids.get(key);
    if (id === undefined) ids.set(key, (id = ids.size));
    chunkOf[v] = id;
  }
  return { count: ids.size, chunkOf };
}
