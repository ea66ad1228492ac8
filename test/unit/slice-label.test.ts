// The one slice numbering (viewer, tag panel, PDF) and the shared key slice of the report.
import { describe, expect, it } from 'vitest';
import type { Geometry } from '../../src/shared/geometry';
import { acquiredSliceLabel, sliceLabel, slicePositionMm } from '../../src/shared/sliceLabel';
import { sharedKeySlice } from '../../src/main/engine/report/keyImages';

const axial: Geometry = { dimensions: [4, 4, 120], spacing: [0.7, 0.7, 2.5], origin: [-100, -100, -200], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] };

describe('slice labels', () => {
  it('numbers acquired slices from 1 in volume order with InstanceNumber and position', () => {
    expect(acquiredSliceLabel(axial, 60, 61)).toBe('slice 61/120 · Im 61 · z = -50.0 mm');
    expect(acquiredSliceLabel(axial, 0, null)).toBe('slice 1/120 · z = -200.0 mm');
  });
  it('follows the slice normal: a sagittal acquisition reads its position on x', () => {
    const sagittal: Geometry = { ...axial, direction: [0, 1, 0, 0, 0, -1, 1, 0, 0] };
    expect(slicePositionMm(sagittal, 4)).toEqual({ axis: 'x', positionMm: -90 });
  });
  it('says what a plane across the slices is: a column and its x', () => {
    expect(sliceLabel({ unit: 'column', index: 256, count: 512, axis: 'x', positionMm: 0.3 })).toBe('column 257/512 · x = 0.3 mm');
  });
});

describe('sharedKeySlice', () => {
  const map = (peakSlice: number, weight: number, nz = 5) => {
    const data = new Float32Array(4 * nz);
    for (let k = 0; k < nz; k++) data.fill(k === peakSlice ? weight : weight / 10, k * 4, k * 4 + 4);
    return { geometry: { ...axial, dimensions: [2, 2, nz] as [number, number, number] }, data };
  };
  it('puts every method on the slice where their scaled masses add up most', () => {
    // A peaks on 1 (huge values), B and C on 3: scaled to their own peaks, 3 wins.
    expect(sharedKeySlice([map(1, 1000), map(3, 1), map(3, 2)])).toBe(3);
  });
  it('ignores a map with no mass (an empty significant region)', () => {
    expect(sharedKeySlice([map(2, 1), { ...map(0, 0), data: new Float32Array(20) }])).toBe(2);
  });
});
