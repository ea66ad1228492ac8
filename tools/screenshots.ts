// Captures the README screenshots from the real app (npm run serve) in headless Chromium:
//   npx tsx tools/screenshots.ts
//     docs/screenshot-ct.png       demo CT, lung window
//     docs/compare-ct.png          demo CT: MUPAX's significant evidence and Grad-CAM for the class
//                                  "nodule", one synchronized row per method, on MUPAX's peak slice
//     docs/compare-ceph.png        demo cephalogram: landmarks with errors, MUPAX beside Grad-CAM
//     docs/screenshot-ceph.png     demo cephalogram with landmarks and the error table
// SAMPLES (default 1024) sets the MUPAX sample count.
import { chromium, type Page } from 'playwright-core';
import { openDemo } from '../test/e2e/support/app';
import { startServer } from '../test/e2e/support/server';

const SAMPLES = process.env.SAMPLES ?? '1024';

async function explain(page: Page, method: string, doneCount: number): Promise<void> {
  await page.getByTestId('explain-method').selectOption(method);
  if (method === 'mupax') await page.getByTestId('mupax-samples').fill(SAMPLES);
  await page.getByTestId('run-explain').click();
  await page.getByTestId('job-done').nth(doneCount - 1).waitFor({ timeout: 900_000 });
}

/** Clicks the per-slice saliency plot at the peak of curve `curve` (0: shown method, 1: first compared). */
async function jumpToPeak(page: Page, curve: number): Promise<void> {
  const plot = page.getByTestId('slice-mass').locator('svg');
  const fraction = await plot.evaluate((svg, curve) => {
    const d = svg.querySelectorAll('path')[curve]?.getAttribute('d') ?? '';
    const points = [...d.matchAll(/[ML]([\d.]+),([\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
    const top = points.reduce((a, b) => (b[1] < a[1] ? b : a), points[0] ?? [0, 0]);
    return top[0] / 600;
  }, curve);
  const box = (await plot.boundingBox())!;
  await page.mouse.click(box.x + fraction * box.width, box.y + box.height / 2);
}

const server = await startServer();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  await page.goto(server.url);
  await openDemo(page, 'ct');
  await page.getByTestId('preset-lung').click();
  await page.waitForTimeout(1500);
  await page.screenshot({ path: 'docs/screenshot-ct.png' });

  await page.getByTestId('run-model').click();
  await page.getByTestId('prediction').waitFor();
  // The model misses this study's nodules (see its card): show the evidence it sees FOR a nodule.
  await page.getByTestId('explain-target').selectOption('1');
  await explain(page, 'gradcam', 1);
  await explain(page, 'mupax', 2);
  await page.getByTestId('compare-gradcam').check();
  await page.getByTestId('viewport-axial-r1').waitFor();
  await jumpToPeak(page, 0); // MUPAX's region (its slice mass counts only the region)
  await page.waitForTimeout(2000);
  await page.screenshot({ path: 'docs/compare-ct.png' });

  await openDemo(page, 'ceph');
  await page.getByTestId('run-model').click();
  await page.getByTestId('landmark-table').waitFor({ timeout: 120_000 });
  await page.waitForTimeout(1000);
  await page.screenshot({ path: 'docs/screenshot-ceph.png' });
  await explain(page, 'gradcam', 1);
  await explain(page, 'mupax', 2);
  await page.getByTestId('compare-gradcam').check();
  await page.getByTestId('viewport-image-r1').waitFor();
  await page.waitForTimeout(2000);
  await page.screenshot({ path: 'docs/compare-ceph.png' });
} finally {
  await browser.close();
  await server.stop();
}
