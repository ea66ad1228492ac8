// MUPAX in the app: a job with live progress, the overlay and its controls change pixels, cancel
// stops a job, and a reload shows the computed map again at once.
import { expect, test, type Page } from '@playwright/test';
import { openDemo } from './support/app';
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

test('MUPAX on the demo cephalogram: live job, overlay controls, reload restores the map', async ({ page }) => {
  await page.goto(server.url);
  await openDemo(page, 'ceph');
  await expect(page.getByTestId('run-mupax')).toBeEnabled({ timeout: 120_000 });
  const viewport = page.getByTestId('viewport-image');
  const before = await viewport.screenshot();
  await page.getByTestId('mupax-samples').fill('256');
  await page.getByTestId('run-mupax').click();
  await expect(page.getByTestId('job-done')).toBeVisible({ timeout: 180_000 });
  await expect(page.getByTestId('convergence-plot')).toBeVisible();
  await page.waitForTimeout(500);
  expect(await overlayCoverage(page)).toBeGreaterThan(0.2);
  const withOverlay = await viewport.screenshot();
  expect(meanAbsDiff(before, withOverlay)).toBeGreaterThan(3);

  await page.getByTestId('overlay-colormap').selectOption('hot');
  await page.waitForTimeout(300);
  const hot = await viewport.screenshot();
  expect(meanAbsDiff(withOverlay, hot)).toBeGreaterThan(1);
  await page.getByTestId('overlay-opacity').fill('0.9');
  await page.waitForTimeout(300);
  expect(meanAbsDiff(hot, await viewport.screenshot())).toBeGreaterThan(1);
  await page.getByTestId('overlay-visible').uncheck();
  await page.waitForTimeout(300);
  expect(await overlayCoverage(page)).toBe(0);
  await page.getByTestId('overlay-visible').check();

  // Reload: the engine still holds the result; the map is shown again without recomputing.
  await page.reload();
  await expect(page.getByTestId('job-done')).toBeVisible({ timeout: 60_000 });
  await page.waitForTimeout(800);
  expect(await overlayCoverage(page)).toBeGreaterThan(0.2);
});

test('a running MUPAX job can be cancelled', async ({ page }) => {
  await page.goto(server.url);
  await openDemo(page, 'ceph');
  await expect(page.getByTestId('run-mupax')).toBeEnabled({ timeout: 120_000 });
  await page.getByTestId('mupax-samples').fill('50000');
  await page.getByTestId('run-mupax').click();
  await expect(page.getByTestId('job-running')).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('cancel-job').click();
  await expect(page.getByTestId('job-cancelled')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('job-cancelled')).toContainText('cancelled by the user');
});

test('Grad-CAM on the demo CT overlays all three planes; compare with MUPAX by swipe and difference', async ({ page }) => {
  await page.goto(server.url);
  await openDemo(page, 'ct');
  await expect(page.getByTestId('run-mupax')).toBeEnabled({ timeout: 120_000 });
  await page.getByTestId('explain-method').selectOption('gradcam');
  await page.getByTestId('run-mupax').click();
  await expect(page.getByTestId('job-done')).toBeVisible({ timeout: 120_000 });
  await page.waitForTimeout(800);
  for (const i of [0, 1, 2]) {
    const lit = await page.evaluate((i) => {
      const c = document.querySelector(`[data-testid="overlay-${i}"]`) as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let k = 3; k < d.length; k += 4) if (d[k] > 0) n++;
      return n;
    }, i);
    expect(lit, `overlay on viewport ${i}`).toBeGreaterThan(100);
  }
  // A quick MUPAX run to compare with.
  await page.getByTestId('explain-method').selectOption('mupax');
  await page.getByTestId('mupax-samples').fill('256');
  await page.getByTestId('run-mupax').click();
  await expect(page.getByTestId('job-done')).toHaveCount(2, { timeout: 240_000 });
  const axial = page.getByTestId('viewport-axial');
  const single = await axial.screenshot();
  await page.getByTestId('compare-job').selectOption({ index: 1 });
  await page.waitForTimeout(800);
  const swipe = await axial.screenshot();
  expect(meanAbsDiff(single, swipe)).toBeGreaterThan(0.5);
  await page.getByTestId('compare-mode').selectOption('difference');
  await page.waitForTimeout(800);
  expect(meanAbsDiff(swipe, await axial.screenshot())).toBeGreaterThan(0.5);
});
