// The app's side of a cohort run (clusterSubmit/clusterRun/clusterStop through dispatch, as IPC and
// the HTTP route call it): every field validated before anything is contacted, the password never
// in an answer, a PACS cohort only with a configured PACS, and the jobs it puts on a real Redis
// (no worker: nothing is computed) naming the PACS and the StudyInstanceUIDs, with no secret.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterRunStatus } from '../../src/shared/clusterApi';
import { dispatch, toApiError } from '../../src/main/engine/dispatch';
import { Engine } from '../../src/main/engine/engine';
import { bundledModelsDir } from '../../src/main/engine/paths';
import { QUEUE_PREFIX, queueName } from '../../src/main/engine/cluster/caseJob';
import { startRedis, type TestRedis } from './support/redis';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'explicare-cluster-service-'));
let engine: Engine;
let redis: TestRedis;
let modelId: string;
const PACS = 'http://127.0.0.1:9/dicom-web';
const UIDS = ['1.2.826.0.1.3680043.8.498.2', '1.2.826.0.1.3680043.8.498.1'];

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

beforeAll(async () => {
  engine = new Engine({ cacheDir: path.join(tmp, 'cache'), bundledModelsDir: bundledModelsDir() });
  modelId = (await engine.listModels()).find((m) => m.modality.includes('CT'))!.id;
  redis = await startRedis(path.join(tmp, 'redis'), [], await freePort());
});
afterAll(async () => {
  await engine?.dispose();
  await redis?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

const submit = (over: Record<string, unknown> = {}) =>
  dispatch(engine, 'clusterSubmit', {
    queueUrl: `redis://127.0.0.1:${redis.port}`,
    password: redis.password,
    source: { kind: 'pacs', studyUids: UIDS },
    modelId,
    methods: ['gradcam'],
    ...over,
  }) as Promise<ClusterRunStatus>;

/** What the user would read: the API error body of a failed call. */
const refusal = async (p: Promise<unknown>) => {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, 'the call was accepted').not.toBeNull();
  return toApiError(err);
};

async function until(runId: string, done: (s: ClusterRunStatus) => boolean): Promise<ClusterRunStatus> {
  for (let i = 0; i < 300; i++) {
    const s = (await dispatch(engine, 'clusterRun', { runId })) as ClusterRunStatus;
    if (done(s)) return s;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the run did not reach the state in 30 s');
}

describe('clusterSubmit validates every field before contacting anything', () => {
  it.each([
    ['a URL that is not redis', { queueUrl: 'http://127.0.0.1:6379' }, /queueUrl: use redis:\/\/host:port/],
    ['a password inside the URL', { queueUrl: 'redis://:hunter2@127.0.0.1:6379' }, /queueUrl: give the password in its own field/],
    ['a password over two lines', { password: 'a\r\nAUTH x' }, /password: the password must be on one line/],
    ['a CA that is not PEM', { queueUrl: 'rediss://127.0.0.1:6380', caPem: 'not a certificate' }, /caPem: not a PEM certificate/],
    ['a relative cohort folder', { source: { kind: 'folder', cohortDir: 'cohort' } }, /source\.cohortDir: must be an absolute path/],
    ['a study UID that is a path', { source: { kind: 'pacs', studyUids: ['1.2/../../etc'] } }, /source\.studyUids\.0: not a DICOM UID/],
    ['an unknown source', { source: { kind: 'ftp', url: 'x' } }, /source/],
    ['a model that is not an id', { modelId: 'ct-nodule-classifier' }, /modelId: not a model id/],
    ['a method that is a command', { methods: ['sh -c id'] }, /methods\.0: a method such as gradcam/],
    ['a negative seed', { seeds: [-1] }, /seeds\.0/],
    ['an extra field', { command: 'rm -rf /' }, /Unrecognized key/],
  ])('refuses %s', async (_name, over, message) => {
    const body = await refusal(submit({ password: 'the-secret-pw', ...over }));
    expect(body.code).toBe('bad-request');
    expect(body.message).toMatch(message);
    expect(body.message).not.toContain('the-secret-pw');
  });

  it('refuses a method the engine does not have, and a PACS cohort without a configured PACS', async () => {
    expect(await refusal(submit({ methods: ['nosuchmethod'] }))).toEqual({ code: 'bad-input', message: 'methods: "nosuchmethod" is not a method (or variant) of this engine' });
    expect((await refusal(submit())).message).toMatch(/^no PACS is configured: enter its DICOMweb URL in the PACS panel first/);
  });
});

describe('a PACS cohort on a real Redis', () => {
  it('ends at once on a wrong password, with the reason and without the password', async () => {
    await engine.pacs.saveSettings({ baseUrl: PACS, authorization: 'Basic c2VjcmV0OnNlY3JldA==', timeoutSeconds: 30 });
    const started = await submit({ password: 'wrong-password' });
    const s = await until(started.id, (x) => x.state === 'failed');
    expect(s.error).toMatch(new RegExp(`^the queue redis://127.0.0.1:${redis.port}: the queue refused the password`));
    expect(JSON.stringify(s)).not.toContain('wrong-password');
  });

  it('puts one job per study naming the PACS and the UID (no header), shows them waiting, and stops watching', async () => {
    const started = await submit();
    expect(JSON.stringify(started)).not.toContain(redis.password);
    expect(started.queue).toBe(`redis://127.0.0.1:${redis.port}`);
    const s = await until(started.id, (x) => x.state === 'watching');
    // Studies sorted as a cohort's are; no worker holds the model, so every case waits.
    expect(s.cases).toEqual([...UIDS].sort().map((study) => ({ study, method: 'gradcam', state: 'waiting' })));
    expect(s).toMatchObject({ total: 2, done: 0, failed: 0, source: PACS });
    const queue = new Queue(queueName(modelId), { connection: { host: '127.0.0.1', port: redis.port, password: redis.password }, prefix: QUEUE_PREFIX });
    try {
      const jobs = await queue.getJobs(['waiting']);
      expect(jobs.map((j) => j.data.studyUid).sort()).toEqual([...UIDS].sort());
      for (const j of jobs) {
        expect(j.data).toMatchObject({ pacs: PACS, model: modelId, settings: { method: 'gradcam', seeds: [0], keep: 0.25 } });
        expect(JSON.stringify(j.data)).not.toMatch(/Basic|c2VjcmV0/);
      }
    } finally {
      await queue.close();
    }
    const stopped = (await dispatch(engine, 'clusterStop', { runId: started.id })) as ClusterRunStatus;
    expect((await until(stopped.id, (x) => x.state === 'stopped')).error).toMatch(/stopped watching the run/);
  });
});
