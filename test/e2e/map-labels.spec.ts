// Maps say what they explain: two Grad-CAM runs on the demo CT for different classes carry
// different labels everywhere a map appears (job list, compare box, row titles, plot legend,
// overlay legend), each with its class probability; the classifier defaults to the finding class,
// the selector says it sets the next run, and a map of the negative class says so.
import { expect, test } from '@playwright/test';
import { openDemo } from './support/app';
import { startServer, type RunningServer } from './support/server';

let server: RunningServer;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => server?.stop());

test('two Grad-CAM maps of different classes are labelled with their own class and probability', async ({ page }) => {
  await page.goto(server.url);
  await openDemo(page, 'ct');
  await expect(page.getByTestId('run-explain')).toBeEnabled({ timeout: 120_000 });
  await page.getByTestId('explain-method').selectOption('gradcam');
  await expect(page.getByTestId('next-run')).toContainText('Next run');
  // The first run, before the model was run by hand, explains the finding class (manifest positiveClass).
  await page.getByTestId('run-explain').click();
  await expect(page.getByTestId('job-done')).toHaveCount(1, { timeout: 120_000 });
  await expect(page.getByTestId('explain-target').locator('option:checked')).toHaveText('nodule');
  await page.getByTestId('explain-target').selectOption({ label: 'no nodule' });
  await page.getByTestId('run-explain').click();
  await expect(page.getByTestId('job-done')).toHaveCount(2, { timeout: 120_000 });

  const labels = await page.getByTestId('job-label').allTextContents();
  expect(labels).toHaveLength(2);
  expect(labels[0]).toMatch(/^Grad-CAM · "nodule" \(p = [\d.e-]+\)$/);
  expect(labels[1]).toMatch(/^Grad-CAM · "no nodule" \(p = [\d.e-]+\)$/);
  // The probabilities of a two-class softmax add up to one.
  const p = labels.map((l) => Number(/p = ([\d.e-]+)/.exec(l)![1]));
  expect(p[0] + p[1]).toBeCloseTo(1, 1);
  // The shown map is the second (negative class): its legend and caveat say so.
  await expect(page.getByTestId('overlay-describes')).toHaveText(`Shown: ${labels[1]}`);
  await expect(page.getByTestId('overlay-caveat')).toContainText('negative class');

  // The compare box names the other map by its class, and the rows and plot carry both labels.
  await expect(page.getByTestId('compare-label')).toHaveText(labels[0]);
  await page.getByTestId('compare-gradcam').check();
  await expect(page.getByTestId('row-method-0').first()).toContainText('"no nodule"');
  await expect(page.getByTestId('row-method-1').first()).toContainText('"nodule"');
  await expect(page.getByTestId('row-method-1').first()).not.toContainText('no nodule');
  await expect(page.getByTestId('slice-mass-legend')).toContainText('Grad-CAM · "no nodule"');
  await expect(page.getByTestId('slice-mass-legend')).toContainText('Grad-CAM · "nodule"');
  // Same method, different classes: the comparison warns that the maps answer different questions.
  await expect(page.getByTestId('compare-target-warning')).toContainText('Different targets');

  // The difference view names A and B.
  await page.getByTestId('compare-mode').selectOption('difference');
  await expect(page.getByTestId('difference-a')).toHaveText(`A: ${labels[1]}`);
  await expect(page.getByTestId('difference-b')).toHaveText(`B: ${labels[0]}`);
});
