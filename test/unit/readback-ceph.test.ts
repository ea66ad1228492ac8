// [I] read-back on a projection image: the demo cephalogram's exported Parametric Map and SEG (one
// frame each, a frame of reference of their own, tied to the X-ray by the source image they name)
// open again over the X-ray and equal the explain map (PM within half a step, SEG exactly its
// top-5% region); the SR's landmark SCOORDs come back at the pixels the model predicted.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main';
import { exportResultFolder } from '../../src/cli/commands/report';
import { generateCeph, type CephDemoResult } from '../../src/main/engine/demo';
import { Engine } from '../../src/main/engine/engine';
import { readNifti } from '../../src/main/engine/io/nifti';
import { bundledModelsDir } from '../../src/main/engine/paths';
import { topRegion } from '../../src/shared/topRegion';
import type { DerivedObjectSummary } from '../../src/shared/api';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'explicare-readback-ceph-'));
const cacheDir = path.join(tmp, 'cache');
const study = path.join(tmp, 'ceph');
const results = path.join(tmp, 'results');
const out = path.join(tmp, 'out');
let demo: CephDemoResult;
let engine: Engine;
let derived: DerivedObjectSummary[];

beforeAll(async () => {
  process.env.EXPLICARE_CACHE_DIR = cacheDir;
  demo = await generateCeph({ seed: 3, outDir: study, columns: 640, rows: 800 });
  const quiet = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    expect(await main(['explain', '--study', study, '--model', 'ceph-landmarks', '--method', 'gradcam', '--out', results])).toBe(0);
  } finally {
    quiet.mockRestore();
  }
  await exportResultFolder({ cacheDir, bundledModelsDir: bundledModelsDir(), pdf: false, dicom: true, anonymize: false, study, results, out });
  engine = new Engine({ cacheDir: path.join(tmp, 'engine-cache') });
  const report = await engine.openPaths([demo.file, path.join(out, 'dicom')]);
  expect(report.skipped).toEqual([]);
  derived = await engine.listDerived(demo.seriesUid);
}, 240_000);

afterAll(async () => {
  await engine?.dispose();
  delete process.env.EXPLICARE_CACHE_DIR;
  rmSync(tmp, { recursive: true, force: true });
});

describe('the cephalogram export opened again over the X-ray', () => {
  it('finds the PM, the SEG and the SR, none refused', () => {
    expect(derived.map((d) => d.kind).sort()).toEqual(['pm', 'seg', 'sr']);
    expect(derived.filter((d) => d.refusal)).toEqual([]);
  });

  it('PM: the map within half a quantization step; SEG: exactly the top 5% region', async () => {
    const map = (await readNifti(path.join(results, 'gradcam.nii.gz'))).data as Float32Array;
    expect(map.length).toBe(640 * 800);
    const pm = derived.find((d) => d.kind === 'pm')!;
    const got = await engine.derivedMap(demo.seriesUid, pm.uid, 0);
    let worst = 0;
    for (let i = 0; i < map.length; i++) worst = Math.max(worst, Math.abs(got[i] - map[i]));
    const hi = map.reduce((a, b) => Math.max(a, Math.abs(b)), 0);
    console.info(`read-back ceph PM: max |read - map| = ${worst.toExponential(3)}, half step ${(pm.value!.slope / 2).toExponential(3)}`);
    expect(worst).toBeLessThanOrEqual(pm.value!.slope / 2 + hi * 1e-7);
    const seg = derived.find((d) => d.kind === 'seg')!;
    const mask = await engine.derivedMap(demo.seriesUid, seg.uid, 1);
    const expected = topRegion(map, 5);
    let differ = 0;
    for (let i = 0; i < map.length; i++) if (mask[i] !== expected[i]) differ++;
    expect(differ).toBe(0);
  });

  it('SR: each predicted landmark at its pixel, on the X-ray', () => {
    const predicted = JSON.parse(readFileSync(path.join(results, 'result.json'), 'utf8')).prediction.landmarks.points as {
      name: string;
      pixel: [number, number];
    }[];
    const sr = derived.find((d) => d.kind === 'sr')!;
    expect(sr.points!.map((p) => p.name)).toEqual(predicted.map((p) => p.name));
    for (const [i, p] of sr.points!.entries()) {
      expect(p.sliceIndex).toBe(0);
      // SCOORD values are 32-bit floats: 1e-3 px at these sizes.
      expect(Math.abs(p.pixel[0] - predicted[i].pixel[0])).toBeLessThan(1e-3);
      expect(Math.abs(p.pixel[1] - predicted[i].pixel[1])).toBeLessThan(1e-3);
    }
  });
});

describe('the series and the export together', () => {
  it('dcentvfy (dicom3tools) finds no inconsistency between the source images and every exported object', () => {
    const files = [...[demo.file], ...readdirSync(path.join(out, 'dicom')).map((f) => path.join(out, 'dicom', f))];
    const r = spawnSync('dcentvfy', files, { encoding: 'utf8' });
    if (r.error) throw new Error(`dcentvfy not runnable (${r.error.message}): apt-get install -y dicom3tools`);
    const lines = (r.stdout + r.stderr).split('\n');
    // Warnings only: AccessionNumber sits in another information entity in the SR's modules than in the images'.
    console.info(`dcentvfy over ${files.length} files: ${lines.filter((l) => l.startsWith('Warning')).length} warning(s)`);
    expect(lines.filter((l) => l.startsWith('Error'))).toEqual([]);
  });
});
