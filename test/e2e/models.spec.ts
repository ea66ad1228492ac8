// Models in the app: the demo classifier on the demo CT, the landmark detector on the demo
// cephalogram (landmarks, errors, MRE, draggable truth), and a broken package's message.
import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { openDemo } from './support/app';
import { startServer, type RunningServer } from './support/server';

let server: RunningServer;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => server?.stop());

test('demo CT: the nodule classifier gives a probability, and says where it ran', async ({ page }) => {
  await page.goto(server.url);
  await openDemo(page, 'ct');
  await expect(page.getByTestId('slice-axial')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('model-select')).toContainText('nodule');
  await page.getByTestId('run-model').click();
  await expect(page.getByTestId('prediction')).toBeVisible({ timeout: 60_000 });
  const p0 = Number((await page.getByTestId('probability-0').innerText()).replace('%', ''));
  const p1 = Number((await page.getByTestId('probability-1').innerText()).replace('%', ''));
  expect(p0 + p1).toBeCloseTo(100, 0);
  // The app (browser -> engine -> worker -> ONNX Runtime) shows what torch computed for this study
  // (tools/export_reference.py, demo seed 1: p(nodule) 0.54 with model 1.2, a narrow hit; see its card).
  const reference = JSON.parse(readFileSync('resources/models/ct-nodule-classifier/reference.json', 'utf8')) as {
    cases: { seed: number; probabilityNodule: number }[];
  };
  const expected = reference.cases.find((c) => c.seed === 1)!.probabilityNodule * 100;
  expect(Math.abs(p1 - expected)).toBeLessThan(0.11); // shown with one decimal
  await expect(page.getByTestId('provider')).toContainText('CPU');
});

test('demo ceph: 19 landmarks drawn with errors against the ground truth; dragging updates them', async ({ page }) => {
  await page.goto(server.url);
  await openDemo(page, 'ceph');
  await expect(page.getByTestId('viewport-image').locator('canvas')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('model-select')).toContainText('landmark');
  await page.getByTestId('run-model').click();
  await expect(page.getByTestId('landmark-table')).toBeVisible({ timeout: 60_000 });
  await expect(page.locator('[data-testid^="pred-"]')).toHaveCount(19);
  await expect(page.locator('[data-testid^="truth-"]')).toHaveCount(19);
  const mre = Number(await page.getByTestId('mre').innerText());
  expect(mre).toBeGreaterThan(0);
  expect(mre).toBeLessThan(1); // mm; the model's held-out MRE is 0.30 mm

  // Drag sella's ground truth 40 px to the right: its error changes.
  const before = Number(await page.getByTestId('error-S').innerText());
  const box = (await page.getByTestId('truth-S').boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 40, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  const after = Number(await page.getByTestId('error-S').innerText());
  expect(Math.abs(after - before)).toBeGreaterThan(1);
});

test('a broken model package shows what is wrong with it', async ({ page }) => {
  await page.goto(server.url);
  await openDemo(page, 'ceph');
  await expect(page.getByTestId('model-panel')).toBeVisible({ timeout: 120_000 });
  await page.getByTestId('model-input').setInputFiles([
    { name: 'model.json', mimeType: 'application/json', buffer: Buffer.from('{"format": "explicare-model/1", "name": "x"}') },
    { name: 'model.onnx', mimeType: 'application/octet-stream', buffer: readFileSync('test/fixtures/models/tiny-ct-classifier/model.onnx') },
  ]);
  await expect(page.getByTestId('model-error')).toContainText('model.json is invalid');
  await expect(page.getByTestId('model-error')).toContainText('version');
});
