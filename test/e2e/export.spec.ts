// The export panel: after Grad-CAM on the demo CT, export the PDF report and DICOM key images to a
// folder typed in (serve mode has no native dialog) and find the files on disk; the PACS panel
// validates settings in the engine and offers "Send" only once a PACS is configured.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { openDemo } from './support/app';
import { startServer, type RunningServer } from './support/server';

let server: RunningServer;
const outDir = mkdtempSync(path.join(os.tmpdir(), 'explicare-e2e-export-'));
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => {
  await server?.stop();
  rmSync(outDir, { recursive: true, force: true });
});

test('export PDF and DICOM of the demo CT after Grad-CAM; the files appear in the chosen folder', async ({ page }) => {
  await page.goto(server.url);
  await openDemo(page, 'ct');

  // Nothing explained yet: the engine says what to do first.
  await page.getByTestId('tab-export').click();
  await page.getByTestId('export-run').click();
  await expect(page.getByTestId('export-error')).toContainText('run an explanation');

  await page.getByTestId('tab-model').click();
  await expect(page.getByTestId('run-explain')).toBeEnabled({ timeout: 120_000 });
  await page.getByTestId('explain-method').selectOption('gradcam');
  await page.getByTestId('run-explain').click();
  await expect(page.getByTestId('job-done')).toBeVisible({ timeout: 120_000 });

  await page.getByTestId('tab-export').click();
  await page.getByTestId('export-folder').fill('relative/folder');
  await page.getByTestId('export-run').click();
  await expect(page.getByTestId('export-error')).toContainText('absolute path');

  await page.getByTestId('export-folder').fill(outDir);
  await page.getByTestId('export-comment').fill('Reviewed in the e2e test.');
  await page.getByTestId('export-run').click();
  await expect(page.getByTestId('export-result')).toBeVisible({ timeout: 180_000 });
  await expect(page.getByTestId('export-result-folder')).toHaveText(outDir);
  const files = await page.getByTestId('export-file').allTextContents();
  expect(files).toContain('report.pdf');
  expect(files).toContain(path.join('dicom', 'SC-gradcam.dcm'));
  expect(readFileSync(path.join(outDir, 'report.pdf')).subarray(0, 5).toString()).toBe('%PDF-');
  for (const f of files.filter((x) => x.endsWith('.dcm'))) expect(readFileSync(path.join(outDir, f)).subarray(128, 132).toString()).toBe('DICM');
  expect(existsSync(path.join(outDir, 'relative'))).toBe(false);
  // No PACS configured: sending is offered but disabled.
  await expect(page.getByTestId('export-send')).toBeDisabled();

  // PACS settings are validated by the engine; nothing is contacted.
  await page.getByTestId('tab-pacs').click();
  await page.getByTestId('pacs-url').fill('ftp://pacs.example.org/dicom-web');
  await page.getByTestId('pacs-save').click();
  await expect(page.getByTestId('pacs-error')).toContainText('http:// or https://');
});
