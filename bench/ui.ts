// Viewer figures in headless Chromium (SwiftShader WebGL, so slower than a GPU): frame time while
// scrolling the axial CT viewport with two overlays (swipe comparison), and the time from a job
// being reported done to its overlay being drawn. Prints JSON.
import { chromium } from 'playwright-core';
import { startServer } from '../test/e2e/support/server';

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const server = await startServer();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(server.url);
  await page.getByTestId('open-demo-ct').click();
  await page.getByTestId('run-explain').waitFor({ timeout: 180_000 });
  await page.getByTestId('explain-method').selectOption('gradcam');
  await page.getByTestId('run-explain').click();
  await page.getByTestId('job-done').waitFor({ timeout: 180_000 });

  // Job done -> overlay on screen (map fetch + draw), measured in the page.
  await page.getByTestId('explain-method').selectOption('mupax');
  await page.getByTestId('mupax-samples').fill('256');
  await page.getByTestId('run-explain').click();
  // From the moment the app learns the job is done to the overlay drawn (user-timing marks).
  for (let t = 0; (await page.getByTestId('job-done').count()) < 2; t++) {
    if (t > 2400) throw new Error('MUPAX did not finish');
    await page.waitForTimeout(100);
  }
  await page.waitForTimeout(1000);
  const doneToOverlayMs = (await page.evaluate(`(() => {
    const done = performance.getEntriesByName('explicare:job-done').at(-1).startTime;
    const drawn = performance.getEntriesByName('explicare:overlay-drawn').filter((m) => m.startTime >= done)[0];
    return drawn ? drawn.startTime - done : null;
  })()`)) as number | null;
  await page.locator('input[type="checkbox"][data-testid^="compare-"]').first().check();
  await page.waitForTimeout(1000);

  // Scroll frames: scroll one slice, then wait until the overlays have been redrawn (3 frames).
  const scrollFrames = async () =>
    (await page.evaluate(`(async () => {
      const v = window.__explicareViewer;
      const raf = () => new Promise((r) => requestAnimationFrame(r));
      const times = [];
      for (let i = 0; i < 40; i++) {
        const t0 = performance.now();
        v.scroll(0, i < 20 ? 1 : -1);
        await raf(); await raf(); await raf();
        times.push(performance.now() - t0);
      }
      return times;
    })()`)) as number[];
  // Rows: one synchronized row of three planes per method (6 viewports, 6 overlays).
  const rows = await scrollFrames();
  await page.getByTestId('compare-mode').selectOption('swipe');
  await page.waitForTimeout(1000);
  // Swipe: both methods fused on the same three viewports.
  const swipe = await scrollFrames();
  console.log(
    JSON.stringify({
      scrollFrameMsMedian: pct(swipe, 50),
      scrollFrameMsP95: pct(swipe, 95),
      overlays: 2,
      rowsScrollFrameMsMedian: pct(rows, 50),
      rowsScrollFrameMsP95: pct(rows, 95),
      rowsViewports: 6,
      jobDoneToOverlayMs: doneToOverlayMs,
      renderer: 'headless Chromium, SwiftShader WebGL2',
    }),
  );
} finally {
  await browser.close();
  await server.stop();
}
