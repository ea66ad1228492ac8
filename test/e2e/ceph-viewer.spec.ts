// Demo cephalogram: a 2D viewport calibrated in mm; measuring sella-nasion matches the truth within 1%.
import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { viewportRendered } from './support/overlay';
import { stats } from './support/pixels';
import { startServer, type RunningServer } from './support/server';

let server: RunningServer;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => server?.stop());

interface Landmark { name: string; pixel: [number, number]; patient: [number, number, number] }
type CanvasOf = { canvasOf(i: number, w: number[]): [number, number] };

test('opens the demo cephalogram and measures a known distance in mm', async ({ page }) => {
  await page.goto(server.url);
  await page.getByTestId('open-demo-ceph').click();
  const viewport = page.getByTestId('viewport-image');
  await expect(viewport.locator('canvas')).toBeVisible({ timeout: 120_000 });
  await viewportRendered(page, 'viewport-image');
  const s = stats(await viewport.screenshot());
  expect(s.std).toBeGreaterThan(15);

  const truthFile = readdirDemo(server.cacheDir);
  const truth = JSON.parse(readFileSync(truthFile, 'utf8')) as { landmarks: Landmark[] };
  const sella = truth.landmarks[0];
  const nasion = truth.landmarks[1];
  // Expected: pixel distance x 0.1 mm (ImagerPixelSpacing of the demo), independent of the viewer.
  const expectedMm = Math.hypot(sella.pixel[0] - nasion.pixel[0], sella.pixel[1] - nasion.pixel[1]) * 0.1;

  await page.getByTestId('tool-length').click();
  const box = (await viewport.boundingBox())!;
  const [a, b] = await page.evaluate(
    ([p, q]) => {
      const v = (window as unknown as { __explicareViewer: CanvasOf }).__explicareViewer;
      return [v.canvasOf(0, p), v.canvasOf(0, q)];
    },
    [sella.patient, nasion.patient],
  );
  await page.mouse.move(box.x + a[0], box.y + a[1]);
  await page.mouse.down();
  await page.mouse.move(box.x + (a[0] + b[0]) / 2, box.y + (a[1] + b[1]) / 2, { steps: 5 });
  await page.mouse.move(box.x + b[0], box.y + b[1], { steps: 5 });
  await page.mouse.up();

  const text = await page.getByTestId('measurement-0').innerText({ timeout: 10_000 });
  const measured = Number(/([\d.]+) mm/.exec(text)![1]);
  expect(Math.abs(measured - expectedMm) / expectedMm).toBeLessThan(0.01);
  await expect(page.getByTestId('measurements')).toContainText('ImagerPixelSpacing');
});

function readdirDemo(cacheDir: string): string {
  return path.join(cacheDir, 'demo', 'ceph-seed1', 'groundtruth.json');
}
