// The Parametric Map's encoding: 16-bit unsigned pixels with a Real World Value Mapping, JPEG-LS
// lossless frames streamed one per slice. Read back by tools other than the writer (dciodvfy for
// the IOD, dcmtk for the JPEG-LS frames, pixelmed for the attributes, its own real-world transform
// and the stored values): the real values equal the explain map within half a quantization step.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main';
import { exportResultFolder } from '../../src/cli/commands/report';
import { generateCtStudy } from '../../src/main/engine/demo';
import { readNifti, writeNifti } from '../../src/main/engine/io/nifti';
import { bundledModelsDir } from '../../src/main/engine/paths';
import { quantizationOf, realValue, storedValue } from '../../src/main/engine/report/mapQuantization';
import { PIXELMED, maxRealValueError, readParametricMap } from './parametric-map-reader';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'explicare-pm-'));
const cacheDir = path.join(tmp, 'cache');
const study = path.join(tmp, 'ct');
const results = path.join(tmp, 'results');
const base = { cacheDir, bundledModelsDir: bundledModelsDir(), pdf: false, dicom: true, anonymize: false };

const dciodvfyErrors = (file: string) => {
  const r = spawnSync('dciodvfy', [file], { encoding: 'utf8' });
  if (r.error) throw new Error(`dciodvfy not runnable (${r.error.message}): apt-get install -y dicom3tools`);
  return (r.stderr + r.stdout).split('\n').filter((l) => l.startsWith('Error'));
};

beforeAll(async () => {
  for (const tool of ['dciodvfy', 'dcmdjpls', 'java'])
    if (spawnSync('which', [tool]).status !== 0) throw new Error(`${tool} is missing (apt-get install -y dicom3tools dcmtk default-jre-headless)`);
  if (spawnSync('test', ['-f', PIXELMED]).status !== 0) throw new Error(`${PIXELMED} is missing (apt-get install -y pixelmed-apps)`);
  process.env.EXPLICARE_CACHE_DIR = cacheDir;
  await generateCtStudy({ seed: 5, outDir: study, slices: 24, rows: 128, columns: 128 });
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    expect(await main(['explain', '--study', study, '--model', 'ct-nodule-classifier', '--method', 'gradcam', '--out', results])).toBe(0);
  } finally {
    out.mockRestore();
  }
}, 180_000);

afterAll(() => {
  delete process.env.EXPLICARE_CACHE_DIR;
  rmSync(tmp, { recursive: true, force: true });
});

describe('quantization', () => {
  it('keeps 0 exact, spans the map with 16 bits and maps back within half a step', () => {
    const pos = quantizationOf(0, 0.0065);
    expect([pos.offset, pos.intercept, pos.first, pos.last]).toEqual([0, 0, 0, 32767]);
    const neg = quantizationOf(-2, 1);
    expect([neg.offset, neg.first, neg.last]).toEqual([16384, 1, 16384 + 8192]);
    expect(realValue(storedValue(0, neg), neg)).toBe(0);
    for (const q of [pos, neg])
      for (const v of [0.001, 0.0042, 0.0065]) expect(Math.abs(realValue(storedValue(v, q), q) - v)).toBeLessThanOrEqual(q.slope / 2 + 1e-15);
    const flat = quantizationOf(0, 0);
    expect([flat.slope, flat.first, flat.last]).toEqual([1, 0, 0]);
    expect(() => quantizationOf(Number.NaN, 1)).toThrow('cannot quantize');
  });
});

describe('Parametric Map read back', () => {
  it('is 16-bit JPEG-LS with a Real World Value Mapping that pixelmed reads, valid for dciodvfy, equal to the map within half a step', async () => {
    const out = path.join(tmp, 'out');
    const files = (await exportResultFolder({ ...base, study, results, out })).files;
    const pm = files.find((f) => path.basename(f) === 'PM-gradcam.dcm')!;
    expect(dciodvfyErrors(pm)).toEqual([]);
    const r = readParametricMap(pm);
    expect(r.fields).toMatchObject({
      transferSyntax: '1.2.840.10008.1.2.4.80',
      SOPClassUID: '1.2.840.10008.5.1.4.1.1.30',
      NumberOfFrames: '24',
      compressedFrames: '24', // one fragment per frame
      BitsAllocated: '16',
      BitsStored: '16',
      PixelRepresentation: '0',
      floatPixelData: 'false',
      lutLabel: 'gradcam',
      units: '1,UCUM',
    });
    expect(r.fields.lutExplanation).toContain('gradcam saliency');
    const nii = await readNifti(path.join(results, 'gradcam.nii.gz'));
    const data = nii.data as Float32Array;
    const hi = data.reduce((a, b) => Math.max(a, b), -Infinity);
    expect(Number(r.fields.first)).toBe(0);
    expect(Number(r.fields.last)).toBe(32767); // 15 bits: OHIF's reader takes the pixels as signed
    expect(r.slope).toBeCloseTo(hi / 32767, 15);
    // pixelmed's own reading of the mapping agrees on the top of the range
    expect(Number(r.fields['real(32767)'].split(' ')[0])).toBeCloseTo(hi, 4);
    const error = maxRealValueError(r, data);
    console.info(`PM gradcam: max |real - map| = ${error.toExponential(3)} (step ${r.slope.toExponential(3)}, map max ${hi.toExponential(3)})`);
    expect(error).toBeLessThanOrEqual(r.slope / 2 + hi * 1e-7); // half a step, plus float32 rounding of the map
  }, 120_000);

  it('stores a map with negative values unsigned, offset by 16384, with 0 read back as 0', async () => {
    const signed = path.join(tmp, 'signed-results');
    cpSync(results, signed, { recursive: true });
    const nii = await readNifti(path.join(results, 'gradcam.nii.gz'));
    const src = nii.data as Float32Array;
    const mean = src.reduce((a, b) => a + b, 0) / src.length;
    // centred: about half the voxels negative, and some exactly 0
    const data = Float32Array.from(src, (v, i) => (i % 97 === 0 ? 0 : v - mean));
    await writeNifti(path.join(signed, 'gradcam.nii.gz'), { geometry: nii.geometry, data });
    const out = path.join(tmp, 'signed-out');
    const pm = (await exportResultFolder({ ...base, study, results: signed, out })).files.find((f) => path.basename(f) === 'PM-gradcam.dcm')!;
    expect(dciodvfyErrors(pm)).toEqual([]);
    const r = readParametricMap(pm);
    expect(r.fields.PixelRepresentation).toBe('0');
    expect(r.intercept).toBeCloseTo(-16384 * r.slope, 15);
    expect(r.stored[0]).toBe(16384);
    expect(r.stored.reduce((a: number, b: number) => Math.max(a, b), 0)).toBeLessThanOrEqual(32767);
    expect(r.stored[0] * r.slope + r.intercept).toBe(0);
    const extent = data.reduce((a, b) => Math.max(a, Math.abs(b)), 0);
    const error = maxRealValueError(r, data);
    console.info(`PM with negative values: max |real - map| = ${error.toExponential(3)} (step ${r.slope.toExponential(3)})`);
    expect(error).toBeLessThanOrEqual(r.slope / 2 + extent * 1e-7);
  }, 120_000);
});
