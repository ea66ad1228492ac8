// One slice numbering: the axial viewport, the tag panel and the PDF name the same slice the same
// way (slice k/N in volume order, the file's InstanceNumber, z in mm), and the PDF shows every
// method's key image on the same slice.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { openDemo } from './support/app';
import { startServer, type RunningServer } from './support/server';

let server: RunningServer;
const outDir = mkdtempSync(path.join(os.tmpdir(), 'explicare-e2e-slices-'));
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => {
  await server?.stop();
  rmSync(outDir, { recursive: true, force: true });
});

interface ViewerProbe {
  scroll(index: number, delta: number): void;
  getSliceIndex(i: number): { acquiredSlice: number | null };
}

/** Scrolls the axial viewport until it shows acquired slice k (0-based). */
async function goToSlice(page: Page, k: number): Promise<void> {
  await page.evaluate((target) => {
    const v = (window as unknown as { __explicareViewer: ViewerProbe }).__explicareViewer;
    for (let guard = 0; guard < 1000 && v.getSliceIndex(0).acquiredSlice !== target; guard++) {
      const before = v.getSliceIndex(0).acquiredSlice!;
      v.scroll(0, 1);
      const after = v.getSliceIndex(0).acquiredSlice!;
      // Scroll direction against k depends on orientation: turn around if this step went away.
      if (Math.abs(after - target) > Math.abs(before - target)) v.scroll(0, -2);
    }
  }, k);
}

const SLICE = /slice (\d+)\/(\d+) · Im (\d+) · z = (-?[\d.]+) mm/;

test('viewer, tag panel and PDF agree on slice numbers; both methods share the key slice', async ({ page }) => {
  await page.goto(server.url);
  await openDemo(page, 'ct');

  // Scroll somewhere else first: the viewer and the tag panel follow the same slice.
  await page.getByTestId('viewport-axial').hover();
  for (let i = 0; i < 7; i++) await page.mouse.wheel(0, 120);
  await page.getByTestId('tab-tags').click();
  const viewerText = (await page.getByTestId('slice-axial').innerText()).trim();
  expect(viewerText).toMatch(SLICE);
  await expect(page.getByTestId('tag-slice')).toHaveText(viewerText);
  // The Im number is the file's InstanceNumber, as the tag table itself lists it.
  const im = SLICE.exec(viewerText)![3];
  await expect(page.getByTestId('tag-panel').locator('tr', { hasText: 'InstanceNumber' })).toContainText(im);

  // Two gradient methods, one export: both key images on one slice, named as the viewer names it.
  await page.getByTestId('tab-model').click();
  await expect(page.getByTestId('run-explain')).toBeEnabled({ timeout: 120_000 });
  for (const [n, method] of ['gradcam', 'gradcampp'].entries()) {
    await page.getByTestId('explain-method').selectOption(method);
    await page.getByTestId('run-explain').click();
    await expect(page.getByTestId('job-done')).toHaveCount(n + 1, { timeout: 180_000 });
  }
  await page.getByTestId('tab-export').click();
  await page.getByTestId('export-dicom').uncheck();
  await page.getByTestId('export-folder').fill(outDir);
  await page.getByTestId('export-run').click();
  await expect(page.getByTestId('export-result')).toBeVisible({ timeout: 180_000 });
  const pdf = execFileSync('pdftotext', [path.join(outDir, 'report.pdf'), '-'], { encoding: 'utf8' });
  const captions = [...pdf.matchAll(/(gradcam|gradcampp): (slice \d+\/\d+ · Im \d+ · z = -?[\d.]+ mm)/g)];
  expect(captions.map((c) => c[1]).sort()).toEqual(['gradcam', 'gradcampp']);
  expect(captions[0][2]).toBe(captions[1][2]);

  // Go to the PDF's key slice in the viewer: the viewport and the tag panel read exactly the caption.
  const k = Number(SLICE.exec(captions[0][2])![1]) - 1;
  await goToSlice(page, k);
  await expect(page.getByTestId('slice-axial')).toHaveText(captions[0][2]);
  await page.getByTestId('tab-tags').click();
  await expect(page.getByTestId('tag-slice')).toHaveText(captions[0][2]);
});
