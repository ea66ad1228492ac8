// MUPAX in the app: a job with live progress, per-landmark maps, the overlay and its controls change pixels, cancel
// stops a job, and a reload shows the computed map again at once.
import { expect, test, type Page } from '@playwright/test';
import { openDemo } from './support/app';
import { overlayDrawn, pageClock, viewportsRendered } from './support/overlay';
import { meanAbsDiff } from './support/pixels';
import { startServer, type RunningServer } from './support/server';

let server: RunningServer;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => server?.stop());

/** Share of overlay-canvas pixels that are drawn (alpha > 0). */
const overlayCoverage = (page: Page) =>
  page.evaluate(() => {
    const c = document.querySelector('[data-testid="overlay-0"]') as HTMLCanvasElement | null;
    if (!c || c.width === 0) return 0;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let lit = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) lit++;
    return lit / (c.width * c.height);
  });

interface ViewerProbe {
  getSliceIndex(i: number): { index: number };
}

/** Drawn (alpha > 0) pixels of an overlay canvas. */
const litPixels = (page: Page, testId: string) =>
  page.evaluate((id) => {
    const c = document.querySelector(`[data-testid="${id}"]`) as HTMLCanvasElement | null;
    if (!c || c.width === 0) return 0;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let k = 3; k < d.length; k += 4) if (d[k] > 0) n++;
    return n;
  }, testId);

test('MUPAX on the demo cephalogram: live job, overlay controls, reload restores the map', async ({ page }) => {
  await page.goto(server.url);
  await openDemo(page, 'ceph');
  await expect(page.getByTestId('run-explain')).toBeEnabled({ timeout: 120_000 });
  const viewport = page.getByTestId('viewport-image');
  const before = await viewport.screenshot();
  await page.getByTestId('mupax-samples').fill('256');
  let since = await pageClock(page);
  await page.getByTestId('run-explain').click();
  await expect(page.getByTestId('job-done')).toBeVisible({ timeout: 180_000 });
  await expect(page.getByTestId('convergence-plot')).toBeVisible();
  await overlayDrawn(page, 'overlay-0', since);
  expect(await overlayCoverage(page)).toBeGreaterThan(0.15); // share of the whole canvas: the portrait image fills less of it as the viewer gets wider than tall
  const withOverlay = await viewport.screenshot();
  expect(meanAbsDiff(before, withOverlay)).toBeGreaterThan(3);

  // One pass of samples gives a map per landmark and the mean-error map: a table row shows its own.
  await expect(page.getByTestId('overlay-target').locator('option')).toHaveCount(21);
  await expect(page.getByTestId('overlay-target')).toHaveValue('20'); // any landmark (the joint test)
  since = await pageClock(page);
  await page.getByTestId('landmark-row-Go').click();
  await expect(page.getByTestId('overlay-target')).toHaveValue(String(9)); // gonion, the 10th ISBI landmark
  await overlayDrawn(page, 'overlay-0', since);
  expect(meanAbsDiff(withOverlay, await viewport.screenshot()), 'gonion map differs from the mean map').toBeGreaterThan(0.3);
  since = await pageClock(page);
  await page.getByTestId('overlay-target').selectOption('20');
  await overlayDrawn(page, 'overlay-0', since);

  since = await pageClock(page);
  await page.getByTestId('overlay-colormap').selectOption('hot');
  await overlayDrawn(page, 'overlay-0', since);
  const hot = await viewport.screenshot();
  expect(meanAbsDiff(withOverlay, hot)).toBeGreaterThan(1);
  since = await pageClock(page);
  await page.getByTestId('overlay-opacity').fill('0.9');
  await overlayDrawn(page, 'overlay-0', since);
  expect(meanAbsDiff(hot, await viewport.screenshot())).toBeGreaterThan(1);
  since = await pageClock(page);
  await page.getByTestId('overlay-visible').uncheck();
  await overlayDrawn(page, 'overlay-0', since, 'none');
  expect(await overlayCoverage(page)).toBe(0);
  await page.getByTestId('overlay-visible').check();

  // Reload: the engine still holds the result; the map is shown again without recomputing.
  await page.reload();
  await expect(page.getByTestId('job-done')).toBeVisible({ timeout: 60_000 });
  await overlayDrawn(page, 'overlay-0', 0); // a new page: its clock starts again
  expect(await overlayCoverage(page)).toBeGreaterThan(0.15);
});

test('a running MUPAX job can be cancelled', async ({ page }) => {
  await page.goto(server.url);
  await openDemo(page, 'ceph');
  await expect(page.getByTestId('run-explain')).toBeEnabled({ timeout: 120_000 });
  await page.getByTestId('mupax-samples').fill('50000');
  await page.getByTestId('run-explain').click();
  await expect(page.getByTestId('job-running')).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('cancel-job').click();
  await expect(page.getByTestId('job-cancelled')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('job-cancelled')).toContainText('cancelled by the user');
});

