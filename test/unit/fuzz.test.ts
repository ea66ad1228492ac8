// The CI fuzz campaign (issue [K]): a fixed seed, hostile special files and 1500 mutated DICOM files
// and series; every case must end "opened" (finite geometry and window) or "refused with a message
// naming the file". A raw JavaScript error, an unnamed refusal, a hang or memory beyond the budget
// fails. The seeds (pydicom's test files) are never modified. Long campaigns: `npm run fuzz`.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main';
import { runCampaign } from '../../src/cli/fuzz/campaign';
import { PYDICOM_FILES } from '../../src/cli/fuzz/corpus';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'explicare-fuzz-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const hashSeeds = () => {
  const h = createHash('sha256');
  for (const f of readdirSync(PYDICOM_FILES).filter((n) => n.endsWith('.dcm')).sort()) h.update(f).update(readFileSync(path.join(PYDICOM_FILES, f)));
  return h.digest('hex');
};

describe('fuzz campaign', () => {
  it('1500 cases (seed 1): every one opened or refused naming the file, within the time and memory budget', async () => {
    const before = hashSeeds();
    const summary = await runCampaign({ count: 1500, seed: 1, workDir: path.join(tmp, 'work') });
    expect(summary.findings).toEqual([]);
    expect(summary.cases).toBe(1500);
    expect(summary.outcomes.opened + summary.outcomes.refused).toBe(1500);
    // Both kinds occur: the mutations are neither all harmless nor all fatal.
    expect(summary.outcomes.opened).toBeGreaterThan(100);
    expect(summary.outcomes.refused).toBeGreaterThan(100);
    expect(summary.slowestMs).toBeLessThan(10_000);
    expect(hashSeeds()).toBe(before);
  }, 240_000);

  it('120 model-package cases (seed 2): every one imported or refused naming the package file, bundled packages unchanged', async () => {
    const models = path.resolve('resources/models');
    const hash = () =>
      ['ct-nodule-classifier', 'ceph-landmarks']
        .map((m) =>
          createHash('sha256')
            .update(readFileSync(path.join(models, m, 'model.onnx')))
            .update(readFileSync(path.join(models, m, 'model.json')))
            .digest('hex'),
        )
        .join();
    const before = hash();
    const summary = await runCampaign({ count: 0, packages: 120, seed: 2, workDir: path.join(tmp, 'work-packages') });
    expect(summary.findings).toEqual([]);
    expect(summary.packages).toBe(120);
    expect(summary.outcomes.refused).toBeGreaterThan(60);
    // Some mutations are harmless (a model card text, a zip entry order), most are refused.
    expect(summary.outcomes.opened).toBeGreaterThan(0);
    expect(hash()).toBe(before);
  }, 240_000);

  it('npm run fuzz writes a summary with the command that produced it', async () => {
    const out = path.join(tmp, 'summary.json');
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await main(['fuzz', '--count', '12', '--seed', '7', '--out', out])).toBe(0);
    } finally {
      spy.mockRestore();
    }
    const s = JSON.parse(readFileSync(out, 'utf8'));
    expect(s.command).toBe('npm run fuzz -- --count 12 --seed 7');
    expect(s.cases).toBe(12);
    expect(s.findings).toEqual([]);
  }, 120_000);
});

describe('scan command', () => {
  const run = async (args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
    const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
    try {
      return { code: await main(['scan', ...args]), out: out.join(''), err: err.join('') };
    } finally {
      o.mockRestore();
      e.mockRestore();
    }
  };

  it('lists patients, studies, series and every skipped file with its reason; --load builds each volume', async () => {
    const r = await run([path.join(PYDICOM_FILES, 'CT_small.dcm'), path.join(PYDICOM_FILES, 'test-SR.dcm'), '/dev/null', '--load', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.studies.length).toBe(1);
    expect(j.studies[0].series[0].modality).toBe('CT');
    expect(j.skipped).toEqual([
      { file: 'test-SR.dcm', reason: 'not an image (e.g. a report or presentation state)' },
      { file: 'null', reason: 'not read: a character device, not a regular file' },
    ]);
    expect(j.volumes[0]).toMatchObject({ ok: true, dimensions: [128, 128, 1] });
  });

  it('exits 1 only when a path cannot be read', async () => {
    const r = await run([path.join(tmp, 'missing')]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('no such file or folder');
  });
});
