// Switching studies keeps records apart: a comment, an export result and its "Send to PACS" button
// typed or made on the demo cephalogram never appear on the demo CT, nor in the CT patient's PDF;
// going back to the cephalogram finds them unchanged (nothing the user typed is silently dropped).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { openDemo } from './support/app';
import { startServer, type RunningServer } from './support/server';

let server: RunningServer;
const outRoot = mkdtempSync(path.join(os.tmpdir(), 'explicare-e2e-records-'));
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => {
  await server?.stop();
  rmSync(outRoot, { recursive: true, force: true });
});

const CEPH_COMMENT = 'Ceph review: gonion checked by hand (patient A)';
const CT_COMMENT = 'CT review: right upper lobe';

async function runGradCam(page: Page): Promise<void> {
  await page.getByTestId('tab-model').click();
  await expect(page.getByTestId('run-explain')).toBeEnabled({ timeout: 120_000 });
  await page.getByTestId('explain-method').selectOption('gradcam');
  const done = await page.getByTestId('job-done').count();
  await page.getByTestId('run-explain').click();
  await expect(page.getByTestId('job-done')).toHaveCount(done + 1, { timeout: 180_000 });
}

async function exportTo(page: Page, folder: string, comment: string): Promise<void> {
  await page.getByTestId('tab-export').click();
  await page.getByTestId('export-dicom').uncheck();
  await page.getByTestId('export-folder').fill(folder);
  await page.getByTestId('export-comment').fill(comment);
  await page.getByTestId('export-run').click();
  await expect(page.getByTestId('export-result')).toBeVisible({ timeout: 180_000 });
}

const pdfText = (file: string) => execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });

test('comment, export result and PDF stay with their series when switching between the demo ceph and CT', async ({ page }) => {
  await page.goto(server.url);
  await openDemo(page, 'ceph');
  await runGradCam(page);
  const cephOut = path.join(outRoot, 'ceph');
  await exportTo(page, cephOut, CEPH_COMMENT);
  expect(pdfText(path.join(cephOut, 'report.pdf'))).toContain('gonion checked by hand');

  // A second comment typed after the export is kept too (not only what was exported).
  await page.getByTestId('export-comment').fill(`${CEPH_COMMENT} - second look pending`);

  await openDemo(page, 'ct');
  await page.getByTestId('tab-export').click();
  await expect(page.getByTestId('export-comment')).toHaveValue('');
  await expect(page.getByTestId('export-result')).toHaveCount(0);
  await expect(page.getByTestId('export-send')).toHaveCount(0);
  await expect(page.getByTestId('export-folder')).toHaveValue('');
  // The load report is the CT's own: the CT series came from the demo CT's files.
  await expect(page.getByTestId('open-report')).toBeVisible();

  await runGradCam(page);
  const ctOut = path.join(outRoot, 'ct');
  await exportTo(page, ctOut, CT_COMMENT);
  const ct = pdfText(path.join(ctOut, 'report.pdf'));
  expect(ct).toContain('right upper lobe');
  expect(ct).not.toContain('Ceph review');
  expect(ct).not.toContain('gonion checked');
  await expect(page.getByTestId('export-result-folder')).toHaveText(ctOut);

  // Back on the cephalogram: its comment (as last typed) and its own export result are there.
  await page.getByTestId('series-DX').click();
  await page.getByTestId('busy').waitFor({ state: 'detached', timeout: 120_000 });
  await page.getByTestId('tab-export').click();
  await expect(page.getByTestId('export-comment')).toHaveValue(`${CEPH_COMMENT} - second look pending`);
  await expect(page.getByTestId('export-result-folder')).toHaveText(cephOut);
  await expect(page.getByTestId('export-folder')).toHaveValue(cephOut);
});
