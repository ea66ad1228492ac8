// rediss:// for real: a redis-server with TLS only (a private CA made here with openssl) and a
// password. Through parseQueueUrl's connection, BullMQ adds and reads a job when the CA is given
// (--queue-ca); without the CA, or with a wrong password, the connection is refused. The app's
// cohort panel (clusterSubmit) reaches the same server with the CA given as PEM text.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseQueueUrl } from '../../src/main/engine/cluster/queueUrl';
import { submitCohort } from '../../src/main/engine/cluster/submitCohort';
import { dispatch } from '../../src/main/engine/dispatch';
import { Engine } from '../../src/main/engine/engine';
import { bundledModelsDir } from '../../src/main/engine/paths';
import type { ClusterRunStatus } from '../../src/shared/clusterApi';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'explicare-tls-'));
const file = (name: string) => path.join(tmp, name);
const PORT = 6393;
const PASSWORD = 'tls-test-password';
let redis: ChildProcess;

function openssl(...args: string[]): void {
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args[0]}: ${r.stderr || r.error?.message}`);
}

/**
 * The error a queue meets when connecting with these settings. The client is told not to retry
 * (the commands' own setting waits forever through outages, right for workers, not for this check).
 */
async function connectionError(url: string, caFile?: string): Promise<string> {
  const queue = new Queue('tls-check', { connection: { ...parseQueueUrl(url, { caFile }).connection, retryStrategy: () => null }, prefix: 'explicare-test' });
  const errors: string[] = [];
  queue.on('error', (err) => errors.push(err.message));
  await queue.waitUntilReady().catch((err: Error) => errors.push(err.message));
  await Promise.race([queue.close().catch(() => {}), new Promise((r) => setTimeout(r, 2000))]);
  return errors.join('; ');
}

beforeAll(async () => {
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('ca.key'), '-out', file('ca.pem'), '-days', '1', '-subj', '/CN=explicare-test-ca');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', '/CN=localhost');
  writeFileSync(file('ext.cnf'), 'subjectAltName=DNS:localhost\n');
  openssl('x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-out', file('server.pem'), '-days', '1', '-extfile', file('ext.cnf'));
  redis = spawn(
    'redis-server',
    ['--port', '0', '--tls-port', String(PORT), '--bind', '127.0.0.1', '--tls-cert-file', file('server.pem'), '--tls-key-file', file('server.key')]
      .concat(['--tls-ca-cert-file', file('ca.pem'), '--tls-auth-clients', 'no', '--requirepass', PASSWORD, '--save', '', '--dir', tmp]),
    { stdio: 'ignore' },
  );
  await new Promise((r) => setTimeout(r, 300));
});

afterAll(() => {
  redis?.kill('SIGTERM');
  rmSync(tmp, { recursive: true, force: true });
});

it('adds and reads a job over TLS with a password when the CA is given', async () => {
  const { connection, display } = parseQueueUrl(`rediss://:${PASSWORD}@localhost:${PORT}`, { caFile: file('ca.pem') });
  expect(display).toBe(`rediss://localhost:${PORT}`);
  const queue = new Queue('tls-check', { connection, prefix: 'explicare-test' });
  try {
    await queue.add('case', { x: 1 }, { jobId: 'tls-1' });
    expect(await queue.getJobState('tls-1')).toBe('waiting');
  } finally {
    await queue.close();
  }
});

it('refuses a server whose certificate it cannot verify, and a wrong password', async () => {
  expect(await connectionError(`rediss://:${PASSWORD}@localhost:${PORT}`)).toMatch(/self[- ]signed|unable to (get|verify)/i);
  expect(await connectionError(`rediss://:wrong@localhost:${PORT}`, file('ca.pem'))).toMatch(/WRONGPASS|invalid username-password/i);
});

it('ends a submission on a wrong password with the reason, instead of waiting for ever', async () => {
  mkdirSync(path.join(tmp, 'cohort', 'study-1'), { recursive: true });
  writeFileSync(path.join(tmp, 'cohort', 'study-1', 'IM0.dcm'), 'x');
  const submission = submitCohort({
    target: parseQueueUrl(`rediss://:wrong@localhost:${PORT}`, { caFile: file('ca.pem') }),
    modelSha256: 'ab'.repeat(32),
    source: { kind: 'folder', cohortDir: path.join(tmp, 'cohort'), sharedDir: tmp, studies: ['study-1'] },
    methods: ['gradcam'],
    settings: { seeds: [0], keep: 0.25 },
    log: () => {},
  });
  await expect(submission).rejects.toThrow(`--queue rediss://localhost:${PORT}: the queue refused the password`);
});

it("the app's cohort panel reaches a TLS queue with the CA pasted as PEM and a password in its own field", async () => {
  const engine = new Engine({ cacheDir: file('cache'), bundledModelsDir: bundledModelsDir() });
  try {
    await engine.pacs.saveSettings({ baseUrl: 'http://127.0.0.1:9/dicom-web', timeoutSeconds: 30 });
    const modelId = (await engine.listModels()).find((m) => m.modality.includes('CT'))!.id;
    const args = (over: Record<string, unknown>) => ({
      queueUrl: `rediss://localhost:${PORT}`,
      password: PASSWORD,
      source: { kind: 'pacs', studyUids: ['1.2.3.4'] },
      modelId,
      methods: ['gradcam'],
      ...over,
    });
    const watch = async (over: Record<string, unknown>, until: (s: ClusterRunStatus) => boolean) => {
      const { id } = (await dispatch(engine, 'clusterSubmit', args(over))) as ClusterRunStatus;
      for (let i = 0; i < 100; i++) {
        const s = (await dispatch(engine, 'clusterRun', { runId: id })) as ClusterRunStatus;
        if (until(s)) return s;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('the run did not reach the state');
    };
    // Without the CA the certificate does not verify: the run ends with the reason.
    const untrusted = await watch({}, (s) => s.state === 'failed');
    expect(untrusted.error).toMatch(/TLS failed .*check rediss:\/\/ vs redis:\/\/ and --queue-ca/);
    const ok = await watch({ caPem: readFileSync(file('ca.pem'), 'utf8') }, (s) => s.state === 'watching');
    expect(ok).toMatchObject({ queue: `rediss://localhost:${PORT}`, total: 1 });
    expect(JSON.stringify(ok)).not.toContain(PASSWORD);
    await dispatch(engine, 'clusterStop', { runId: ok.id });
  } finally {
    await engine.dispose();
  }
});
