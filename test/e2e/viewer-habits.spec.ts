// Viewer habits: every viewport's first render shows the image (no blank or flat canvas) at three
// window sizes; orientation markers name the patient direction each edge really faces (checked
// against the projection of patient axes); corners carry patient, study date, series, slice, W/L
// and zoom; the scale bar's length is true; the HU readout follows a wheel scroll; cine plays.
import { expect, test, type Page } from '@playwright/test';
import { openDemo } from './support/app';
import { CINE_FPS } from '../../src/renderer/viewer/cine';
import { viewportRendered } from './support/overlay';
import { stats } from './support/pixels';
import { startServer, type RunningServer } from './support/server';

let server: RunningServer;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => server?.stop());

const PLANES = ['axial', 'sagittal', 'coronal'] as const;

for (const [width, height] of [[1280, 800], [1600, 1000], [1920, 1080]] as const) {
  test(`first render of every viewport is not blank at ${width}x${height}`, async ({ page }) => {
    await page.setViewportSize({ width, height });
    await page.goto(server.url);
    await openDemo(page, 'ct');
    // No scroll, no click: what the app's own first render of each viewport left.
    for (const name of PLANES) await viewportRendered(page, `viewport-${name}`);
    for (const name of PLANES) {
      const s = stats(await page.getByTestId(`viewport-${name}`).screenshot());
      expect(s.nonBlackFraction, `${name} shows the body`).toBeGreaterThan(0.1);
      expect(s.std, `${name} is not a flat square`).toBeGreaterThan(20);
    }
  });
}

interface Probe {
  worldAt(i: number, x: number, y: number): [number, number, number];
  canvasOf(i: number, w: [number, number, number]): [number, number];
}

/** Which LPS letter really lies towards the screen's right and top of viewport i. */
function projectedLetters(page: Page, i: number, box: { width: number; height: number }) {
  return page.evaluate(({ i, w, h }) => {
    const v = (window as unknown as { __explicareViewer: Probe }).__explicareViewer;
    const c = v.worldAt(i, w / 2, h / 2);
    const at = (a: number) => v.canvasOf(i, c.map((x, k) => (k === a ? x + 10 : x)) as [number, number, number]);
    const o = v.canvasOf(i, c);
    const moves = [0, 1, 2].map((a) => [at(a)[0] - o[0], at(a)[1] - o[1]]);
    const letters = [['L', 'R'], ['P', 'A'], ['S', 'I']];
    const best = (d: 0 | 1, sign: 1 | -1) => {
      const a = [0, 1, 2].reduce((b, k) => (Math.abs(moves[k][d]) > Math.abs(moves[b][d]) ? k : b), 0);
      return letters[a][Math.sign(moves[a][d]) === sign ? 0 : 1];
    };
    return { right: best(0, 1), top: best(1, -1) };
  }, { i, w: box.width, h: box.height });
}

test('orientation markers, corner annotations, scale bar, live HU and cine on the demo CT', async ({ page }) => {
  await page.setViewportSize({ width: 1600, height: 1000 });
  await page.goto(server.url);
  await openDemo(page, 'ct');

  for (const [i, name] of PLANES.entries()) {
    const box = (await page.getByTestId(`viewport-${name}`).boundingBox())!;
    const truth = await projectedLetters(page, i, box);
    expect((await page.getByTestId(`orient-right-${name}`).innerText())[0], `${name} right edge`).toBe(truth.right);
    expect((await page.getByTestId(`orient-top-${name}`).innerText())[0], `${name} top edge`).toBe(truth.top);
    const opposite: Record<string, string> = { L: 'R', R: 'L', A: 'P', P: 'A', S: 'I', I: 'S' };
    expect((await page.getByTestId(`orient-left-${name}`).innerText())[0]).toBe(opposite[truth.right]);
    expect((await page.getByTestId(`orient-bottom-${name}`).innerText())[0]).toBe(opposite[truth.top]);
  }
  // Radiological convention on the axial: patient right on the screen's left, anterior up.
  await expect(page.getByTestId('orient-left-axial')).toHaveText('R');
  await expect(page.getByTestId('orient-top-axial')).toHaveText('A');

  // Corners: patient and study date (as the study list has them), series, W/L and zoom.
  const patient = (await page.getByTestId('study-entry').locator('.name').innerText()).split(/\s+/)[0];
  await expect(page.getByTestId('corner-patient-axial')).toContainText(patient);
  await expect(page.getByTestId('corner-patient-axial')).toContainText(/\d{4}-\d{2}-\d{2}/);
  await expect(page.getByTestId('corner-series-axial')).toContainText('CT ·');
  await expect(page.getByTestId('corner-view-axial')).toContainText(/W \d+ · L -?\d+ · zoom [\d.]+×/);

  // The scale bar is as long on screen as its label says, measured through the camera.
  const label = await page.getByTestId('scale-bar-axial').innerText();
  const mm = Number(/([\d.]+) mm/.exec(label)![1]);
  const barPx = (await page.getByTestId('scale-bar-axial').boundingBox())!.width;
  const axialBox = (await page.getByTestId('viewport-axial').boundingBox())!;
  const pxForMm = await page.evaluate(({ w, h, mm }) => {
    const v = (window as unknown as { __explicareViewer: Probe }).__explicareViewer;
    const c = v.worldAt(0, w / 2, h / 2);
    const a = v.canvasOf(0, c);
    const b = v.canvasOf(0, [c[0] + mm, c[1], c[2]]);
    return Math.hypot(b[0] - a[0], b[1] - a[1]);
  }, { w: axialBox.width, h: axialBox.height, mm });
  expect(Math.abs(barPx - pxForMm)).toBeLessThan(3);

  // HU under a resting mouse follows a wheel scroll (the voxel's k changes without a mouse move).
  await page.mouse.move(axialBox.x + axialBox.width * 0.4, axialBox.y + axialBox.height * 0.5);
  const probe = page.getByTestId('probe');
  await expect(probe).toContainText('HU');
  const before = await probe.innerText();
  await page.mouse.wheel(0, 400);
  await expect(probe).not.toHaveText(before);
  const k = (t: string) => Number(/\(\d+, \d+, (\d+)\)/.exec(t)![1]);
  expect(k(await probe.innerText())).not.toBe(k(before));

  // Cine moves through the slices until stopped.
  const slice = page.getByTestId('slice-axial');
  const s0 = await slice.innerText();
  await page.getByTestId('cine').click();
  await expect(slice).not.toHaveText(s0, { timeout: 5000 });
  await page.getByTestId('cine').click();
  await expect(page.getByTestId('cine')).toHaveText('Cine'); // the button says it stopped
  // Stopped means no step comes any more. Seeing that something does not happen takes a window:
  // three of the cine's own periods, over which any change of the slice label is counted.
  const changes = await page.evaluate(
    (windowMs) =>
      new Promise<number>((resolve) => {
        let n = 0;
        const watch = new MutationObserver(() => n++);
        watch.observe(document.querySelector('[data-testid="slice-axial"]')!, { subtree: true, childList: true, characterData: true });
        setTimeout(() => (watch.disconnect(), resolve(n)), windowMs);
      }),
    (3 * 1000) / CINE_FPS,
  );
  // The interval is cleared at once; the label of a step already under way may still land (it is
  // updated after that step's render). More than that would mean the cine kept running.
  expect(changes, 'slice changes after the cine was stopped').toBeLessThanOrEqual(1);
});
