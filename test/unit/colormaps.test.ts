// One colour-map set (shared/colormaps.ts) for the viewer's overlays and the exported key images,
// checked against the maps' published values.
import { describe, expect, it } from 'vitest';
import { renderKeyImage } from '../../src/main/engine/report/keyImages';
import { colorbar } from '../../src/main/engine/report/rgbImage';
import { lut } from '../../src/renderer/viewer/colormaps';
import { COLORMAP_NAMES, colormapColor, colormapLut } from '../../src/shared/colormaps';
import type { Geometry } from '../../src/shared/geometry';

const near = (got: number[], want: number[], tolerance: number) =>
  got.forEach((g, i) => expect(Math.abs(g - want[i]), `${got} vs ${want}`).toBeLessThanOrEqual(tolerance));

describe('colour maps', () => {
  it("viridis follows matplotlib's table within 4 levels (a polynomial fit)", () => {
    // matplotlib.cm.viridis at 0, 0.25, 0.5, 0.75, 1, times 255.
    const reference: [number, number[]][] = [
      [0, [68, 1, 84]],
      [0.25, [59, 82, 139]],
      [0.5, [33, 145, 140]],
      [0.75, [94, 201, 98]],
      [1, [253, 231, 37]],
    ];
    for (const [t, rgb] of reference) near(colormapColor('viridis', t), rgb, 4);
  });

  it('jet, hot, gray and coolwarm follow their piecewise definitions', () => {
    expect([0, 0.125, 0.375, 0.625, 0.875, 1].map((t) => colormapColor('jet', t))).toEqual([
      [0, 0, 128],
      [0, 0, 255],
      [0, 255, 255],
      [255, 255, 0],
      [255, 0, 0],
      [128, 0, 0],
    ]);
    expect([0, 0.375, 0.75, 1].map((t) => colormapColor('hot', t))).toEqual([[0, 0, 0], [255, 0, 0], [255, 255, 0], [255, 255, 255]]);
    expect(colormapColor('gray', 0.5)).toEqual([128, 128, 128]);
    expect(colormapColor('coolwarm', 0.5)).toEqual([255, 255, 255]); // no difference is white
  });

  it('clamps t outside [0, 1] and tabulates 256 levels as the colours of i / 255', () => {
    for (const name of COLORMAP_NAMES) {
      expect(colormapColor(name, -3)).toEqual(colormapColor(name, 0));
      expect(colormapColor(name, 7)).toEqual(colormapColor(name, 1));
      const table = colormapLut(name);
      for (const i of [0, 51, 128, 255]) expect([...table.subarray(i * 3, i * 3 + 3)]).toEqual(colormapColor(name, i / 255));
    }
  });

  it('are the same tables in the viewer and in the exported key images and colour bars', () => {
    expect(lut('viridis')).toBe(colormapLut('viridis'));
    const bar = colorbar(1, 2, 'viridis');
    expect([...bar.rgb.subarray(0, 3)]).toEqual(colormapColor('viridis', 1));
    expect([...bar.rgb.subarray(3, 6)]).toEqual(colormapColor('viridis', 0));
    // A 2x1 image: the map's peak at pixel 1 is drawn in the map's top colour at 55% over black.
    const geometry: Geometry = { dimensions: [2, 1, 1], spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] };
    for (const colormap of ['jet', 'viridis'] as const) {
      const img = renderKeyImage({ voxels: [0, 0], geometry, window: { center: 1000, width: 1 }, map: { geometry, data: [0, 1] }, slice: 0, colormap });
      expect([...img.rgb.subarray(3, 6)]).toEqual(colormapColor(colormap, 1).map((c) => Math.round(c * 0.55)));
    }
  });
});
