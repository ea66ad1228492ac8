// Partition of the model-grid input into rectangular chunks (nD blocks): MUPAX keeps or drops
// whole chunks. Edge chunks are smaller when the size does not divide the grid.

export interface ChunkGrid {
  /** Chunks per axis, [x, y, z] (z = 1 for 2D). */
  counts: [number, number, number];
  count: number;
  /** Chunk index of every voxel, in [z][y][x] order. */
  chunkOf: Int32Array;
  /** Chunk size per axis in voxels, [x, y, z]. */
  size: [number, number, number];
}

export class MupaxParameterError extends Error {}

/** dims and size are [x, y, z] (columns, rows, slices). */
export function chunkGrid(dims: [number, number, number], size: [number, number, number]): ChunkGrid {
  size.forEach((s, a) => {
    if (!Number.isInteger(s) || s < 1) throw new MupaxParameterError(`chunk size must be whole voxels >= 1, got ${size.join('x')}`);
    if (s > dims[a]) throw new MupaxParameterError(`chunk ${size[2]}x${size[1]}x${size[0]} (z,y,x) is larger than the model input ${dims[2]}x${dims[1]}x${dims[0]} along ${'xyz'[a]}`);
  });
  const counts = [0, 1, 2].map((a) => Math.ceil(dims[a] / size[a])) as [number, number, number];
  const count = counts[0] * counts[1] * counts[2];
  if (count < 2) throw new MupaxParameterError('the chunk size leaves only one chunk: nothing to compare');
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
export function chunksToVoxels(grid: ChunkGrid, values: Float64Array | Float32Array): Float32Array {
  const out = new Float32Array(grid.chunkOf.length);
  for (let v = 0; v < out.length; v++) out[v] = values[grid.chunkOf[v]];
  return out;
}
