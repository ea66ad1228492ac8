// The sanity check from a finished map's job card: Grad-CAM on the demo CT (finding class), the
// randomization test run by the engine, the verdict in words and its curve, and the engine's own
// figures behind it (read back over the API) agreeing with what the card says, and the PDF
// export reporting the verdict beside the map's parameters.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { openDemo } from './support/app';
import { startServer, type RunningServer } from './support/server';

let server: RunningServer;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => server?.stop());

test('a Grad-CAM map passes the model-parameter randomization test, and the card shows why', async ({ page }) => {
  await page.goto(server.url);
  await openDemo(page, 'ct');
  await expect(page.getByTestId('run-explain')).toBeEnabled({ timeout: 120_000 });
  await page.getByTestId('explain-method').selectOption('gradcam');
  await page.getByTestId('run-explain').click();
  await expect(page.getByTestId('job-done')).toHaveCount(1, { timeout: 120_000 });
  await page.getByTestId('sanity-run').click();
  await expect(page.getByTestId('sanity-verdict')).toBeVisible({ timeout: 180_000 });
  await expect(page.getByTestId('sanity-verdict')).toContainText(/^Passes: with every weight layer redrawn the map's rank correlation with the original falls to -?[\d.]+/);
  await expect(page.getByTestId('sanity-curve').locator('polyline')).toHaveAttribute('points', /^(\S+ ){6}\S+$/); // intact + 6 steps

  // The card reads the engine's result: the last step's rho is the one in the sentence.
  const token = new URL(server.url).hash.replace('#token=', '');
  const report = await page.evaluate(async (tok) => {
    const post = async (method: string, body: unknown) => (await fetch(`./api/${method}`, { method: 'POST', body: JSON.stringify(body), headers: { Authorization: `Bearer ${tok}`, 'Content-Type': 'application/json' } })).json();
    const job = (await post('listJobs', {}))[0];
    const started = await post('startSanityCheck', { jobId: job.id, steps: 2 });
    for (;;) {
      const s = await post('getSanityCheck', { sanityId: started.id });
      if (s.state !== 'running') return s;
      await new Promise((r) => setTimeout(r, 500));
    }
  }, token);
  expect(report.state).toBe('done');
  expect(report.result.steps).toHaveLength(2);
  expect(report.result.method).toBe('gradcam');
  expect(report.result.target).toBe('nodule');
  expect(report.result.layerCount).toBe(9); // weight layers of the demo CT model 1.2.0

  // The PDF names the verdict of the map's latest sanity check.
  const folder = mkdtempSync(path.join(os.tmpdir(), 'explicare-e2e-sanity-'));
  try {
    await page.getByTestId('tab-export').click();
    await page.getByTestId('export-dicom').uncheck();
    await page.getByTestId('export-folder').fill(path.join(folder, 'out'));
    await page.getByTestId('export-run').click();
    await expect(page.getByTestId('export-result')).toBeVisible({ timeout: 180_000 });
    const text = execFileSync('pdftotext', [path.join(folder, 'out', 'report.pdf'), '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    expect(text).toMatch(/PASSES the model-parameter randomization test: with every weight layer redrawn/);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});
