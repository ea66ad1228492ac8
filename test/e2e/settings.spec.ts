// The execution-provider setting end to end, in the browser variant on a machine without a GPU:
// WebGPU chosen -> the model runs on the CPU and both the result and the settings say why; CPU
// chosen -> the model is loaded again and runs on the CPU with no fallback, which the result, the
// settings view and the exported PDF report; the choice survives a reload (saved by the engine).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { openDemo } from './support/app';
import { startServer, type RunningServer } from './support/server';

let server: RunningServer;
const outDir = mkdtempSync(path.join(os.tmpdir(), 'explicare-e2e-settings-'));
test.beforeAll(async () => {
  // The choice in the app is what is tested: the environment must not decide over it.
  delete process.env.EXPLICARE_PROVIDER;
  server = await startServer();
});
test.afterAll(async () => {
  await server?.stop();
  rmSync(outDir, { recursive: true, force: true });
});

async function choose(page: Page, provider: string): Promise<void> {
  await page.getByTestId('tab-settings').click();
  await page.getByTestId(`settings-option-${provider}`).check();
  const saved = page.waitForResponse((r) => r.url().includes('/api/saveProviderSettings'));
  await page.getByTestId('settings-save').click();
  expect((await saved).status()).toBe(200);
  await expect(page.getByTestId('settings-saved-note')).toBeVisible();
}

/** Runs the model and returns the result's provider line once this run's answer is shown. */
async function runModel(page: Page): Promise<string> {
  await page.getByTestId('tab-model').click();
  const answered = page.waitForResponse((r) => r.url().includes('/api/runModel'), { timeout: 120_000 });
  await page.getByTestId('run-model').click();
  expect((await answered).status()).toBe(200);
  await expect(page.getByTestId('run-model')).toHaveText('Run');
  return (await page.getByTestId('provider').textContent()) ?? '';
}

test('choose WebGPU (falls back, with the reason), then the CPU: results, settings and the PDF report it', async ({ page }) => {
  await page.goto(server.url);
  await openDemo(page, 'ct');

  await page.getByTestId('tab-settings').click();
  await expect(page.getByTestId('settings-panel')).toBeVisible();
  await expect(page.getByTestId('settings-option-cpu')).toBeEnabled();

  await choose(page, 'webgpu');
  await expect(page.getByTestId('settings-effective')).toContainText('GPU (WebGPU)');
  const onWebgpu = await runModel(page);
  expect(onWebgpu).toContain('ran on CPU');
  expect(onWebgpu).toMatch(/GPU not used: webgpu: /);
  await page.getByTestId('tab-settings').click();
  await expect(page.getByTestId('settings-in-use')).toContainText('ran on CPU');
  await expect(page.getByTestId('settings-fallback')).toContainText('webgpu: ');

  await choose(page, 'cpu');
  await expect(page.getByTestId('settings-effective')).toContainText('tries CPU');
  await expect(page.getByTestId('settings-in-use')).toContainText('No model loaded under this choice yet');
  const onCpu = await runModel(page);
  expect(onCpu).toContain('ran on CPU');
  expect(onCpu).not.toContain('GPU not used');
  await page.getByTestId('tab-settings').click();
  await expect(page.getByTestId('settings-in-use')).toContainText('ran on CPU');
  await expect(page.getByTestId('settings-fallback')).toHaveCount(0);

  // The report names the provider of the prediction the app showed: the CPU run, without a fallback.
  await page.getByTestId('tab-model').click();
  await expect(page.getByTestId('run-explain')).toBeEnabled({ timeout: 120_000 });
  await page.getByTestId('explain-method').selectOption('gradcam');
  await page.getByTestId('run-explain').click();
  await expect(page.getByTestId('job-done')).toHaveCount(1, { timeout: 120_000 });
  await page.getByTestId('tab-export').click();
  await page.getByTestId('export-dicom').uncheck();
  await page.getByTestId('export-folder').fill(outDir);
  await page.getByTestId('export-run').click();
  await expect(page.getByTestId('export-result')).toBeVisible({ timeout: 180_000 });
  const pdf = execFileSync('pdftotext', ['-layout', path.join(outDir, 'report.pdf'), '-'], { encoding: 'utf8' });
  expect(pdf).toMatch(/Execution provider +CPU *\n/);
  expect(pdf).not.toContain('webgpu');

  // Saved by the engine: a reload shows the CPU as the saved choice.
  await page.reload();
  await openDemo(page, 'ct');
  await page.getByTestId('tab-settings').click();
  await expect(page.getByTestId('settings-option-cpu')).toBeChecked();
});
