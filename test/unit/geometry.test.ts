import { describe, expect, it } from 'vitest';
import {
  checkSliceSpacing,
  directionFromOrientation,
  geometryFromSlices,
  indexToPatient,
  patientToIndex,
  sliceNormal,
  voxelOffset,
  type Geometry,
  type Vec3,
} from '../../src/shared/geometry';

const oblique: Geometry = {
  dimensions: [64, 48, 30],
  spacing: [0.7, 0.8, 2.5],
  origin: [-120.5, 33.25, 410],
  // rotated 30 degrees about z, then tilted 20 degrees about the new x axis
  direction: directionFromOrientation([
    Math.cos(Math.PI / 6), Math.sin(Math.PI / 6), 0,
    -Math.sin(Math.PI / 6) * Math.cos(Math.PI / 9), Math.cos(Math.PI / 6) * Math.cos(Math.PI / 9), Math.sin(Math.PI / 9),
  ]),
};

describe('geometry', () => {
  it('round-trips index -> patient -> index on an oblique grid', () => {
    for (const ijk of [[0, 0, 0], [63, 47, 29], [10.5, 3.25, 17.75], [-2, 50, 31]] as Vec3[]) {
      const back = patientToIndex(oblique, indexToPatient(oblique, ijk));
      back.forEach((v, a) => expect(v).toBeCloseTo(ijk[a], 9));
    }
  });

  it('places voxels along the DICOM row, column and normal directions', () => {
    const g = geometryFromSlices({
      columns: 4, rows: 3, pixelSpacing: [0.5, 0.25], imageOrientation: [1, 0, 0, 0, 1, 0],
      firstPosition: [10, 20, 30], sliceCount: 5, sliceSpacing: 2,
    });
    // PixelSpacing is [between rows, between columns]: a column step is 0.25 mm along x.
    expect(indexToPatient(g, [1, 0, 0])).toEqual([10.25, 20, 30]);
    expect(indexToPatient(g, [0, 1, 0])).toEqual([10, 20.5, 30]);
    expect(indexToPatient(g, [0, 0, 1])).toEqual([10, 20, 32]);
    expect(sliceNormal([1, 0, 0, 0, 1, 0])).toEqual([0, 0, 1]);
    expect(voxelOffset(g, [3, 2, 4])).toBe(4 * 12 + 2 * 4 + 3);
    expect(voxelOffset(g, [4, 0, 0])).toBe(-1);
  });

  it('reports uneven slice gaps and where they are', () => {
    expect(checkSliceSpacing([0, 2, 4, 6]).uniform).toBe(true);
    const r = checkSliceSpacing([0, 2, 4, 8, 10, 12]);
    expect(r.spacing).toBe(2);
    expect(r.irregular).toEqual([{ afterIndex: 3, gap: 4 }]);
  });
});
