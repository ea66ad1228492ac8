/// <reference path="../../src/main/engine/dcmjs.d.ts" />
// The cohort panel end to end: browser -> local server -> engine -> a real redis-server (loopback,
// with a password) -> a real `worker` process -> back. The cohort is one generated CT and one
// poisoned study (files named .dcm that are not DICOM). A wrong password is refused with the
// reason; with the right one the per-study statuses reach done (the CT) and failed (the poisoned
// study, with the local run's reason), and they match the result files the run wrote.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { generateCtStudy } from '../../src/main/engine/demo';
import { bundledModelsDir } from '../../src/main/engine/paths';
import { startServer, type RunningServer } from './support/server';
import { startRedis, type TestRedis } from '../cluster/support/redis';
import { type CliProcess, startCli } from '../cluster/support/cliProcess';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'explicare-cluster-ui-'));
const cohort = path.join(tmp, 'shared', 'cohort');
let server: RunningServer;
let redis: TestRedis;
let worker: CliProcess;

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

test.beforeAll(async () => {
  test.setTimeout(240_000);
  await generateCtStudy({ seed: 3, outDir: path.join(cohort, 'ct-1'), slices: 40 });
  mkdirSync(path.join(cohort, 'ct-poisoned'));
  for (let i = 0; i < 2; i++) writeFileSync(path.join(cohort, 'ct-poisoned', `IM${i}.dcm`), Buffer.alloc(2048, 0x5a));
  redis = await startRedis(path.join(tmp, 'redis'), [], await freePort());
  worker = startCli(
    ['worker', '--queue', `redis://127.0.0.1:${redis.port}`, '--model', 'ct-nodule-classifier', '--shared', path.join(tmp, 'shared'), '--name', 'w-ui'],
    // As a user starts it (`npm run cli -- worker`): the CLI bundle, whose engine thread is its own entry.
    { env: { EXPLICARE_QUEUE_PASSWORD: redis.password, EXPLICARE_CACHE_DIR: path.join(tmp, 'cache-w') }, logFile: path.join(tmp, 'worker.log'), bundled: true },
  );
  server = await startServer();
  await worker.waitFor(/waiting for jobs/, 180_000);
});

test.afterAll(async () => {
  worker?.proc.kill('SIGKILL');
  await worker?.exited;
  await server?.stop();
  await redis?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

test('submit a cohort to a queue from the panel and watch it to the result files', async ({ page }) => {
  test.setTimeout(480_000);
  const modelId = createHash('sha256').update(readFileSync(path.join(bundledModelsDir(), 'ct-nodule-classifier', 'model.onnx'))).digest('hex');
  await page.goto(server.url);
  await page.getByTestId('open-cluster').click();
  await page.getByTestId('cluster-queue-url').fill(`redis://127.0.0.1:${redis.port}`);
  await page.getByTestId('cluster-cohort').fill(cohort);
  await page.getByTestId('cluster-model').selectOption(modelId);
  await expect(page.getByTestId('cluster-method-gradcam')).toBeChecked();

  // A wrong password: the run fails with the reason, it does not wait for ever.
  await page.getByTestId('cluster-password').fill('not-the-password');
  await page.getByTestId('cluster-submit').click();
  await expect(page.getByTestId('cluster-run-error')).toContainText('refused the password', { timeout: 60_000 });

  await page.getByTestId('cluster-password').fill(redis.password);
  await page.getByTestId('cluster-submit').click();
  // The password is not kept in the panel once sent.
  await expect(page.getByTestId('cluster-password')).toHaveValue('');
  const progress = page.getByTestId('cluster-progress');
  await expect(progress).toHaveAttribute('data-state', /watching|done/, { timeout: 60_000 });
  await expect(progress).toHaveAttribute('data-state', 'done', { timeout: 420_000 });
  await expect(progress).toContainText('2 / 2 cases finished');
  await expect(progress).toContainText('1 failed');

  const rows = page.getByTestId('cluster-study');
  await expect(rows).toHaveCount(2);
  const states = Object.fromEntries(
    await Promise.all((await rows.all()).map(async (r) => [await r.locator('td.study').innerText(), await r.locator('td[data-method="gradcam"]').getAttribute('data-state')])),
  );
  expect(states).toEqual({ 'ct-1': 'completed', 'ct-poisoned': 'failed' });
  await expect(rows.nth(1).locator('td[data-method="gradcam"]')).toHaveAttribute('title', 'no CT series');
  await expect(rows.nth(1).locator('td[data-method="gradcam"]')).toContainText('failed: no CT series');
  await expect(rows.nth(0).locator('td[data-method="gradcam"]')).toContainText('w-ui');

  // The statuses match the files the run wrote: a row for each completed case, the failure in cluster.json.
  const outDir = await page.getByTestId('cluster-out-dir').innerText();
  await expect(page.getByTestId('cluster-files')).toContainText('evaluation.csv');
  await expect(page.getByTestId('cluster-files')).toContainText('cluster.json');
  const csv = readFileSync(path.join(outDir, 'evaluation.csv'), 'utf8').trim().split('\n');
  expect(csv.slice(1).map((l) => l.split(',').slice(0, 2).join(',').replaceAll('"', ''))).toEqual(['ct-1,gradcam']);
  const record = JSON.parse(readFileSync(path.join(outDir, 'cluster.json'), 'utf8'));
  expect(record.cases.map((c: { study: string; state: string }) => `${c.study}:${c.state}`)).toEqual(['ct-1:completed', 'ct-poisoned:failed']);
  expect(record.cases[1].reason).toBe('no CT series');
  await expect(page.getByTestId('cluster-summary')).toContainText('gradcam');
  expect(await page.content()).not.toContain(redis.password);
  // The worker ran the real case once.
  expect([...worker.output().matchAll(/ completed case-/g)]).toHaveLength(1);
});
