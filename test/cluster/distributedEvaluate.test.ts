// `evaluate --queue` against a real redis-server and two real workers on separate test hosts
// (network namespaces joined to the hub by veth), compared with a local `evaluate` of the same cohort
// and seeds. During the run one worker is killed mid-job and Redis is restarted; the cohort holds a
// poisoned study. Checks: the result files equal the local run's (all but the wall-time columns),
// every job completed exactly once, the poisoned study's jobs failed with the local run's reason,
// and submitting the same run again collects the same results byte for byte without running them.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCtStudy } from '../../src/main/engine/demo';
import { assertPrivateHub, createHost, removeHost, type TestHost } from './support/testHosts';
import { startRedis, type TestRedis } from './support/redis';
import { type CliProcess, startCli } from './support/cliProcess';
import { withoutTiming } from './support/timingColumns';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'explicare-cluster-'));
const shared = path.join(tmp, 'shared');
const cohort = path.join(shared, 'cohort');
// 6 in CI (the minimum); a smaller number only to try the mechanics on a busy machine.
const STUDIES = Number(process.env.EXPLICARE_CLUSTER_TEST_STUDIES ?? 6);
const METHODS = 'gradcam,gradcampp';
const POISONED = 'ct-poisoned';
const CASES = (STUDIES + 1) * 2;

let redis: TestRedis;
const hosts: TestHost[] = [];
const workers: CliProcess[] = [];
/** Every process the test started, for afterAll. */
const started: CliProcess[] = [];
const log = (name: string) => path.join(tmp, `${name}.log`);
const evaluateArgs = (out: string) => ['evaluate', '--cohort', cohort, '--model', 'ct-nodule-classifier', '--methods', METHODS, '--out', out];

const track = (p: CliProcess) => (started.push(p), p);

function startWorker(i: number): CliProcess {
  const h = hosts[i - 1];
  // One worker names its password in the URL, the other takes it from the environment.
  const url = i === 1 ? `redis://:${redis.password}@${h.hubAddress}:${redis.port}` : `redis://${h.hubAddress}:${redis.port}`;
  const env: Record<string, string> = { EXPLICARE_CACHE_DIR: path.join(tmp, `cache-w${i}`), ...(i === 2 ? { EXPLICARE_QUEUE_PASSWORD: redis.password } : {}) };
  const args = ['worker', '--queue', url, '--model', 'ct-nodule-classifier', '--shared', shared, '--lock-seconds', '5', '--name', `w${i}`];
  return track(startCli(args, { prefix: h.exec, env, logFile: log(`w${i}`) }));
}

/** Waits until the submitter's progress line shows at least `n` finished cases; returns the count. */
async function progressAtLeast(submitter: CliProcess, n: number): Promise<number> {
  for (;;) {
    const counts = [...submitter.output().matchAll(/\[(\d+)\/\d+\]/g)].map((m) => Number(m[1]));
    if (counts.some((c) => c >= n)) return Math.max(...counts);
    if (submitter.proc.exitCode !== null) throw new Error(`the submitter ended before ${n} cases were done:\n${submitter.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Job ids each worker logged as completed. */
const completions = () => workers.flatMap((w) => [...w.output().matchAll(/ completed (case-[0-9a-f]+) /g)].map((m) => m[1]));

let local: { out: string; stderr: string };
let cluster: { out: string; text: string; killedJob: string; doneAtRestart: number };

beforeAll(async () => {
  assertPrivateHub();
  for (let s = 1; s <= STUDIES; s++) await generateCtStudy({ seed: s, outDir: path.join(cohort, `ct-${s}`), slices: 40 });
  // A poisoned study: files named like DICOM that are not (a broken export, a wrong mount).
  mkdirSync(path.join(cohort, POISONED));
  for (let i = 0; i < 3; i++) writeFileSync(path.join(cohort, POISONED, `IM${i}.dcm`), Buffer.alloc(4096, 0x5a));

  hosts.push(createHost(1), createHost(2));
  redis = await startRedis(path.join(tmp, 'redis'), hosts.map((h) => h.hubAddress));
  workers.push(startWorker(1), startWorker(2));
  // The local reference runs while the workers start.
  const localOut = path.join(tmp, 'local');
  const ref = track(startCli(evaluateArgs(localOut), { env: { EXPLICARE_CACHE_DIR: path.join(tmp, 'cache-local') }, logFile: log('local') }));
  expect(await ref.exited, ref.output()).toBe(0);
  local = { out: localOut, stderr: ref.output() };
  await Promise.all(workers.map((w) => w.waitFor(/waiting for jobs/, 240_000)));

  const out = path.join(tmp, 'cluster');
  const submitter = track(
    startCli([...evaluateArgs(out), '--queue', `redis://127.0.0.1:${redis.port}`, '--shared', shared], {
      env: { EXPLICARE_QUEUE_PASSWORD: redis.password },
      logFile: log('submitter'),
    }),
  );
  // Worker 2 dies in the middle of its first job: that job must go to worker 1 and count once.
  const [, killedJob] = await workers[1].waitFor(/ started (case-[0-9a-f]+) ct-\d/, 240_000);
  await new Promise((r) => setTimeout(r, 500));
  workers[1].proc.kill('SIGKILL');
  await workers[1].exited;
  // Redis goes down and comes back once a third of the cases are done (its append-only file keeps the queue).
  const done = await progressAtLeast(submitter, Math.max(1, Math.floor(CASES / 3)));
  await redis.stop();
  await new Promise((r) => setTimeout(r, 1000));
  await redis.start();
  expect(await submitter.exited, submitter.output()).toBe(0);
  cluster = { out, text: submitter.output(), killedJob, doneAtRestart: done };
});

