// The seeded demo generators: valid DICOM (dciodvfy), determinism, plausible HU and lesion masks
// for the CT, landmarks consistent with the drawn cephalogram, and the CLI's handling of flags.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import dicomParser from 'dicom-parser';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main';
import { type CephDemoResult, type CtDemoResult, generateCeph, generateCtStudy, planCeph } from '../../src/main/engine/demo';
import { readNifti } from '../../src/main/engine/io/nifti';
import { indexToPatient, patientToIndex } from '../../src/shared/geometry';
import { ISBI_LANDMARKS } from '../../src/shared/landmarks';

/** dciodvfy's "Error" lines (it writes its report to stderr); fails naming the package when absent. */
function dciodvfyErrors(file: string): string[] {
  const r = spawnSync('dciodvfy', [file], { encoding: 'utf8' });
  if (r.error) throw new Error(`dciodvfy not runnable (${r.error.message}): apt-get install -y dicom3tools`);
  return `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => l.startsWith('Error'));
}

interface Image {
  ds: dicomParser.DataSet;
  pixels: Uint16Array;
  rows: number;
  columns: number;
}

function readImage(file: string): Image {
  const ds = dicomParser.parseDicom(new Uint8Array(readFileSync(file)));
  const el = ds.elements.x7fe00010;
  const bytes = ds.byteArray.slice(el.dataOffset, el.dataOffset + el.length);
  return { ds, pixels: new Uint16Array(bytes.buffer, bytes.byteOffset, el.length / 2), rows: ds.uint16('x00280010')!, columns: ds.uint16('x00280011')! };
}

const sha = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');
const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

const root = mkdtempSync(path.join(tmpdir(), 'explicare-demo-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('synthetic chest CT', () => {
  // Small but with the default field of view (~350 mm) and thin enough slices to catch nodules.
  const small = { rows: 160, columns: 160, pixelSpacingMm: 2.2, slices: 40, sliceThicknessMm: 7.5, lesionCount: 3 };
  let a: CtDemoResult;
  let hu: Float32Array; // whole volume in HU, [k][j][i]
  beforeAll(async () => {
    a = await generateCtStudy({ seed: 11, outDir: path.join(root, 'ct-a'), ...small });
    const [cols, rows, n] = a.geometry.dimensions;
    hu = new Float32Array(cols * rows * n);
    a.files.forEach((f, k) => {
      const img = readImage(f);
      const slope = Number(img.ds.string('x00281053'));
      const intercept = Number(img.ds.string('x00281052'));
      for (let p = 0; p < img.pixels.length; p++) hu[k * cols * rows + p] = img.pixels[p] * slope + intercept;
    });
  });

  it('writes one file per slice plus ground truth and mask', () => {
    const names = readdirSync(a.outDir).sort();
    expect(names.filter((n) => /^CT\d{4}\.dcm$/.test(n))).toHaveLength(small.slices);
    expect(names).toContain('groundtruth.json');
    expect(names).toContain('lesion-mask.nii.gz');
    expect(names.some((n) => n.endsWith('.tmp'))).toBe(false);
    const gt = JSON.parse(readFileSync(a.groundTruthFile, 'utf8'));
    expect(gt.seriesUid).toBe(a.seriesUid);
    expect(gt.landmarks).toEqual([]);
    expect(gt.lesions).toHaveLength(3);
    expect(gt.source).toContain('seed 11');
  });

  it('passes dciodvfy with no errors', () => {
    for (const f of [a.files[0], a.files[20], a.files[39]]) expect(dciodvfyErrors(f), f).toEqual([]);
  });

  it('places slices with the shared geometry and sensible attributes', () => {
    for (const k of [0, 17, 39]) {
      const img = readImage(a.files[k]);
      const ipp = img.ds.string('x00200032')!.split('\\').map(Number);
      const expected = indexToPatient(a.geometry, [0, 0, k]);
      ipp.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 4));
      expect(img.ds.string('x00080060')).toBe('CT');
      expect(img.ds.string('x00100010')).toBe('Demo^Chest CT');
      expect(img.ds.string('x00100020')).toBe('DEMO-CT-11');
      expect(img.ds.string('x0020000e')).toBe(a.seriesUid);
      expect(img.ds.string('x00180015')).toBe('CHEST');
      expect(img.ds.uint16('x00280101')).toBe(12);
      expect(img.ds.string('x00200052')).toBe(a.frameOfReferenceUid);
    }
    // The volume is centred on the patient origin.
    const [nx, ny, nz] = a.geometry.dimensions;
    const centre = indexToPatient(a.geometry, [(nx - 1) / 2, (ny - 1) / 2, (nz - 1) / 2]);
    centre.forEach((v) => expect(Math.abs(v)).toBeLessThan(1e-9));
  });

  it('has plausible HU for air, lung and bone', () => {
    const [cols, rows] = a.geometry.dimensions;
    const k = 26; // upper-mid chest
    const sl = hu.subarray(k * cols * rows, (k + 1) * cols * rows);
    const at = (x: number, y: number, r: number): number[] => {
      const [ci, cj] = patientToIndex(a.geometry, [x, y, 0]);
      const out: number[] = [];
      for (let j = Math.round(cj) - r; j <= Math.round(cj) + r; j++) for (let i = Math.round(ci) - r; i <= Math.round(ci) + r; i++) out.push(sl[j * cols + i]);
      return out;
    };
    const air = at(-165, -165, 3);
    expect(Math.abs(median(air) + 1000)).toBeLessThan(40);
    const lungCount = Array.from(sl).filter((v) => v < -700 && v > -960).length;
    expect(lungCount / sl.length).toBeGreaterThan(0.12);
    expect(median(at(-70, 0, 2))).toBeLessThan(-650); // right lung
    expect(median(at(70, 0, 2))).toBeLessThan(-650); // left lung
    const spine = at(0, 60, 6);
    expect(Math.max(...spine)).toBeGreaterThan(500); // vertebral cortex
    expect(median(at(0, 40, 1))).toBeGreaterThan(100); // vertebral body
  });

  it('has lesion HU inside the lesion mask, on the same voxel grid', async () => {
    const mask = await readNifti(a.maskFile);
    expect(mask.geometry.dimensions).toEqual(a.geometry.dimensions);
    mask.geometry.spacing.forEach((v, i) => expect(v).toBeCloseTo(a.geometry.spacing[i], 5));
    mask.geometry.origin.forEach((v, i) => expect(v).toBeCloseTo(a.geometry.origin[i], 3));
    mask.geometry.direction.forEach((v, i) => expect(v).toBeCloseTo(a.geometry.direction[i], 6));
    let seen = 0;
    const [cols, rows] = a.geometry.dimensions;
    a.groundTruth.lesions.forEach((lesion, n) => {
      const all: number[] = [];
      const core: number[] = []; // away from the edge, where the scanner blur mixes in lung
      for (let p = 0; p < mask.data.length; p++) {
        if (mask.data[p] !== n + 1) continue;
        all.push(hu[p]);
        if ([1, -1, cols, -cols].every((d) => mask.data[p + d] === n + 1)) core.push(hu[p]);
      }
      if (all.length === 0) return; // a small nodule can fall between thick slices
      seen++;
      expect(median(all)).toBeGreaterThan(lesion.kind === 'solid' ? -400 : -750); // far from lung (-850)
      if (core.length >= 3) {
        if (lesion.kind === 'solid') expect(Math.abs(median(core) - 30)).toBeLessThan(60);
        else expect(Math.abs(median(core) + 550)).toBeLessThan(120);
      }
      // The centre is inside the lesion: the nearest voxel carries its label (when sampled).
      const [i, j, k] = patientToIndex(a.geometry, lesion.centre).map(Math.round);
      if (Math.abs(patientToIndex(a.geometry, lesion.centre)[2] - k) < 0.2) expect(mask.data[(k * rows + j) * cols + i]).toBe(n + 1);
      expect(lesion.diameterMm).toBeGreaterThanOrEqual(6);
      expect(lesion.diameterMm).toBeLessThanOrEqual(25);
    });
    expect(seen).toBeGreaterThan(0);
    // Nothing outside the listed lesions.
    expect(Math.max(...new Set(mask.data))).toBeLessThanOrEqual(a.groundTruth.lesions.length);
  });

  it('is deterministic per seed and differs between seeds', async () => {
    const again = await generateCtStudy({ seed: 11, outDir: path.join(root, 'ct-b'), ...small, slices: 6 });
    const other = await generateCtStudy({ seed: 12, outDir: path.join(root, 'ct-c'), ...small, slices: 6 });
    const first = await generateCtStudy({ seed: 11, outDir: path.join(root, 'ct-d'), ...small, slices: 6 });
    again.files.forEach((f, k) => expect(sha(f)).toBe(sha(first.files[k])));
    expect(sha(again.maskFile)).toBe(sha(first.maskFile));
    expect(readFileSync(again.groundTruthFile, 'utf8')).toBe(readFileSync(first.groundTruthFile, 'utf8'));
    expect(Buffer.compare(Buffer.from(readImage(other.files[3]).pixels.buffer), Buffer.from(readImage(first.files[3]).pixels.buffer))).not.toBe(0);
    expect(other.seriesUid).not.toBe(first.seriesUid);
  });

  it('rejects bad options', async () => {
    await expect(generateCtStudy({ seed: 1, outDir: path.join(root, 'bad'), lesionCount: 4 })).rejects.toThrow(/lesionCount/);
    await expect(generateCtStudy({ seed: -1, outDir: path.join(root, 'bad') })).rejects.toThrow(/seed/);
  });
});

describe('synthetic lateral cephalogram', () => {
  let c: CephDemoResult;
  let img: Image;
  beforeAll(async () => {
    c = await generateCeph({ seed: 5, outDir: path.join(root, 'ceph-a') });
    img = readImage(c.file);
  });

  it('is a full-size DX For Presentation image that passes dciodvfy', () => {
    expect([img.columns, img.rows]).toEqual([1935, 2400]);
    expect(img.ds.string('x00080016')).toBe('1.2.840.10008.5.1.4.1.1.1.1');
    expect(img.ds.string('x00080068')).toBe('FOR PRESENTATION');
    expect(img.ds.string('x00181164')).toBe('0.1\\0.1');
    expect(dciodvfyErrors(c.file)).toEqual([]);
  });

  it('writes the 19 ISBI landmarks consistently', () => {
    const lm = c.groundTruth.landmarks;
    expect(lm.map((l) => l.abbreviation)).toEqual(ISBI_LANDMARKS.map((l) => l.abbreviation));
    const txt = readFileSync(c.landmarksFile, 'utf8').trim().split('\n');
    expect(txt).toHaveLength(19);
    txt.forEach((line, i) => expect(line).toBe(`${Math.round(lm[i].pixel[0])},${Math.round(lm[i].pixel[1])}`));
    for (const l of lm) {
      expect(l.pixel[0]).toBeGreaterThan(0);
      expect(l.pixel[0]).toBeLessThan(img.columns - 1);
      expect(l.pixel[1]).toBeGreaterThan(0);
      expect(l.pixel[1]).toBeLessThan(img.rows - 1);
      expect(l.patient[0]).toBeCloseTo(l.pixel[0] * 0.1, 3);
      expect(l.patient[1]).toBeCloseTo(l.pixel[1] * 0.1, 3);
    }
    const gt = JSON.parse(readFileSync(c.groundTruthFile, 'utf8'));
    expect(gt.seriesUid).toBe(c.seriesUid);
    expect(gt.lesions).toEqual([]);
  });

  it('has anatomically ordered landmarks (face to the right), over many skulls', () => {
    const skulls = [c.groundTruth.landmarks.map((l) => l.pixel)];
    for (let seed = 100; seed < 140; seed++) skulls.push(planCeph(seed, 1935, 2400).landmarksPx);
    for (const px of skulls) {
      const p = Object.fromEntries(ISBI_LANDMARKS.map((l, i) => [l.abbreviation, px[i]]));
      for (const [x, y] of px) {
        expect(x).toBeGreaterThan(0);
        expect(x).toBeLessThan(1934);
        expect(y).toBeGreaterThan(0);
        expect(y).toBeLessThan(2399);
      }
      expect(p.S[0]).toBeLessThan(p.N[0]); // sella posterior to nasion
      expect(p.Po[0]).toBeLessThan(p.Or[0]);
      expect(p.Ar[0]).toBeLessThan(p.PNS[0]);
      expect(p.PNS[0]).toBeLessThan(p.ANS[0]);
      expect(p.Me[1]).toBeGreaterThan(p.Pog[1]); // menton is the lowest chin point
      expect(p.Me[1]).toBeGreaterThanOrEqual(p.Gn[1]);
      expect(p.Gn[1]).toBeGreaterThan(p.Pog[1]);
      expect(p.B[1]).toBeLessThan(p.Pog[1]);
      expect(p.A[1]).toBeGreaterThan(p.ANS[1]);
      expect(p.Go[1]).toBeGreaterThan(p.Ar[1]);
      expect(p.UL[0]).toBeGreaterThan(p.UIT[0]); // lips in front of the teeth
      expect(p.LL[0]).toBeGreaterThan(p.LIT[0]);
      expect(p["Pog'"][0]).toBeGreaterThan(p.Pog[0]); // soft chin in front of the bony chin
      expect(p.Sn[0]).toBeGreaterThan(p.ANS[0]);
      const sn = Math.hypot(p.N[0] - p.S[0], p.N[1] - p.S[1]) * 0.1; // adult S-N, mm
      expect(sn).toBeGreaterThan(55);
      expect(sn).toBeLessThan(88);
    }
  });

  it('draws bone bright, soft tissue mid-grey and air dark at the landmarks', () => {
    const p = Object.fromEntries(c.groundTruth.landmarks.map((l) => [l.abbreviation, l.pixel]));
    const mean = (x: number, y: number, r = 6): number => {
      let s = 0;
      let n = 0;
      for (let j = Math.round(y) - r; j <= Math.round(y) + r; j++)
        for (let i = Math.round(x) - r; i <= Math.round(x) + r; i++) ((s += img.pixels[j * img.columns + i]), n++);
      return s / n;
    };
    const air = mean(img.columns - 20, 20, 10);
    const softChin = mean(p["Pog'"][0] - 40, p["Pog'"][1]); // 4 mm inside the soft chin
    const boneChin = mean(p.Pog[0] - 40, p.Pog[1]); // 4 mm inside the bony chin
    const incisor = mean(p.UIT[0] - 10 * (p.UIT[0] - p.LIT[0] > 0 ? 1 : 0), p.UIT[1] - 30, 3);
    expect(air).toBeLessThan(400);
    expect(softChin).toBeGreaterThan(air + 400);
    expect(boneChin).toBeGreaterThan(softChin + 300);
    expect(incisor).toBeGreaterThan(softChin + 500);
  });

  it('is deterministic per seed and varies between seeds', async () => {
    const again = await generateCeph({ seed: 5, outDir: path.join(root, 'ceph-b') });
    expect(sha(again.file)).toBe(sha(c.file));
    expect(readFileSync(again.landmarksFile, 'utf8')).toBe(readFileSync(c.landmarksFile, 'utf8'));
    const other = await generateCeph({ seed: 6, outDir: path.join(root, 'ceph-c') });
    expect(sha(other.file)).not.toBe(sha(c.file));
    expect(other.groundTruth.landmarks[0].pixel).not.toEqual(c.groundTruth.landmarks[0].pixel);
  });
});

describe('cli generate', () => {
  const run = async (args: string[]): Promise<{ code: number; err: string; out: string }> => {
    let err = '';
    let out = '';
    const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
    const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
    try {
      return { code: await main(args), err, out };
    } finally {
      e.mockRestore();
      o.mockRestore();
    }
  };

  it('prints usage for an unknown command and exits 1', async () => {
    const r = await run(['frobnicate']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/unknown command "frobnicate"/);
    expect(r.err).toMatch(/generate --kind ct\|ceph/);
  });

  it('exits 1 with a clear message on bad flags', async () => {
    expect((await run(['generate', '--kind', 'mri', '--seed', '1', '--out', root])).err).toMatch(/--kind must be "ct" or "ceph"/);
    expect((await run(['generate', '--kind', 'ct', '--seed', 'x', '--out', root])).err).toMatch(/--seed must be a whole number/);
    expect((await run(['generate', '--kind', 'ct', '--seed', '1'])).err).toMatch(/--out is required/);
    const unknown = await run(['generate', '--kind', 'ct', '--seed', '1', '--out', root, '--colour', 'red']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/--colour/);
  });

  it('generates --count studies into <kind>-<seed> folders', async () => {
    const out = path.join(root, 'cli');
    const r = await run(['generate', '--kind', 'ct', '--seed', '3', '--count', '2', '--slices', '2', '--out', out]);
    expect(r.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['ct-3', 'ct-4']);
    expect(readdirSync(path.join(out, 'ct-4')).filter((n) => n.endsWith('.dcm'))).toHaveLength(2);
  });
});
