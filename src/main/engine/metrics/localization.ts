// Localization of a saliency map against ground-truth lesions (demo studies): pointing game (is
// the most salient voxel inside a lesion?) and the fraction of saliency energy inside the lesions.
import type { Lesion } from '../../../shared/api';
import { indexToPatient, norm, sub, type Geometry } from '../../../shared/geometry';
import { valueRange } from '../../../shared/valueRange';

export interface LocalizationReport {
  /** The map's maximum is reached inside a lesion (ties count: chunk maps are piecewise constant). */
  pointingGameHit: boolean;
  /**
   * Share of the min-max normalized saliency inside the lesions. Normalizing first makes maps with
   * a floor comparable: a MUPAX map is a retention probability that never drops far below the mean
   * kept fraction, which on raw values would hide any concentration.
   */
  energyInside: number;
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
  const [min, max] = valueRange(map);
  const range = max - min;
  let total = 0;
  let inside = 0;
  let covered = 0;
  let maxInside = -Infinity;
  for (let v = 0; v < map.length; v++) {
    const e = range > 0 ? (map[v] - min) / range : 0;
    total += e;
    if (mask[v]) {
      inside += e;
      covered++;
      if (map[v] > maxInside) maxInside = map[v];
    }
  }
  return { pointingGameHit: range > 0 && maxInside === max, energyInside: total > 0 ? inside / total : 0, lesionVoxelFraction: covered / map.length };
}
