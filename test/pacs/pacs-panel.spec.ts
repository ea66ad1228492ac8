// The PACS and Export panels against a real Orthanc: configure the server, search, open the demo CT
// with a progress bar, explain (Grad-CAM), export DICOM and send it back; Orthanc then holds the new
// series. Runs inside the private network namespace of `npm run test:pacs`.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { generateCtStudy, type CtDemoResult } from '../../src/main/engine/demo';
import { Engine } from '../../src/main/engine/engine';
import { startServer, type RunningServer } from '../e2e/support/server';
import { startOrthanc, type Orthanc } from './support/orthanc';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'explicare-pacs-ui-'));
let orthanc: Orthanc;
let server: RunningServer;
let demo: CtDemoResult;

test.beforeAll(async () => {
  orthanc = await startOrthanc(path.join(tmp, 'orthanc'));
  // The PACS holds the demo CT (stored with the engine's own STOW client).
  demo = await generateCtStudy({ seed: 1, outDir: path.join(tmp, 'demo-ct') });
  const uploader = new Engine({ cacheDir: path.join(tmp, 'uploader-cache') });
  await uploader.pacs.saveSettings({ baseUrl: orthanc.dicomWebUrl, authorization: orthanc.authorization, timeoutSeconds: 30 });
  expect((await uploader.pacs.send(demo.outDir, readdirSync(demo.outDir))).stored).toBe(120);
  await uploader.dispose();
  server = await startServer();
});
test.afterAll(async () => {
  await server?.stop();
  await orthanc?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

const seriesOnPacs = async () => {
  const res = await fetch(`${orthanc.dicomWebUrl}/studies/${demo.studyUid}/series`, {
    headers: { Authorization: orthanc.authorization, Accept: 'application/dicom+json' },
  });
  return ((await res.json()) as Record<string, { Value?: unknown[] }>[]).map((s) => String(s['00080060']?.Value?.[0]));
};

test('configure, search, open with progress, explain, export and send back to the PACS', async ({ page }) => {
  await page.goto(server.url);
  await page.getByTestId('open-pacs').click();
  await page.getByTestId('pacs-url').fill(orthanc.dicomWebUrl);
  await page.getByTestId('pacs-auth').fill('Basic ' + Buffer.from(`${orthanc.user}:wrong`).toString('base64'));
  await page.getByTestId('pacs-save').click();
  await page.getByTestId('pacs-patient-name').fill('Demo');
  await page.getByTestId('pacs-search-button').click();
  await expect(page.getByTestId('pacs-error')).toContainText('401 Unauthorized');

  await page.getByTestId('pacs-edit').click();
  await page.getByTestId('pacs-auth').fill(orthanc.authorization);
  await page.getByTestId('pacs-save').click();
  await expect(page.getByTestId('pacs-server')).toContainText('with authorization');
  await page.getByTestId('pacs-modality').selectOption('MR');
  await page.getByTestId('pacs-search-button').click();
  await expect(page.getByTestId('pacs-no-results')).toBeVisible();
  await page.getByTestId('pacs-modality').selectOption('CT');
  await page.getByTestId('pacs-search-button').click();
  await expect(page.getByTestId('pacs-results').locator('li')).toHaveCount(1);
  await expect(page.getByTestId('pacs-results')).toContainText('120 images');
  await page.getByTestId('pacs-series-toggle').click();
  await expect(page.getByTestId('pacs-series').locator('li')).toHaveCount(1);
  await expect(page.getByTestId('pacs-series')).toContainText('CT');

  await page.getByTestId('pacs-open').click();
  await expect(page.getByTestId('pacs-transfer')).toBeVisible();
  await page.getByTestId('viewport-axial').locator('canvas').waitFor({ timeout: 120_000 });
  await page.getByTestId('busy').waitFor({ state: 'detached', timeout: 120_000 });

  await expect(page.getByTestId('run-explain')).toBeEnabled({ timeout: 120_000 });
  await page.getByTestId('explain-method').selectOption('gradcam');
  await page.getByTestId('run-explain').click();
  await expect(page.getByTestId('job-done')).toBeVisible({ timeout: 120_000 });

  await page.getByTestId('tab-export').click();
  await page.getByTestId('export-pdf').uncheck();
  await page.getByTestId('export-folder').fill(path.join(tmp, 'export'));
  await page.getByTestId('export-run').click();
  await expect(page.getByTestId('export-result')).toBeVisible({ timeout: 180_000 });
  const dicomFiles = (await page.getByTestId('export-file').allTextContents()).filter((f) => f.endsWith('.dcm'));
  expect(dicomFiles.length).toBeGreaterThanOrEqual(1);
  expect(await seriesOnPacs()).toEqual(['CT']);
  await page.getByTestId('export-send').click();
  await expect(page.getByTestId('export-sent')).toContainText(`PACS stored ${dicomFiles.length} of ${dicomFiles.length} instance(s).`, { timeout: 120_000 });
  const after = await seriesOnPacs();
  expect(after).toContain('OT'); // the Secondary Capture key images, beside the CT
  expect(after.length).toBeGreaterThan(1);
});
