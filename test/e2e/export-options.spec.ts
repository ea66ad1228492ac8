// The export panel's options reach the engine: a second export into the same folder is refused
// (naming the file) until "Replace existing files" is ticked; an anonymized PDF leaves the comment
// out unless "Include the comment" is ticked.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { openDemo } from './support/app';
import { startServer, type RunningServer } from './support/server';

let server: RunningServer;
const outRoot = mkdtempSync(path.join(os.tmpdir(), 'explicare-e2e-export-options-'));
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => {
  await server?.stop();
  rmSync(outRoot, { recursive: true, force: true });
});

const pdfText = (folder: string) => execFileSync('pdftotext', [path.join(folder, 'report.pdf'), '-'], { encoding: 'utf8' });

async function exportNow(page: Page): Promise<void> {
  const answered = page.waitForResponse((r) => r.url().includes('/api/exportReport'), { timeout: 180_000 });
  await page.getByTestId('export-run').click();
  await answered;
  await expect(page.getByTestId('export-run')).toHaveText('Export');
}

test('overwrite only when ticked; free text left out of anonymized output unless ticked', async ({ page }) => {
  await page.goto(server.url);
  await openDemo(page, 'ct');
  await expect(page.getByTestId('run-explain')).toBeEnabled({ timeout: 120_000 });
  await page.getByTestId('explain-method').selectOption('gradcam');
  await page.getByTestId('run-explain').click();
  await expect(page.getByTestId('job-done')).toHaveCount(1, { timeout: 120_000 });

  await page.getByTestId('tab-export').click();
  await page.getByTestId('export-dicom').uncheck();
  const folder = path.join(outRoot, 'case');
  await page.getByTestId('export-folder').fill(folder);
  await page.getByTestId('export-comment').fill('Seen by Dr Example on ward 7');
  await exportNow(page);
  await expect(page.getByTestId('export-result')).toBeVisible();

  // Same folder again: refused, naming the file; ticked: replaced.
  await exportNow(page);
  await expect(page.getByTestId('export-error')).toContainText('report.pdf');
  await page.getByTestId('export-overwrite').check();
  await exportNow(page);
  await expect(page.getByTestId('export-error')).toHaveCount(0);

  // Anonymized: the comment may name people, so it stays out unless ticked.
  await page.getByTestId('export-anonymize').check();
  const anon = path.join(outRoot, 'anon');
  await page.getByTestId('export-folder').fill(anon);
  await exportNow(page);
  expect(pdfText(anon)).not.toContain('Dr Example');
  await page.getByTestId('export-include-free-text').check();
  await exportNow(page);
  expect(pdfText(anon)).toContain('Dr Example');
});
