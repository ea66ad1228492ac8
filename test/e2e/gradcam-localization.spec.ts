// The overlay lands where it should: on the demo CT, the Grad-CAM map of "nodule" peaks over a
// nodule of the study's ground truth (the generator's lesion centres and diameters, served by
// getGroundTruth), the axial overlay drawn through that peak shows the engine's map value at every
// pixel (sampled here, on its own, at the pixel's patient point), and its brightest pixel lies over
// the same nodule. The map, its grid and the truth come from the API; the screen is read from the
// overlay canvas and mapped back through the viewport camera (worldAt).
import { expect, test } from '@playwright/test';
import type { Geometry, Vec3 } from '../../src/shared/geometry';
import { openDemo } from './support/app';
import { overlayDrawn, pageClock } from './support/overlay';
import { startServer, type RunningServer } from './support/server';

let server: RunningServer;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => server?.stop());

interface Probe {
  worldAt(index: number, x: number, y: number): Vec3;
  restoreFocus(focus: Record<string, Vec3>): void;
}
interface Lesion { centre: Vec3; diameterMm: number }
interface Job { id: string; method: string; state: string; seriesUid: string; result: { targets: string[]; grid: Geometry; details: Record<string, unknown> } }

// Written out here rather than taken from shared/geometry.ts, so a mistake there cannot hide itself:
// patient = origin + sum over axes a of direction column a * spacing[a] * index[a].
const toPatient = (g: Geometry, idx: Vec3): Vec3 =>
  [0, 1, 2].map((r) => g.origin[r] + [0, 1, 2].reduce((acc, a) => acc + g.direction[r * 3 + a] * g.spacing[a] * idx[a], 0)) as Vec3;
/** The offset b - a along each grid axis, in mm (the direction columns are orthonormal). */
const alongAxes = (g: Geometry, a: Vec3, b: Vec3): Vec3 =>
  [0, 1, 2].map((ax) => [0, 1, 2].reduce((acc, r) => acc + g.direction[r * 3 + ax] * (b[r] - a[r]), 0)) as Vec3;
const dist = (a: Vec3, b: Vec3) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);

