// The lesion mask tests only each lesion's bounding box now (metrics/localization.ts): it must equal
// the mask that tests every voxel of the grid (the implementation it replaced, kept here), on
// oblique and anisotropic grids, lesions at and beyond the edges, tiny lesions (the half-voxel
// floor) and overlapping ones; and a grid whose axes are not orthonormal falls back to every voxel.
import { describe, expect, it } from 'vitest';
import { lesionMask } from '../../src/main/engine/metrics/localization';
import { createRng } from '../../src/main/engine/random';
import { indexToPatient, norm, sub, type Geometry } from '../../src/shared/geometry';
import type { Lesion } from '../../src/shared/api';

function everyVoxel(grid: Geometry, lesions: Lesion[]): Uint8Array {
  const [nx, ny, nz] = grid.dimensions;
  const mask = new Uint8Array(nx * ny * nz);
  const halfVoxel = Math.max(...grid.spacing) / 2;
  for (let k = 0, v = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++, v++) {
        const p = indexToPatient(grid, [i, j, k]);
        if (lesions.some((l) => norm(sub(p, l.centre)) <= Math.max(l.diameterMm / 2, halfVoxel))) mask[v] = 1;
      }
  return mask;
}

/** A rotation about a random axis: an orthonormal direction matrix. */
function rotation(rng: ReturnType<typeof createRng>): number[] {
  const [a, b, c] = [rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1)];
  const n = Math.hypot(a, b, c);
  const [x, y, z] = [a / n, b / n, c / n];
  const t = rng.uniform(0, Math.PI);
  const [co, si] = [Math.cos(t), Math.sin(t)];
  return [
    co + x * x * (1 - co), x * y * (1 - co) - z * si, x * z * (1 - co) + y * si,
    y * x * (1 - co) + z * si, co + y * y * (1 - co), y * z * (1 - co) - x * si,
    z * x * (1 - co) - y * si, z * y * (1 - co) + x * si, co + z * z * (1 - co),
  ];
}

describe('lesion mask by bounding boxes', () => {
  it('equals the every-voxel mask on oblique, anisotropic grids with lesions anywhere', () => {
    const rng = createRng('lesion-mask');
    let covered = 0;
    for (let trial = 0; trial < 24; trial++) {
      const grid: Geometry = {
        dimensions: [rng.int(8, 40), rng.int(8, 40), rng.int(1, 24)],
        spacing: [rng.uniform(0.3, 2), rng.uniform(0.3, 2), rng.uniform(0.5, 5)],
        origin: [rng.uniform(-200, 200), rng.uniform(-200, 200), rng.uniform(-400, 0)],
        direction: (trial % 3 === 0 ? [1, 0, 0, 0, 1, 0, 0, 0, 1] : rotation(rng)) as Geometry['direction'],
      };
      const [nx, ny, nz] = grid.dimensions;
      const lesions: Lesion[] = Array.from({ length: rng.int(1, 4) }, () => ({
        kind: 'solid' as const,
        // Inside, on the edge and a little outside the grid; from below a voxel to a third of it.
        centre: indexToPatient(grid, [rng.uniform(-4, nx + 4), rng.uniform(-4, ny + 4), rng.uniform(-2, nz + 2)]),
        diameterMm: [0.1, rng.uniform(1, 6), rng.uniform(6, 20)][rng.int(0, 2)],
      }));
      const ours = lesionMask(grid, lesions);
      expect(Buffer.from(ours).equals(Buffer.from(everyVoxel(grid, lesions))), `trial ${trial}`).toBe(true);
      covered += ours.reduce((a, b) => a + b, 0);
    }
    expect(covered).toBeGreaterThan(1000); // the cases are not all empty
  });

  it('tests every voxel when the axes are not orthonormal (no bounding box then)', () => {
    const grid: Geometry = { dimensions: [30, 30, 4], spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0.6, 0.8, 0.1, 0, 0, 1] as Geometry['direction'] };
    const lesions: Lesion[] = [{ kind: 'solid', centre: [15, 15, 2], diameterMm: 12 }];
    expect(Buffer.from(lesionMask(grid, lesions)).equals(Buffer.from(everyVoxel(grid, lesions)))).toBe(true);
  });
});
