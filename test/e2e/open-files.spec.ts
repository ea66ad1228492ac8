// Opening the user's own files in the browser: real DICOM opens, bad files are listed with reasons.
import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { startServer, type RunningServer } from './support/server';

const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
let server: RunningServer;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => server?.stop());

test('a non-DICOM file alone gives a clear message and nothing opens', async ({ page }) => {
  await page.goto(server.url);
  await page.getByTestId('file-input').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not an image') });
  await expect(page.getByTestId('error')).toContainText('No DICOM images found in 1 file(s)');
  await expect(page.getByTestId('start-screen')).toBeVisible();
});

test('opens real files and lists the skipped ones with their reasons', async ({ page }) => {
  await page.goto(server.url);
  const file = (name: string) => ({ name, mimeType: 'application/dicom', buffer: readFileSync(`${PYDICOM}/${name}`) });
  await page.getByTestId('file-input').setInputFiles([
    file('CT_small.dcm'),
    file('MR_truncated.dcm'),
    { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not an image') },
  ]);
  await expect(page.getByTestId('series-CT')).toBeVisible({ timeout: 60_000 });
  const skipped = page.getByTestId('skipped-files');
  await expect(skipped).toContainText('notes.txt: not a DICOM file');
  await expect(skipped).toContainText('MR_truncated.dcm: truncated');
  // One CT slice is a single image: shown in the 2D viewport, with its tags.
  await expect(page.getByTestId('viewport-image').locator('canvas')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('tag-panel')).toContainText('ImagePositionPatient');
});
