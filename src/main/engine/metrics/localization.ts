// Localization of a saliency map against ground-truth lesions (demo studies): pointing game (is
// the most salient voxel inside a lesion?) and the fraction of saliency energy inside the lesions.
import type { Lesion } from '../../../shared/api';
import { indexToPatient, norm, sub, type Geometry } from '../../../shared/geometry';

export interface LocalizationReport {
  pointingGameHit: boolean;
  energyInside: number; // sum of (non-negative) saliency inside lesions / total
  lesionVoxelFraction: number; // share of the grid the lesions cover: the chance level of energyInside
}

/** Lesion mask on a grid: voxel centres within a lesion's radius (at least half a voxel). */
export function lesionMask(grid: Geometry, lesions: Lesion[]): Uint8Array {
  const [nx, ny, nz] = grid.dimensions;
  const mask = new Uint8Array(nx * ny * nz);
  const halfVoxel = Math.max(...grid.spacing) / 2;
  for (let k = 0, v = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++, v++) {
        const p = indexToPatient(grid, [i, j, k]);
        if (lesions.some((l) => norm(sub(p, l.centre)) <= Math.max(l.diameterMm / 2, halfVoxel))) mask[v] = 1;
      }
    }
  }
  return mask;
}

export function localization(map: Float32Array, mask: Uint8Array): LocalizationReport {
  let best = 0;
  let total = 0;
  let inside = 0;
  let covered = 0;
  for (let v = 0; v < map.length; v++) {
    if (map[v] > map[best]) best = v;
    const e = Math.max(0, map[v]);
    total += e;
    if (mask[v]) {
      inside += e;
      covered++;
    }
  }
  return { pointingGameHit: mask[best] === 1, energyInside: total > 0 ? inside / total : 0, lesionVoxelFraction: covered / map.length };
}
