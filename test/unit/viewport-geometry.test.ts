// Orientation letters and scale bars from a camera, without WebGL.
import { describe, expect, it } from 'vitest';
import { directionLetters, mmPerPixel, orientationMarkers, scaleBar } from '../../src/renderer/viewer/viewportGeometry';
import { startCine } from '../../src/renderer/viewer/cine';

describe('orientation markers', () => {
  it('axial as cornerstone sets it up: patient right on the screen left, anterior up', () => {
    expect(orientationMarkers({ viewUp: [0, -1, 0], viewPlaneNormal: [0, 0, -1] })).toEqual({ left: 'R', right: 'L', top: 'A', bottom: 'P' });
  });
  it('sagittal and coronal', () => {
    expect(orientationMarkers({ viewUp: [0, 0, 1], viewPlaneNormal: [1, 0, 0] })).toEqual({ left: 'A', right: 'P', top: 'S', bottom: 'I' });
    expect(orientationMarkers({ viewUp: [0, 0, 1], viewPlaneNormal: [0, -1, 0] })).toEqual({ left: 'R', right: 'L', top: 'S', bottom: 'I' });
  });
  it('oblique directions name the strongest axis first and drop small parts', () => {
    expect(directionLetters([0.8, -0.6, 0])).toBe('LA');
    expect(directionLetters([0.1, 0, -0.99])).toBe('I');
  });
});

describe('scale', () => {
  it('mm per pixel from the parallel scale', () => {
    expect(mmPerPixel({ parallelScale: 150, heightPx: 600 })).toBe(0.5);
  });
  it('a round bar length near the target width, with its true pixel length', () => {
    expect(scaleBar(0.5, 100)).toEqual({ mm: 50, px: 100 });
    expect(scaleBar(0.37, 100)).toEqual({ mm: 20, px: 20 / 0.37 });
    expect(scaleBar(0.013, 100)).toEqual({ mm: 1, px: 1 / 0.013 });
  });
});

describe('cine', () => {
  it('turns around at the end instead of stopping', async () => {
    let slice = 0;
    const seen: number[] = [];
    const stop = startCine((d) => {
      slice = Math.min(2, Math.max(0, slice + d));
      seen.push(slice);
      return slice;
    }, 200);
    await new Promise((r) => setTimeout(r, 120));
    stop();
    expect(seen.slice(0, 5)).toEqual([1, 2, 2, 1, 0]);
  });
});