afterAll(async () => {
  for (const p of started) p.proc.kill('SIGKILL');
  await Promise.all(started.map((p) => p.exited));
  await redis?.stop();
  for (const h of hosts) removeHost(h);
  if (process.env.EXPLICARE_KEEP_CLUSTER_TEST) console.log(`cluster test files kept in ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
});

describe('evaluate on a queue with two workers', () => {
  it('writes the result files of a local run (all but the wall-time columns)', () => {
    for (const file of ['evaluation.csv', 'summary.json', 'summary.md']) {
      const a = readFileSync(path.join(local.out, file), 'utf8');
      const b = readFileSync(path.join(cluster.out, file), 'utf8');
      expect(withoutTiming(file, b), file).toBe(withoutTiming(file, a));
    }
    // Non-trivial: both methods on every real study.
    expect(readFileSync(path.join(cluster.out, 'evaluation.csv'), 'utf8').trim().split('\n')).toHaveLength(1 + STUDIES * 2);
  });

  it('completed every job exactly once, though a worker died mid-job and Redis restarted', () => {
    const record = JSON.parse(readFileSync(path.join(cluster.out, 'cluster.json'), 'utf8'));
    const completedIds = record.cases.filter((c: { state: string }) => c.state === 'completed').map((c: { jobId: string }) => c.jobId);
    expect(completedIds).toHaveLength(STUDIES * 2);
    expect(new Set(completedIds).size).toBe(completedIds.length);
    // Each worker-side completion is a different job, and together they are the run's jobs.
    expect([...completions()].sort()).toEqual([...completedIds].sort());
    // The killed worker's job was finished by the other worker.
    expect(workers[1].output()).not.toMatch(new RegExp(`completed ${cluster.killedJob}`));
    expect(workers[0].output()).toMatch(new RegExp(`completed ${cluster.killedJob}`));
    // Redis really went away while work remained, and the workers saw it.
    expect(cluster.doneAtRestart).toBeLessThan(CASES);
    expect(redis.log()).toMatch(/Ready to accept connections[\s\S]*Ready to accept connections/);
  });

  it("fails the poisoned study's jobs with the local run's reason; the cohort finishes", () => {
    const record = JSON.parse(readFileSync(path.join(cluster.out, 'cluster.json'), 'utf8'));
    const failed = record.cases.filter((c: { state: string }) => c.state === 'failed');
    expect(failed.map((c: { study: string; method: string }) => `${c.study} ${c.method}`)).toEqual([`${POISONED} gradcam`, `${POISONED} gradcampp`]);
    // The local run skips the same cases with the same words.
    for (const c of failed) expect(local.stderr).toContain(`${POISONED} ${c.method}: ${c.reason}`);
    expect(cluster.text).toMatch(new RegExp(`${CASES - 2} of ${CASES} jobs done`));
  });

  it('collects the same bytes when the same run is submitted again, without running it again', async () => {
    const before = completions().length;
    const again = path.join(tmp, 'cluster-again');
    const url = `redis://:${redis.password}@127.0.0.1:${redis.port}`;
    const submitter = track(startCli([...evaluateArgs(again), '--queue', url, '--shared', shared], { logFile: log('again') }));
    expect(await submitter.exited, submitter.output()).toBe(0);
    for (const file of ['evaluation.csv', 'summary.json', 'summary.md'])
      expect(readFileSync(path.join(again, file), 'utf8'), file).toBe(readFileSync(path.join(cluster.out, file), 'utf8'));
    expect(completions().length).toBe(before);
    expect(existsSync(path.join(again, 'cluster.json'))).toBe(true);
    // The password given in the URL is never printed.
    expect(submitter.output()).not.toContain(redis.password);
  });
});
