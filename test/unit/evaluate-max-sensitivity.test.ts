// `evaluate --max-sensitivity N[:method,...]`: bad values are usage errors naming the flag (before
// any study opens or a queue is contacted), and a local run
// measures exactly the listed methods, with the value the engine gives for the same map.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main';
import { generateCeph } from '../../src/main/engine/demo/ceph';
import { Engine } from '../../src/main/engine/engine';
import { bundledModelsDir } from '../../src/main/engine/paths';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'explicare-evaluate-sensitivity-'));
const cohort = path.join(tmp, 'cohort');
const cacheDir = path.join(tmp, 'cache');

/** Runs the CLI, returning its exit code and what it wrote to stderr. */
async function cli(args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
  try {
    return { code: await main(args), stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

const evaluate = (extra: string[], out = path.join(tmp, 'out')) => ['evaluate', '--cohort', cohort, '--model', 'ceph-landmarks', '--methods', 'gradcam,gradcampp', '--out', out, ...extra];

/** evaluation.csv as {method: maxSensitivity cell}. */
function sensitivityColumn(out: string): Record<string, string> {
  const [head, ...rows] = readFileSync(path.join(out, 'evaluation.csv'), 'utf8').trim().split('\n');
  const at = head.split(',').indexOf('maxSensitivity');
  return Object.fromEntries(rows.map((r) => r.split(',')).map((c) => [c[1].replaceAll('"', ''), c[at].replaceAll('"', '')]));
}

beforeAll(async () => {
  process.env.EXPLICARE_CACHE_DIR = cacheDir;
  await generateCeph({ seed: 4, outDir: path.join(cohort, 'ceph-4'), columns: 640, rows: 800 });
}, 60_000);
afterEach(() => {
  delete process.env.EXPLICARE_MAX_SENSITIVITY;
});
afterAll(() => {
  delete process.env.EXPLICARE_CACHE_DIR;
  rmSync(tmp, { recursive: true, force: true });
});

describe('evaluate --max-sensitivity', () => {
  it('refuses bad values with a usage error that names the flag', async () => {
    for (const bad of ['33', '-2', '2.5', 'many', '', '2:', '2:gradcam,,ig', '2:gradcam:']) {
      const r = await cli(evaluate([`--max-sensitivity=${bad}`]));
      expect(r.code, bad).toBe(1);
      expect(r.stderr, bad).toMatch(/^evaluate: --max-sensitivity must be N or N:method,method with N perturbations in 1\.\.32, got "/);
      expect(r.stderr).toContain('usage: evaluate');
    }
    const typo = await cli(evaluate(['--max-sensitivity', '2:gradcm']));
    expect(typo.stderr).toMatch(/^evaluate: --max-sensitivity names gradcm, not among --methods \(gradcam, gradcampp\)/);
    // On a queue the flag travels in each case job (test/unit/cluster-max-sensitivity.test.ts); it is checked before any connection.
    const queued = await cli(evaluate(['--max-sensitivity', '2:gradcm', '--queue', 'redis://127.0.0.1:1']));
    expect(queued.stderr).toMatch(/^evaluate: --max-sensitivity names gradcm, not among --methods/);
  });

  it('measures only the listed methods, with the engine\'s value for that map; 0 overrides the environment', async () => {
    const out = path.join(tmp, 'listed');
    process.env.EXPLICARE_MAX_SENSITIVITY = '3'; // the flag wins over the fallback
    expect((await cli(evaluate(['--max-sensitivity', '1:gradcampp'], out))).code).toBe(0);
    const cells = sensitivityColumn(out);
    expect(cells.gradcam).toBe('');
    expect(Number(cells.gradcampp)).toBeGreaterThan(0);

    // The same map through the engine's API call (an explanation from the cache, the same noise).
    const engine = new Engine({ cacheDir, bundledModelsDir: bundledModelsDir() });
    try {
      const uid = (await engine.openPaths([path.join(cohort, 'ceph-4')])).openedSeries[0];
      const model = await engine.importModel(path.join(bundledModelsDir(), 'ceph-landmarks'));
      await engine.runModel(uid, model.id);
      const job = await engine.startExplanation(uid, model.id, 'gradcampp', {});
      await engine.waitForJob(job.id);
      const m = await engine.explanationMetrics(job.id, { maxSensitivity: { perturbations: 1 } });
      expect(Number(cells.gradcampp)).toBeCloseTo(m.maxSensitivity!.value!, 5);
    } finally {
      await engine.dispose();
    }

    const none = path.join(tmp, 'none');
    expect((await cli(evaluate(['--max-sensitivity', '0'], none))).code).toBe(0);
    expect(sensitivityColumn(none)).toEqual({ gradcam: '', gradcampp: '' });
  }, 300_000);
});