test('the Grad-CAM peak of "nodule" lies over the demo nodule, in the engine and on screen', async ({ page }) => {
  await page.goto(server.url);
  await openDemo(page, 'ct');
  await expect(page.getByTestId('run-explain')).toBeEnabled({ timeout: 120_000 });
  await page.getByTestId('show-lesions').uncheck(); // lesion outlines share the overlay canvas
  await page.getByTestId('run-model').click();
  await expect(page.getByTestId('prediction')).toBeVisible({ timeout: 120_000 });
  await page.getByTestId('explain-method').selectOption('gradcam');
  await page.getByTestId('explain-target').selectOption({ label: 'nodule' });
  const beforeRun = await pageClock(page);
  await page.getByTestId('run-explain').click();
  await expect(page.getByTestId('job-done')).toBeVisible({ timeout: 120_000 });
  await overlayDrawn(page, 'overlay-0', beforeRun);

  const token = new URL(server.url).hash.replace('#token=', '');
  const engine = await page.evaluate(async (tok) => {
    const post = async (method: string, body: unknown) => {
      const res = await fetch(`./api/${method}`, { method: 'POST', body: JSON.stringify(body), headers: { Authorization: `Bearer ${tok}`, 'Content-Type': 'application/json' } });
      if (!res.ok) throw new Error(`${method}: ${res.status} ${await res.text()}`);
      return res;
    };
    const job = ((await (await post('listJobs', {})).json()) as Job[]).find((j) => j.method === 'gradcam' && j.state === 'done')!;
    const map = new Float32Array(await (await post('getExplanationMap', { jobId: job.id, target: 0 })).arrayBuffer());
    (window as unknown as { __gradcamMap: Float32Array }).__gradcamMap = map; // for the screen check below
    let peak = 0;
    for (let i = 1; i < map.length; i++) if (map[i] > map[peak]) peak = i;
    const [nx, ny] = job.result.grid.dimensions;
    const truth = (await (await post('getGroundTruth', { seriesUid: job.seriesUid })).json()) as { lesions: Lesion[] };
    return {
      target: job.result.targets[0],
      grid: job.result.grid,
      activationShape: job.result.details.activationShape as number[], // [n, channels, z, y, x]
      peak: [peak % nx, Math.floor(peak / nx) % ny, Math.floor(peak / (nx * ny))] as Vec3,
      lesions: truth.lesions,
    };
  }, token);
  expect(engine.target).toContain('nodule');
  expect(engine.lesions.length, 'the demo CT has a nodule to find').toBeGreaterThan(0);
  const g = engine.grid;
  const peak = toPatient(g, engine.peak);
  const lesion = engine.lesions.reduce((a, b) => (dist(b.centre, peak) < dist(a.centre, peak) ? b : a));
  const radius = lesion.diameterMm / 2;
  // Tolerance from geometry: Grad-CAM weighs an activation whose cells are `stride` model voxels a
  // side, and its map is that grid upsampled, so it peaks at the centre of the cell that holds the
  // most nodule; the nodule reaches into that cell, so its centre is at most its radius + half a
  // cell from the cell's centre on each axis. Half a model voxel more: a cell of an even number
  // of voxels has its centre between voxels, and the argmax is a voxel.
  const stride = [0, 1, 2].map((a) => g.dimensions[a] / engine.activationShape[4 - a]);
  const allowed = [0, 1, 2].map((a) => radius + (stride[a] * g.spacing[a]) / 2 + g.spacing[a] / 2);
  const off = alongAxes(g, lesion.centre, peak);

  // Every plane through the engine's peak; the overlay in gray at full opacity, so a pixel's red
  // channel is its colour-map level (0..255 over the map's min..max).
  await page.getByTestId('overlay-colormap').selectOption('gray');
  await page.getByTestId('overlay-opacity').fill('1');
  // The clock is read in the same task as the camera moves: a draw after it shows the new camera.
  const beforeFocus = await page.evaluate((p) => {
    const t = performance.now();
    (window as unknown as { __explicareViewers: Probe[] }).__explicareViewers[0].restoreFocus({ axial: p, sagittal: p, coronal: p });
    return t;
  }, peak);
  await overlayDrawn(page, 'overlay-0', beforeFocus);

  const screen = await page.evaluate((g) => {
    const viewer = (window as unknown as { __explicareViewers: Probe[] }).__explicareViewers[0];
    const map = (window as unknown as { __gradcamMap: Float32Array }).__gradcamMap;
    const [nx, ny] = g.dimensions;
    let min = Infinity, max = -Infinity;
    for (const v of map) (min = Math.min(min, v)), (max = Math.max(max, v));
    // The reference: the map's value at a patient point, trilinear between voxel centres.
    const valueAt = (p: number[]): number | null => {
      const idx = [0, 1, 2].map((a) => [0, 1, 2].reduce((acc, r) => acc + g.direction[r * 3 + a] * (p[r] - g.origin[r]), 0) / g.spacing[a]);
      if (idx.some((v, a) => v < 0 || v > g.dimensions[a] - 1)) return null; // the renderer clamps outside: not compared
      const [i0, j0, k0] = idx.map((v, a) => Math.min(Math.floor(v), g.dimensions[a] - 2));
      const [fi, fj, fk] = [idx[0] - i0, idx[1] - j0, idx[2] - k0];
      let v = 0;
      for (const [a, wa] of [[0, 1 - fi], [1, fi]]) for (const [b, wb] of [[0, 1 - fj], [1, fj]]) for (const [c, wc] of [[0, 1 - fk], [1, fk]]) {
        if (wa * wb * wc > 0) v += wa * wb * wc * map[((k0 + c) * ny + (j0 + b)) * nx + (i0 + a)];
      }
      return v;
    };
    const c = document.querySelector<HTMLCanvasElement>('[data-testid="overlay-0"]')!;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    // Canvas pixel centre -> the viewport box's CSS pixels -> patient mm.
    const at = (x: number, y: number) => viewer.worldAt(0, (x * c.clientWidth) / c.width, (y * c.clientHeight) / c.height);
    let top = 0, lit = 0, compared = 0, off1 = 0, worst = 0, missing = 0;
    for (let y = 0; y < c.height; y++)
      for (let x = 0; x < c.width; x++) {
        const q = (y * c.width + x) * 4;
        const v = valueAt(at(x + 0.5, y + 0.5));
        if (d[q + 3] === 0) {
          // Left transparent: only below the threshold (0.2 of the range, the style's default), a level to spare.
          if (v !== null && ((v - min) / (max - min)) * 255 > 0.2 * 255 + 1) missing++;
          continue;
        }
        lit++;
        top = Math.max(top, d[q]);
        if (v === null) continue;
        compared++;
        const diff = Math.abs(d[q] - Math.round(((v - min) / (max - min)) * 255));
        worst = Math.max(worst, diff);
        if (diff > 1) off1++;
      }
    // The brightest level can cover a few pixels around the maximum: take their centre.
    let n = 0, sx = 0, sy = 0;
    for (let y = 0; y < c.height; y++)
      for (let x = 0; x < c.width; x++) {
        const q = (y * c.width + x) * 4;
        if (d[q + 3] > 0 && d[q] === top) (n++, (sx += x + 0.5), (sy += y + 0.5));
      }
    const o = at(0, 0), e = at(1, 0);
    return { lit, compared, missing, worstLevelDiff: worst, pixelsOffByMoreThanOneLevel: off1, top, topPixels: n, brightest: at(sx / n, sy / n), mmPerCanvasPixel: Math.hypot(e[0] - o[0], e[1] - o[1], e[2] - o[2]) };
  }, g);
  const brightestOff = alongAxes(g, lesion.centre, screen.brightest);
  console.log(
    `gradcam localization: ${JSON.stringify({ spacing: g.spacing, stride, peakIndex: engine.peak, peak, lesion, peakOffMm: off, allowedMm: allowed, screen, brightestOffMm: brightestOff })}`,
  );

  // The engine: the peak over the nodule, axis by axis.
  for (const a of [0, 1, 2]) expect(Math.abs(off[a]), `engine peak off the nodule along grid axis ${a}`).toBeLessThanOrEqual(allowed[a]);
  // The screen shows the engine's map where it lies: each lit pixel carries the level of the map
  // at its patient point (1 level of rounding: the renderer and this check sample in different
  // float order), on a canvas that shows the map over most of the image.
  expect(screen.compared).toBeGreaterThan(1000);
  expect(screen.worstLevelDiff).toBeLessThanOrEqual(1);
  expect(screen.missing, 'pixels left blank where the map is above the threshold').toBe(0);
  // The brightest pixel is on the axial plane through the peak and over the nodule, like the peak.
  expect(Math.abs(screen.brightest[2] - peak[2])).toBeLessThan(0.01);
  for (const a of [0, 1, 2]) expect(Math.abs(brightestOff[a]), `brightest overlay pixel off the nodule along grid axis ${a}`).toBeLessThanOrEqual(allowed[a]);
});
