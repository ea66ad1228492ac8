// Export progress is live: while the export call is pending, the panel shows the engine's object
// n of m and the bytes written, and both advance before the result appears. Cancel stops an export
// before anything reaches its folder. In the browser variant the exported PDF opens in a new tab
// from bytes the engine serves (only a file of that export, as application/pdf).
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { openDemo } from './support/app';
import { startServer, type RunningServer } from './support/server';

let server: RunningServer;
const outRoot = mkdtempSync(path.join(os.tmpdir(), 'explicare-e2e-export-progress-'));
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => {
  await server?.stop();
  rmSync(outRoot, { recursive: true, force: true });
});

interface Seen {
  t: number;
  phase: string;
  object: number;
  objects: number;
  bytes: number;
  text: string;
  resultShown: boolean;
}

test('progress advances before the export completes; cancel writes nothing; the PDF opens in a tab', async ({ page }) => {
  await page.goto(server.url);
  await openDemo(page, 'ct');
  await expect(page.getByTestId('run-explain')).toBeEnabled({ timeout: 120_000 });
  await page.getByTestId('explain-method').selectOption('gradcam');
  await page.getByTestId('run-explain').click();
  await expect(page.getByTestId('job-done')).toHaveCount(1, { timeout: 120_000 });
  await page.getByTestId('tab-export').click();

  // Cancel: as soon as the engine reports progress, stop; the folder stays without files.
  const cancelled = path.join(outRoot, 'cancelled');
  await page.getByTestId('export-folder').fill(cancelled);
  await page.getByTestId('export-run').click();
  await expect(page.getByTestId('export-progress')).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('export-cancel').click();
  await expect(page.getByTestId('export-error')).toHaveText('Export cancelled: nothing was written', { timeout: 120_000 });
  await expect(page.getByTestId('export-cancelled')).toBeVisible();
  await expect(page.getByTestId('export-result')).toHaveCount(0);
  expect(existsSync(cancelled) ? readdirSync(cancelled, { recursive: true }) : []).toEqual([]);

  // A full export, watched from the page every 50 ms until its result is shown.
  const folder = path.join(outRoot, 'full');
  await page.getByTestId('export-folder').fill(folder);
  await page.evaluate(() => {
    const log: Seen[] = [];
    (window as unknown as { __progress: Seen[] }).__progress = log;
    const t0 = performance.now();
    const timer = setInterval(() => {
      const el = document.querySelector<HTMLElement>('[data-testid="export-progress"]');
      const resultShown = !!document.querySelector('[data-testid="export-result"]');
      if (el)
        log.push({
          t: performance.now() - t0,
          phase: el.dataset.phase ?? '',
          object: Number(el.dataset.object),
          objects: Number(el.dataset.objects),
          bytes: Number(el.dataset.bytes),
          text: el.querySelector('[data-testid="export-progress-text"]')?.textContent ?? '',
          resultShown,
        });
      if (resultShown) clearInterval(timer);
    }, 50);
  });
  await page.getByTestId('export-run').click();
  await expect(page.getByTestId('export-result')).toBeVisible({ timeout: 180_000 });
  // Only what was shown before the result appeared counts.
  const seen = (await page.evaluate(() => (window as unknown as { __progress: Seen[] }).__progress)).filter((s) => !s.resultShown);
  const files = await page.getByTestId('export-file').allTextContents();
  expect(files).toHaveLength(5); // PDF, key image, Parametric Map, SEG, SR

  // Objects counted the export's files and only went up, as did the bytes.
  const writing = seen.filter((s) => s.phase === 'write');
  expect(writing.length).toBeGreaterThan(0);
  expect(writing.every((s) => s.objects === files.length)).toBe(true);
  for (let i = 1; i < seen.length; i++) {
    expect(seen[i].object).toBeGreaterThanOrEqual(seen[i - 1].object);
    expect(seen[i].bytes).toBeGreaterThanOrEqual(seen[i - 1].bytes);
  }
  // It advanced while the call was pending: several objects and a growing byte count were shown.
  const objectsShown = new Set(writing.map((s) => s.object));
  expect(objectsShown.size).toBeGreaterThanOrEqual(2);
  const bytesShown = new Set(writing.map((s) => s.bytes));
  expect(bytesShown.size).toBeGreaterThanOrEqual(2);
  expect(writing.some((s) => /^Writing \d of 5: .+ written$/.test(s.text))).toBe(true);

  // The PDF opens in a new tab, from the bytes the engine served as application/pdf.
  const served = page.waitForResponse((r) => r.url().includes('/api/getExportFile'));
  const popup = page.waitForEvent('popup');
  await page.getByTestId('export-open-pdf').click();
  const response = await served;
  expect(response.status()).toBe(200);
  expect(response.headers()['content-type']).toBe('application/pdf');
  expect(response.headers()['content-disposition']).toBe('inline; filename="report.pdf"');
  const tab = await popup;
  const link = page.getByTestId('export-pdf-link');
  const url = await link.getAttribute('href');
  expect(url).toMatch(/^blob:http:\/\/127\.0\.0\.1:\d+\//);
  expect(tab.url()).toBe(url);
  expect((await response.body()).subarray(0, 5).toString()).toBe('%PDF-');
  await tab.waitForLoadState();
  expect(await tab.evaluate(() => document.contentType)).toBe('application/pdf');
});
