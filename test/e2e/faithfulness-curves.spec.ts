// The faithfulness curves of a finished map's job card: Grad-CAM on the demo cephalogram, the
// "Faithfulness curves" button, the deletion/insertion curves with a constant baseline beside
// ROAD's, and the figures in the card equal to the engine's own report read over the API.
import { expect, test } from '@playwright/test';
import { openDemo } from './support/app';
import { startServer, type RunningServer } from './support/server';

let server: RunningServer;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => server?.stop());

test('a Grad-CAM map of the ceph shows plain and ROAD deletion/insertion curves on request', async ({ page }) => {
  await page.goto(server.url);
  await openDemo(page, 'ceph');
  await expect(page.getByTestId('run-explain')).toBeEnabled({ timeout: 120_000 });
  await page.getByTestId('explain-method').selectOption('gradcam');
  await page.getByTestId('run-explain').click();
  await expect(page.getByTestId('job-done')).toHaveCount(1, { timeout: 120_000 });
  await page.getByTestId('faithfulness-run').click();
  const plain = page.getByTestId('curves-plain');
  const road = page.getByTestId('curves-road');
  await expect(road).toBeVisible({ timeout: 180_000 });
  // 21 points for the plain curves, 11 for ROAD's; two polylines (deletion, insertion) each.
  await expect(plain.locator('polyline')).toHaveCount(2);
  await expect(plain.locator('polyline').first()).toHaveAttribute('points', /^(\S+ ){20}\S+$/);
  await expect(road.locator('polyline').first()).toHaveAttribute('points', /^(\S+ ){10}\S+$/);
  await expect(page.getByTestId('faithfulness-scores')).toContainText(/Faithfulness correlation -?[\d.]+ · sparseness [\d.]+/);

  // The card shows the engine's report (computed once: the second call is the cached report).
  const token = new URL(server.url).hash.replace('#token=', '');
  const m = await page.evaluate(async (tok) => {
    const post = async (method: string, body: unknown) => (await fetch(`./api/${method}`, { method: 'POST', body: JSON.stringify(body), headers: { Authorization: `Bearer ${tok}`, 'Content-Type': 'application/json' } })).json();
    const job = (await post('listJobs', {}))[0];
    return post('getExplanationMetrics', { jobId: job.id });
  }, token);
  expect(m.faithfulness.scoreKind).toBe('radial-error-mm');
  expect(m.faithfulness.road.deletion.fractions).toHaveLength(11);
  expect(m.relevance).toBeNull(); // the ceph has landmarks, no lesions
  await expect(plain).toContainText(`AUC del ${m.faithfulness.deletion.auc.toFixed(3)}, ins ${m.faithfulness.insertion.auc.toFixed(3)}`);
  await expect(road).toContainText(`AUC del ${m.faithfulness.road.deletion.auc.toFixed(3)}, ins ${m.faithfulness.road.insertion.auc.toFixed(3)}`);
});
