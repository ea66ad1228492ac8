// Opening and closing studies from the workstation: the Open button and a drop on the window add
// a study next to the open one (and select it); Close takes a study off and moves to the next
// one, or back to the start screen; opening a closed study again brings it back.
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { openDemo } from './support/app';
import { startServer, type RunningServer } from './support/server';

const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
let server: RunningServer;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => server?.stop());

test('open by button and by drop while a study is open, then close them one by one', async ({ page }) => {
  await page.goto(server.url);
  await openDemo(page, 'ct');
  await expect(page.getByTestId('study-entry')).toHaveCount(1);

  // The workstation's own Open button (browser variant: the file picker).
  await page
    .getByTestId('ws-file-input')
    .setInputFiles({ name: 'CT_small.dcm', mimeType: 'application/dicom', buffer: readFileSync(`${PYDICOM}/CT_small.dcm`) });
  await expect(page.getByTestId('study-entry')).toHaveCount(2, { timeout: 60_000 });
  await expect(page.getByTestId('viewport-image').locator('canvas')).toBeVisible({ timeout: 60_000 }); // the single slice is selected

  // Drop a file on the window: an MR opens next to the others.
  const bytes = [...readFileSync(`${PYDICOM}/MR_small.dcm`)];
  const transfer = await page.evaluateHandle((data) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(data)], 'MR_small.dcm', { type: 'application/dicom' }));
    return dt;
  }, bytes);
  await page.getByTestId('workstation').dispatchEvent('dragover', { dataTransfer: transfer });
  await page.getByTestId('workstation').dispatchEvent('drop', { dataTransfer: transfer });
  await expect(page.getByTestId('study-entry')).toHaveCount(3, { timeout: 60_000 });
  await expect(page.getByTestId('series-MR')).toBeVisible();
  await page.getByTestId('busy').waitFor({ state: 'detached', timeout: 60_000 });

  // Close the MR (selected): the viewer moves to another open study.
  await page.getByTestId('study-entry').filter({ has: page.getByTestId('series-MR') }).getByTestId('close-study').click();
  await expect(page.getByTestId('study-entry')).toHaveCount(2);
  await expect(page.getByTestId('series-MR')).toHaveCount(0);
  await expect(page.locator('.series.active')).toHaveCount(1, { timeout: 60_000 });

  // Close everything: the start screen comes back; the demo CT opens again from there.
  for (let left = 2; left > 0; left--) {
    await page.getByTestId('busy').waitFor({ state: 'detached', timeout: 60_000 });
    await page.getByTestId('close-study').first().click();
    if (left > 1) await expect(page.getByTestId('study-entry')).toHaveCount(left - 1);
  }
  await expect(page.getByTestId('start-screen')).toBeVisible();
  await openDemo(page, 'ct');
  await expect(page.getByTestId('study-entry')).toHaveCount(1);
  await expect(page.getByTestId('series-CT')).toBeVisible();
});
