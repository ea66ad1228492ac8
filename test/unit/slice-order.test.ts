import { describe, expect, it } from 'vitest';
import { directionFromOrientation, indexToPatient, type Vec3 } from '../../src/shared/geometry';
import type { ImageHeader } from '../../src/main/engine/dicom/imageHeader';
import type { InstanceRecord } from '../../src/main/engine/study/scan';
import { orderSlices } from '../../src/main/engine/volume/sliceOrder';

type Vec6 = [number, number, number, number, number, number];

function instance(k: number, position: Vec3 | undefined, orientation: Vec6, extra: Partial<ImageHeader> = {}): InstanceRecord {
  const header = {
    transferSyntaxUid: '1.2.840.10008.1.2.1', hasPixelData: true, rows: 8, columns: 8, numberOfFrames: 1,
    bitsAllocated: 16, bitsStored: 16, highBit: 15, pixelRepresentation: 1, samplesPerPixel: 1,
    photometricInterpretation: 'MONOCHROME2', planarConfiguration: 0, rescaleSlope: 1, rescaleIntercept: 0,
    imageOrientationPatient: orientation, imagePositionPatient: position, instanceNumber: k + 1, sliceThickness: 2,
    modality: 'CT', isDicomdir: false, ...extra,
  } as ImageHeader;
  return { path: `/x/${k}.dcm`, displayName: `${k}.dcm`, header, studyUid: '1.2', seriesUid: '1.2.3', sopInstanceUid: `1.2.3.${k}` };
}

function shuffled<T>(xs: T[], seed = 7): T[] {
  const a = [...xs];
  let s = seed;
  for (let i = a.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

const tilted: Vec6 = [0.866, 0.5, 0, -0.47, 0.814, 0.342];

describe('orderSlices', () => {
  it('sorts shuffled oblique slices along the slice normal', () => {
    const g = { dimensions: [8, 8, 20] as Vec3, spacing: [1, 1, 1.5] as Vec3, origin: [5, -3, 100] as Vec3, direction: directionFromOrientation(tilted) };
    const slices = Array.from({ length: 20 }, (_, k) => instance(k, indexToPatient(g, [0, 0, k]), tilted, { instanceNumber: 100 - k }));
    const order = orderSlices(shuffled(slices));
    expect(order.frames.map((f) => f.instance.displayName)).toEqual(slices.map((s) => s.displayName));
    expect(order.sliceSpacing).toBeCloseTo(1.5, 6);
    expect(order.warnings).toEqual([]);
  });

  it('names the gap when slices are missing', () => {
    const axial: Vec6 = [1, 0, 0, 0, 1, 0];
    const slices = [0, 1, 2, 3, 6, 7, 8].map((k) => instance(k, [0, 0, k * 2], axial));
    const order = orderSlices(shuffled(slices));
    expect(order.frames).toHaveLength(7);
    expect(order.warnings.join('\n')).toMatch(/Uneven slice spacing: 6\.00 mm before slice 5 \(6\.dcm\), expected 2\.00 mm \(missing slices\?\)/);
  });

  it('drops duplicate positions and slices of another orientation, saying so', () => {
    const axial: Vec6 = [1, 0, 0, 0, 1, 0];
    const slices = [0, 1, 2, 3].map((k) => instance(k, [0, 0, k], axial));
    const dup = instance(9, [0, 0, 2], axial);
    const odd = instance(10, [0, 0, 5], [0, 1, 0, 0, 0, -1]);
    const order = orderSlices([...slices, dup, odd]);
    expect(order.frames).toHaveLength(4);
    expect(order.warnings.join('\n')).toMatch(/Duplicate slice position/);
    expect(order.warnings.join('\n')).toMatch(/different orientation .*10\.dcm/);
  });

  it('falls back to InstanceNumber, with a warning, when positions are missing', () => {
    const axial: Vec6 = [1, 0, 0, 0, 1, 0];
    const slices = [3, 1, 2, 0].map((k) => instance(k, undefined, axial));
    const order = orderSlices(slices);
    expect(order.frames.map((f) => f.instance.header.instanceNumber)).toEqual([1, 2, 3, 4]);
    expect(order.warnings.join('\n')).toMatch(/no ImagePositionPatient/);
  });

  it('warns about sheared (gantry-tilted) series', () => {
    const axial: Vec6 = [1, 0, 0, 0, 1, 0];
    const slices = Array.from({ length: 10 }, (_, k) => instance(k, [0, k * 0.5, k * 2], axial));
    expect(orderSlices(slices).warnings.join('\n')).toMatch(/sheared/);
  });
});
