import { describe, expect, it } from 'vitest';
import { decodeHeatmaps, decodePeak } from '../../src/main/engine/inference/decodeLandmarks';
import { landmarkErrors } from '../../src/shared/landmarkMetrics';

function gaussianMap(w: number, h: number, cx: number, cy: number, sigma: number): Float32Array {
  const m = new Float32Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) m[y * w + x] = Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * sigma * sigma));
  return m;
}

describe('heatmap decoding', () => {
  it('finds sub-pixel peaks of Gaussian heatmaps with quadratic refinement', () => {
    for (const [cx, cy] of [[10.3, 20.7], [31.5, 5.25], [2.1, 40.9]]) {
      const p = decodePeak(gaussianMap(48, 48, cx, cy, 2), 48, 48, 'quadratic');
      expect(Math.abs(p.x - cx)).toBeLessThan(0.1);
      expect(Math.abs(p.y - cy)).toBeLessThan(0.1);
      const n = decodePeak(gaussianMap(48, 48, cx, cy, 2), 48, 48, 'none');
      expect(Math.abs(n.x - cx)).toBeLessThanOrEqual(0.5);
    }
  });

  it('maps half-resolution heatmaps back onto the input grid', () => {
    const maps = new Float32Array(2 * 16 * 16);
    maps.set(gaussianMap(16, 16, 4, 6, 1.5), 0);
    maps.set(gaussianMap(16, 16, 10, 3, 1.5), 256);
    const peaks = decodeHeatmaps(maps, 2, 16, 16, [32, 32], 'quadratic');
    // heatmap pixel 4 covers input pixels 8..9: centre 8.5
    expect(peaks[0].x).toBeCloseTo(8.5, 1);
    expect(peaks[0].y).toBeCloseTo(12.5, 1);
    expect(peaks[1].x).toBeCloseTo(20.5, 1);
  });
});

describe('landmark errors', () => {
  it('computes radial errors in mm, MRE and SDR', () => {
    const truth = [
      { name: 'Sella', pixel: [100, 100] as [number, number] },
      { name: 'Nasion', pixel: [500, 80] as [number, number] },
      { name: 'Menton', pixel: [400, 900] as [number, number] },
    ];
    const pred = [
      { name: 'Sella', pixel: [110, 100] as [number, number] }, // 1.0 mm
      { name: 'Nasion', pixel: [500, 105] as [number, number] }, // 2.5 mm
      { name: 'Menton', pixel: [430, 940] as [number, number] }, // 5.0 mm
      { name: 'Porion', pixel: [0, 0] as [number, number] }, // no truth
    ];
    const e = landmarkErrors(pred, truth, [0.1, 0.1], 'ImagerPixelSpacing');
    expect(e.perLandmark.map((p) => p.errorMm && Number(p.errorMm.toFixed(6)))).toEqual([1, 2.5, 5, null]);
    expect(e.count).toBe(3);
    expect(e.meanRadialErrorMm).toBeCloseTo(8.5 / 3, 9);
    expect(e.successDetectionRate.map((s) => s.rate)).toEqual([1 / 3, 2 / 3, 2 / 3, 2 / 3]);
  });
});

import { parseLandmarkFile } from '../../src/main/engine/landmarks/parseLandmarkFile';

describe('landmark files', () => {
  it('reads ISBI text, CSV and JSON into named pixel landmarks', () => {
    const isbi = Array.from({ length: 19 }, (_, i) => `${100 + i},${200 + i}`).join('\n') + '\n1\n2\n';
    const a = parseLandmarkFile('001.txt', isbi);
    expect(a).toHaveLength(19);
    expect(a[0]).toEqual({ name: 'Sella', abbreviation: 'S', pixel: [100, 200] });
    expect(a[18].name).toBe('Articulare');
    const csv = parseLandmarkFile('gt.csv', 'name,x,y\nN,512.5,300\nMe,400,1900\n');
    expect(csv.map((p) => [p.name, ...p.pixel])).toEqual([['Nasion', 512.5, 300], ['Menton', 400, 1900]]);
    const json = parseLandmarkFile('gt.json', JSON.stringify({ landmarks: [{ name: 'Sella', pixel: [1, 2] }] }));
    expect(json[0].pixel).toEqual([1, 2]);
  });

  it('names the problem in bad files', () => {
    expect(() => parseLandmarkFile('x.csv', 'a,b\n1,2')).toThrow(/x\.csv: CSV needs a header with name, x and y/);
    expect(() => parseLandmarkFile('x.txt', 'abc,def\n')).toThrow(/x\.txt/);
    expect(() => parseLandmarkFile('x.json', '{"landmarks": [{"x": 1}]}')).toThrow(/entry 1 has no name/);
    expect(() => parseLandmarkFile('x.txt', '')).toThrow(/empty/);
  });
});
