// Distributed evaluation figures ([M]), in fresh processes on this machine:
//   tsx bench/cluster.ts [studies] [methods]   (or BENCH_CLUSTER_STUDIES / BENCH_CLUSTER_METHODS)
// A generated cohort (CT, 40 slices) evaluated three ways: locally, on a queue with one worker, and
// with two workers (each with its own engine cache, so nothing is reused between rounds). Jobs per
// minute are jobs / the submitter's wall time (hashing the studies, submitting, waiting, collecting).
// The coordinator's overhead per job, measured with one worker (jobs then run back to back), is
// (wall time - the jobs' own time on the worker) / jobs: submission, queue round trips, the
// submitter's polling, the worker's pick-up. Redis binds 127.0.0.1 only; one JSON line on stdout.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateCtStudy } from '../src/main/engine/demo';
import { startRedis } from '../test/cluster/support/redis';
import { type CliProcess, startCli } from '../test/cluster/support/cliProcess';

const studies = Number(process.argv[2] ?? process.env.BENCH_CLUSTER_STUDIES ?? 6);
const methods = process.argv[3] ?? process.env.BENCH_CLUSTER_METHODS ?? 'gradcam,gradcampp';
const work = mkdtempSync(path.join(os.tmpdir(), 'explicare-bench-cluster-'));
const shared = path.join(work, 'shared');
const cohort = path.join(shared, 'cohort');
const jobs = studies * methods.split(',').length;
const evaluateArgs = (out: string) => ['evaluate', '--cohort', cohort, '--model', 'ct-nodule-classifier', '--methods', methods, '--out', out];
const started: CliProcess[] = [];
const run = (args: string[], name: string, env: Record<string, string> = {}) => {
  const p = startCli(args, { env: { EXPLICARE_CACHE_DIR: path.join(work, `cache-${name}`), ...env }, logFile: path.join(work, `${name}.log`) });
  started.push(p);
  return p;
};
const perMinute = (seconds: number) => Number(((jobs / seconds) * 60).toFixed(2));

try {
  for (let s = 1; s <= studies; s++) await generateCtStudy({ seed: s, outDir: path.join(cohort, `ct-${s}`), slices: 40 });
  const redis = await startRedis(path.join(work, 'redis'), [], 6391);
  const env = { EXPLICARE_QUEUE_PASSWORD: redis.password };

  const t0 = performance.now();
  const local = run(evaluateArgs(path.join(work, 'local')), 'local');
  if ((await local.exited) !== 0) throw new Error(`local evaluate failed:\n${local.output()}`);
  const localSeconds = (performance.now() - t0) / 1000;

  const rounds: Record<string, unknown>[] = [];
  for (const workers of [1, 2]) {
    // A database per round: job ids are digests of the case, so a round must not find the last one's results.
    const url = `redis://127.0.0.1:${redis.port}/${workers}`;
    const ws = Array.from({ length: workers }, (_, i) =>
      run(['worker', '--queue', url, '--model', 'ct-nodule-classifier', '--shared', shared, '--name', `w${i + 1}`], `r${workers}-w${i + 1}`, env),
    );
    await Promise.all(ws.map((w) => w.waitFor(/waiting for jobs/, 300_000)));
    const out = path.join(work, `queue-${workers}`);
    const submitter = run([...evaluateArgs(out), '--queue', url], `r${workers}-submit`, env);
    if ((await submitter.exited) !== 0) throw new Error(`evaluate --queue failed:\n${submitter.output()}`);
    for (const w of ws) w.proc.kill('SIGTERM');
    await Promise.all(ws.map((w) => w.exited));
    const record = JSON.parse(readFileSync(path.join(out, 'cluster.json'), 'utf8')) as { wallSeconds: number; cases: { jobSeconds: number; worker: string }[] };
    const busy = record.cases.reduce((a, c) => a + c.jobSeconds, 0);
    rounds.push({
      workers,
      wallSeconds: Number(record.wallSeconds.toFixed(1)),
      jobsPerMinute: perMinute(record.wallSeconds),
      meanJobSeconds: Number((busy / jobs).toFixed(2)),
      jobsPerWorker: Object.fromEntries(ws.map((_, i) => [`w${i + 1}`, record.cases.filter((c) => c.worker === `w${i + 1}`).length])),
      ...(workers === 1 ? { coordinatorOverheadPerJobSeconds: Number(((record.wallSeconds - busy) / jobs).toFixed(2)) } : {}),
    });
  }
  await redis.stop();
  console.log(
    JSON.stringify({
      cohort: `${studies} generated CTs (40 slices) x ${methods}: ${jobs} jobs`,
      cpus: os.cpus().length,
      // Other work on the machine changes every figure: the load when the measurement ended.
      loadAverage1m: Number(os.loadavg()[0].toFixed(1)),
      local: { wallSeconds: Number(localSeconds.toFixed(1)), jobsPerMinute: perMinute(localSeconds), note: 'one evaluate process, engine start included' },
      queue: rounds,
    }),
  );
} finally {
  for (const p of started) p.proc.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
}
