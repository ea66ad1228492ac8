// Max-sensitivity from the job card: Grad-CAM on the demo cephalogram, the faithfulness curves,
// then "Max-sensitivity" with its cost stated before the click, and the value in the card equal to
// the engine's own for the same job and the same request, read back over the API.
import { expect, test } from '@playwright/test';
import { openDemo } from './support/app';
import { startServer, type RunningServer } from './support/server';

let server: RunningServer;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => server?.stop());

test('the Grad-CAM card measures max-sensitivity on request and shows the engine\'s value in plain words', async ({ page }) => {
  await page.goto(server.url);
  await openDemo(page, 'ceph');
  await expect(page.getByTestId('run-explain')).toBeEnabled({ timeout: 120_000 });
  await page.getByTestId('explain-method').selectOption('gradcam');
  await page.getByTestId('run-explain').click();
  await expect(page.getByTestId('job-done')).toHaveCount(1, { timeout: 120_000 });
  await page.getByTestId('faithfulness-run').click();
  await expect(page.getByTestId('curves-road')).toBeVisible({ timeout: 180_000 });

  // The cost is said before anything reruns.
  await page.getByTestId('max-sensitivity-perturbations').selectOption('2');
  await expect(page.getByTestId('max-sensitivity-cost')).toContainText('Reruns Grad-CAM on 2 noisy copies of the input: 2 whole Grad-CAM runs');
  await expect(page.getByTestId('max-sensitivity-perturbations').locator('option')).toHaveCount(8);
  await page.getByTestId('max-sensitivity-run').click();
  const value = page.getByTestId('max-sensitivity-value');
  await expect(value).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('max-sensitivity-error')).toHaveCount(0);

  const token = new URL(server.url).hash.replace('#token=', '');
  const { asked, later, refused } = await page.evaluate(async (tok) => {
    const post = (method: string, body: unknown) => fetch(`./api/${method}`, { method: 'POST', body: JSON.stringify(body), headers: { Authorization: `Bearer ${tok}`, 'Content-Type': 'application/json' } });
    const job = (await (await post('listJobs', {})).json())[0];
    return {
      asked: await (await post('getExplanationMetrics', { jobId: job.id, maxSensitivity: { perturbations: 2 } })).json(),
      later: await (await post('getExplanationMetrics', { jobId: job.id })).json(),
      refused: (await post('getExplanationMetrics', { jobId: job.id, maxSensitivity: { perturbations: 9 } })).status,
    };
  }, token);
  const s = asked.maxSensitivity;
  expect(s.perturbations).toBe(2);
  expect(s.perDraw).toHaveLength(2);
  expect(s.value).toBeGreaterThan(0);
  await expect(value).toContainText(`Max-sensitivity ${s.value.toFixed(4)}`);
  await expect(value).toContainText(s.perDraw.map((d: number) => d.toFixed(3)).join(', '));
  const percent = (s.value * 100).toPrecision(2);
  await expect(page.getByTestId('max-sensitivity-reading')).toContainText(`the map changed by at most ${percent}% of its own size`);
  expect(later.maxSensitivity).toEqual(s); // the map keeps its measured value (the PDF draws it)
  expect(refused).toBe(400);
});