test('Grad-CAM on the demo CT overlays all three planes; compare with MUPAX in synchronized rows, by swipe and difference', async ({ page }) => {
  await page.goto(server.url);
  await openDemo(page, 'ct');
  await expect(page.getByTestId('run-explain')).toBeEnabled({ timeout: 120_000 });
  // The default target is the finding class ("nodule"), whose Grad-CAM may stay off the central
  // planes (CT model 1.2 predicts "nodule" on this study); the "no nodule" map covers the body,
  // which is what this test looks for on all three.
  await page.getByTestId('run-model').click();
  await expect(page.getByTestId('prediction')).toBeVisible({ timeout: 120_000 });
  await page.getByTestId('explain-target').selectOption({ label: 'no nodule' });
  await page.getByTestId('explain-method').selectOption('gradcam');
  let since = await pageClock(page);
  await page.getByTestId('run-explain').click();
  await expect(page.getByTestId('job-done')).toBeVisible({ timeout: 120_000 });
  for (const i of [0, 1, 2]) await overlayDrawn(page, `overlay-${i}`, since);
  for (const i of [0, 1, 2]) expect(await litPixels(page, `overlay-${i}`), `overlay on viewport ${i}`).toBeGreaterThan(100);
  // A quick MUPAX run to compare with.
  await page.getByTestId('explain-method').selectOption('mupax');
  await page.getByTestId('mupax-samples').fill('256');
  await page.getByTestId('run-explain').click();
  await expect(page.getByTestId('job-done')).toHaveCount(2, { timeout: 240_000 });
  // MUPAX shows its significant region by default, which may not cross these planes; the
  // comparison views are checked on its z map of every chunk.
  since = await pageClock(page);
  await page.getByTestId('overlay-layer').selectOption('z');
  const axial = page.getByTestId('viewport-axial');
  await overlayDrawn(page, 'overlay-0', since);
  const single = await axial.screenshot();

  // One synchronized row of viewports per method (the default comparison view).
  since = await pageClock(page);
  await page.getByTestId('compare-gradcam').check();
  const axialB = page.getByTestId('viewport-axial-r1');
  await expect(axialB).toBeVisible();
  await expect(page.getByTestId('row-method-1').first()).toContainText('Grad-CAM');
  await expect(page.getByTestId('viewport-coronal-r1')).toBeVisible();
  await overlayDrawn(page, 'overlay-0', since);
  await overlayDrawn(page, 'overlay-r1-0', since);
  expect(await litPixels(page, 'overlay-0')).toBeGreaterThan(100);
  expect(await litPixels(page, 'overlay-r1-0')).toBeGreaterThan(100);
  const slices = () =>
    page.evaluate(() => (window as unknown as { __explicareViewers: ViewerProbe[] }).__explicareViewers.map((v) => v.getSliceIndex(0).index));
  const [a0, b0] = await slices();
  expect(a0).toBe(b0);
  // Scrolling the lower row moves the upper one to the same slice, and back.
  await axialB.hover();
  for (let i = 0; i < 6; i++) await page.mouse.wheel(0, 120);
  // Scrolled when the lower row left its slice and the upper one followed.
  await expect.poll(async () => slices().then(([a, b]) => b !== b0 && a === b)).toBe(true);
  const [a1, b1] = await slices();
  expect(b1).not.toBe(b0);
  expect(a1).toBe(b1);
  // The same slice by pixels: without overlays the two axial viewports show the same image.
  since = await pageClock(page);
  await page.getByTestId('overlay-visible').uncheck();
  await overlayDrawn(page, 'overlay-0', since, 'none');
  await overlayDrawn(page, 'overlay-r1-0', since, 'none');
  await viewportsRendered(page);
  // (Text drawn over the viewports, such as each row's method and target, is left out of this comparison.)
  const imagesOnly = { style: '.cell .label, .cell .ann { visibility: hidden !important; }' };
  const imageA = await axial.screenshot();
  expect(meanAbsDiff(await axial.screenshot(imagesOnly), await axialB.screenshot(imagesOnly))).toBeLessThan(1);
  since = await pageClock(page);
  await page.getByTestId('overlay-visible').check();
  await overlayDrawn(page, 'overlay-0', since);
  await overlayDrawn(page, 'overlay-r1-0', since);
  const rowA = await axial.screenshot();
  expect(meanAbsDiff(imageA, rowA)).toBeGreaterThan(1); // the overlay is back
  expect(meanAbsDiff(rowA, await axialB.screenshot())).toBeGreaterThan(0.5); // and differs per method

  // Top-k% outline: fewer pixels than the filled map, still some.
  const filled = await litPixels(page, 'overlay-0');
  since = await pageClock(page);
  await page.getByTestId('overlay-display').selectOption('outline');
  await overlayDrawn(page, 'overlay-0', since);
  const outlined = await litPixels(page, 'overlay-0');
  expect(outlined).toBeGreaterThan(10);
  expect(outlined).toBeLessThan(filled);
  await page.getByTestId('overlay-display').selectOption('fill');

  // Compact layout: one plane per method, side by side.
  await page.getByTestId('compare-layout').selectOption('compact');
  await expect(page.getByTestId('viewport-coronal-r1')).toHaveCount(0);
  await expect(axialB).toBeVisible();

  // Swipe and difference on the same viewports.
  since = await pageClock(page);
  await page.getByTestId('compare-mode').selectOption('swipe');
  await expect(axialB).toHaveCount(0);
  await overlayDrawn(page, 'overlay-0', since);
  await viewportsRendered(page);
  const swipe = await axial.screenshot();
  expect(meanAbsDiff(single, swipe)).toBeGreaterThan(0.5);
  since = await pageClock(page);
  await page.getByTestId('compare-mode').selectOption('difference');
  await overlayDrawn(page, 'overlay-0', since);
  expect(meanAbsDiff(swipe, await axial.screenshot())).toBeGreaterThan(0.5);
});
