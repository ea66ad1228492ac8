// `evaluate --max-sensitivity` on a queue: each case job carries its method's N (caseJob.ts
// settings.maxSensitivity, 0..32, validated like every other field), the submitter resolves the
// flag per method, and a worker running the job (runCaseJob, no Redis needed for that part) writes
// the same maxSensitivity cell as a local `evaluate` of the same study. The job's value wins over the
// worker's EXPLICARE_MAX_SENSITIVITY, which decides only for a job without it.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UnrecoverableError } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCaseJob, type WorkerContext } from '../../src/cli/cluster/runCaseJob';
import { main } from '../../src/cli/main';
import { CASE_JOB_VERSION, type CaseJob, caseJobId, caseSettingsSchema } from '../../src/main/engine/cluster/caseJob';
import { studyDigest } from '../../src/main/engine/cluster/studyDigest';
import { cohortCases } from '../../src/main/engine/cluster/submitCohort';
import { generateCeph } from '../../src/main/engine/demo/ceph';
import { Engine } from '../../src/main/engine/engine';
import { writeEvaluation } from '../../src/main/engine/evaluation/evaluateSummary';
import { bundledModelsDir } from '../../src/main/engine/paths';
import type { ModelSummary } from '../../src/shared/api';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'explicare-cluster-sensitivity-'));
const shared = path.join(tmp, 'shared');
const cohort = path.join(shared, 'cohort');
const cacheDir = path.join(tmp, 'cache');
const SHA = 'ab'.repeat(32);
const settings = { method: 'gradcam', seeds: [0], keep: 0.25 };

afterEach(() => {
  delete process.env.EXPLICARE_MAX_SENSITIVITY;
});
afterAll(() => {
  delete process.env.EXPLICARE_CACHE_DIR;
  rmSync(tmp, { recursive: true, force: true });
});

describe('the job field', () => {
  it('takes 0..32 whole perturbations, or none', () => {
    for (const n of [0, 1, 32]) expect(caseSettingsSchema.parse({ ...settings, maxSensitivity: n })).toEqual({ ...settings, maxSensitivity: n });
    expect(caseSettingsSchema.parse(settings)).toEqual(settings);
  });

  it.each([-1, 33, 2.5, '3', null, Number.NaN, Infinity, { perturbations: 2 }, [2]])('is refused as %j by a worker, naming the field', async (bad) => {
    const job = { version: CASE_JOB_VERSION, model: SHA, cohort: ['cohort'], study: 'ceph-1', studyDigest: '0'.repeat(64), settings: { ...settings, maxSensitivity: bad } };
    const refusal = runCaseJob({ engine: {} as Engine, models: new Map(), sharedDir: tmp, name: 'test' }, job);
    await expect(refusal).rejects.toBeInstanceOf(UnrecoverableError);
    await expect(refusal).rejects.toThrow(/^invalid job payload: settings\.maxSensitivity: /);
  });

  it('is set per method by the submitter, and absent without the flag (the job ids of earlier runs stay)', async () => {
    mkdirSync(path.join(tmp, 'ids', 'c', 's1'), { recursive: true });
    writeFileSync(path.join(tmp, 'ids', 'c', 's1', 'IM0'), 'x');
    const source = { kind: 'folder' as const, cohortDir: path.join(tmp, 'ids', 'c'), sharedDir: path.join(tmp, 'ids'), studies: ['s1'] };
    const methods = ['gradcam', 'mupax:paper', 'ig'];
    const base = { seeds: [0], keep: 0.25 };
    const plain = await cohortCases({ modelSha256: SHA, source, methods, settings: base });
    expect(plain.map((c) => 'maxSensitivity' in c.payload.settings)).toEqual([false, false, false]);
    // The id of a job without the field is the digest of exactly the payload it always had.
    const before: CaseJob = { version: CASE_JOB_VERSION, model: SHA, cohort: ['c'], study: 's1', studyDigest: await studyDigest(path.join(tmp, 'ids', 'c', 's1')), settings: { method: 'gradcam', ...base } };
    expect(plain[0].jobId).toBe(caseJobId(before));
    const asked = await cohortCases({ modelSha256: SHA, source, methods, settings: { ...base, maxSensitivity: { gradcam: 2, 'mupax:paper': 0, ig: 0 } } });
    expect(asked.map((c) => c.payload.settings.maxSensitivity)).toEqual([2, 0, 0]);
    expect(asked[0].jobId).not.toBe(plain[0].jobId);
  });
});

describe('a worker running a job with the field (demo cephalogram, Grad-CAM)', () => {
  let engine: Engine;
  let ctx: WorkerContext;
  let digest: string;
  /** The job's value with maxSensitivity 2. */
  let two: number;
  const job = (maxSensitivity?: number): CaseJob => ({
    version: CASE_JOB_VERSION,
    model: ctx ? [...ctx.models.keys()][0] : SHA,
    cohort: ['cohort'],
    study: 'ceph-9',
    studyDigest: digest,
    settings: maxSensitivity === undefined ? settings : { ...settings, maxSensitivity },
  });
  /** The maxSensitivity cell evaluation.csv gets for these rows. */
  async function cell(rows: object[], out: string): Promise<string> {
    await writeEvaluation(out, 0.25, rows as Parameters<typeof writeEvaluation>[2]);
    const [head, row] = readFileSync(path.join(out, 'evaluation.csv'), 'utf8').trim().split('\n');
    return row.split(',')[head.split(',').indexOf('maxSensitivity')];
  }

  beforeAll(async () => {
    process.env.EXPLICARE_CACHE_DIR = cacheDir;
    await generateCeph({ seed: 9, outDir: path.join(cohort, 'ceph-9'), columns: 640, rows: 800 });
    digest = await studyDigest(path.join(cohort, 'ceph-9'));
    engine = new Engine({ cacheDir, bundledModelsDir: bundledModelsDir() });
    const model = await engine.importModel(path.join(bundledModelsDir(), 'ceph-landmarks'));
    ctx = { engine, models: new Map<string, ModelSummary>([[model.id, model]]), sharedDir: shared, name: 'test-worker' };
  }, 120_000);
  afterAll(async () => {
    await engine?.dispose();
  });

  it('writes the maxSensitivity cell a local evaluate writes for the same study', async () => {
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await main(['evaluate', '--cohort', cohort, '--model', 'ceph-landmarks', '--methods', 'gradcam', '--max-sensitivity', '2', '--out', path.join(tmp, 'local')])).toBe(0);
    } finally {
      out.mockRestore();
    }
    const [head, row] = readFileSync(path.join(tmp, 'local', 'evaluation.csv'), 'utf8').trim().split('\n');
    const local = row.split(',')[head.split(',').indexOf('maxSensitivity')];
    expect(Number(local)).toBeGreaterThan(0);

    const queued = await runCaseJob(ctx, job(2));
    expect(queued.row.maxSensitivity).toEqual(expect.any(Number));
    two = queued.row.maxSensitivity as number;
    expect(await cell([queued.row], path.join(tmp, 'queued'))).toBe(local);
  }, 300_000);

  it("wins over the worker's EXPLICARE_MAX_SENSITIVITY; without it that variable decides", async () => {
    process.env.EXPLICARE_MAX_SENSITIVITY = '2';
    expect((await runCaseJob(ctx, job(0))).row.maxSensitivity).toBeNull();
    expect((await runCaseJob(ctx, job())).row.maxSensitivity).toBe(two); // the same noise as the job's 2
    delete process.env.EXPLICARE_MAX_SENSITIVITY;
    expect((await runCaseJob(ctx, job())).row.maxSensitivity).toBeNull();
  }, 300_000);
});
