// [I] read-back: the SEG and Parametric Maps Explicare exports from a demo CT, opened again with the
// series, give back the explain maps (PM: every voxel within half a quantization step of the NIfTI
// map `explain` wrote; SEG: exactly the top-5% region computed here from that map), and broken or
// foreign objects are refused with a message naming them while the study still opens.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import dcmjs from 'dcmjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main';
import { exportResultFolder } from '../../src/cli/commands/report';
import { generateCtStudy, type CtDemoResult } from '../../src/main/engine/demo';
import { Engine } from '../../src/main/engine/engine';
import { readNifti } from '../../src/main/engine/io/nifti';
import { writeDicom, type NaturalDataset } from '../../src/main/engine/io/dicomWrite';
import { bundledModelsDir } from '../../src/main/engine/paths';
import { topRegion } from '../../src/shared/topRegion';
import type { DerivedObjectSummary } from '../../src/shared/api';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'explicare-readback-'));
const cacheDir = path.join(tmp, 'cache');
const study = path.join(tmp, 'ct');
const results = path.join(tmp, 'results');
const out = path.join(tmp, 'out');
let demo: CtDemoResult;
let engine: Engine;
let derived: DerivedObjectSummary[];
/** The demo folder also holds its ground truth (JSON, NIfTI): only DICOM files matter here. */
const dicomSkipped = (s: { file: string }[]) => s.filter((x) => x.file.endsWith('.dcm'));

interface Dcm {
  DicomMessage: { readFile(b: ArrayBuffer): { dict: object } };
  DicomMetaDictionary: { naturalizeDataset(d: object): NaturalDataset };
}
const dcm = (dcmjs as unknown as { data: Dcm }).data;
const readAll = (file: string): NaturalDataset => {
  const b = readFileSync(file);
  return dcm.DicomMetaDictionary.naturalizeDataset(dcm.DicomMessage.readFile(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer).dict);
};

beforeAll(async () => {
  process.env.EXPLICARE_CACHE_DIR = cacheDir;
  demo = await generateCtStudy({ seed: 5, outDir: study, slices: 24, rows: 128, columns: 128 });
  const quiet = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    expect(await main(['explain', '--study', study, '--model', 'ct-nodule-classifier', '--method', 'gradcam,gradcampp', '--out', results])).toBe(0);
  } finally {
    quiet.mockRestore();
  }
  await exportResultFolder({ cacheDir, bundledModelsDir: bundledModelsDir(), pdf: false, dicom: true, anonymize: false, study, results, out });
  engine = new Engine({ cacheDir: path.join(tmp, 'engine-cache') });
  const report = await engine.openPaths([study, path.join(out, 'dicom')]);
  expect(dicomSkipped(report.skipped)).toEqual([]);
  derived = await engine.listDerived(demo.seriesUid);
}, 240_000);

afterAll(async () => {
  await engine?.dispose();
  delete process.env.EXPLICARE_CACHE_DIR;
  rmSync(tmp, { recursive: true, force: true });
});

describe('exported objects opened with their series', () => {
  it('lists both Parametric Maps, the SEG and the SR, none refused, and the series still opens as one volume', async () => {
    expect(derived.map((d) => `${d.kind}:${d.file.split(path.sep).pop()}`).sort()).toEqual(
      ['pm:PM-gradcam.dcm', 'pm:PM-gradcampp.dcm', 'seg:SEG-top-regions.dcm', 'sr:SR-measurement-report.dcm'].sort(),
    );
    expect(derived.filter((d) => d.refusal)).toEqual([]);
    // The objects are not series of their own (the key images are: a Secondary Capture series).
    expect(engine.listStudies()[0].series.map((s) => s.modality).sort()).toEqual(['CT', 'OT']);
    const seg = derived.find((d) => d.kind === 'seg')!;
    expect(seg.segments!.map((s) => s.label)).toEqual(['gradcam top 5%', 'gradcampp top 5%']);
    const pm = derived.find((d) => d.file.endsWith('PM-gradcam.dcm'))!;
    expect(pm.value).toMatchObject({ label: 'gradcam', unit: 'no units' });
  });

  for (const method of ['gradcam', 'gradcampp']) {
    it(`PM-${method}: every voxel equals the explain map within half a quantization step`, async () => {
      const pm = derived.find((d) => d.file.endsWith(`PM-${method}.dcm`))!;
      const got = await engine.derivedMap(demo.seriesUid, pm.uid, 0);
      const map = (await readNifti(path.join(results, `${method}.nii.gz`))).data as Float32Array;
      expect(got.length).toBe(map.length);
      let worst = 0;
      for (let i = 0; i < map.length; i++) worst = Math.max(worst, Math.abs(got[i] - map[i]));
      const hi = map.reduce((a, b) => Math.max(a, Math.abs(b)), 0);
      console.info(`read-back PM-${method}: max |read - map| = ${worst.toExponential(3)}, half step = ${(pm.value!.slope / 2).toExponential(3)}`);
      expect(worst).toBeLessThanOrEqual(pm.value!.slope / 2 + hi * 1e-7);
    });
  }

  it('SEG: each segment is exactly the top 5% region of its map; segment 0 gives each voxel its segment', async () => {
    const seg = derived.find((d) => d.kind === 'seg')!;
    const all = await engine.derivedMap(demo.seriesUid, seg.uid, 0);
    for (const [n, method] of [[1, 'gradcam'], [2, 'gradcampp']] as const) {
      const map = (await readNifti(path.join(results, `${method}.nii.gz`))).data as Float32Array;
      const expected = topRegion(map, 5);
      const got = await engine.derivedMap(demo.seriesUid, seg.uid, n);
      let differ = 0;
      let inside = 0;
      for (let i = 0; i < map.length; i++) {
        if (got[i] !== expected[i]) differ++;
        inside += expected[i];
        // The label map shows the higher segment where both hold the voxel.
        if (n === 2 && expected[i]) expect(all[i]).toBe(2);
      }
      expect(inside).toBeGreaterThan(0);
      expect(differ).toBe(0);
    }
  });
});

describe('bad derived objects', () => {
  const segFile = () => path.join(out, 'dicom', 'SEG-top-regions.dcm');
  async function variant(name: string, change: (ds: NaturalDataset) => void): Promise<{ engine: Engine; summary: DerivedObjectSummary }> {
    const dir = path.join(tmp, name);
    mkdirSync(dir, { recursive: true });
    const ds = readAll(segFile());
    change(ds);
    ds._vrMap = { PixelData: 'OB' };
    await writeDicom(path.join(dir, `${name}.dcm`), ds);
    const e = new Engine({ cacheDir: path.join(tmp, `cache-${name}`) });
    const report = await e.openPaths([study, dir]);
    expect(dicomSkipped(report.skipped)).toEqual([]);
    const list = await e.listDerived(demo.seriesUid);
    expect(list).toHaveLength(1);
    // The series opens regardless.
    expect((await e.loadVolume(demo.seriesUid)).geometry.dimensions).toEqual([128, 128, 24]);
    return { engine: e, summary: list[0] };
  }

  it('asking for an object the series does not have, or a segment the SEG does not have: a clear error', async () => {
    await expect(engine.derivedMap(demo.seriesUid, '1.2.3.4', 0)).rejects.toThrow('no SEG or Parametric Map with this UID refers to this series');
    const seg = derived.find((d) => d.kind === 'seg')!;
    await expect(engine.derivedMap(demo.seriesUid, seg.uid, 9)).rejects.toThrow(
      /^Segmentation "SALIENCY_TOP" \(dicom\/SEG-top-regions\.dcm\) has no segment 9$/,
    );
    const sr = derived.find((d) => d.kind === 'sr')!;
    await expect(engine.derivedMap(demo.seriesUid, sr.uid, 0)).rejects.toThrow(/is a report: it has no voxels/);
  });

  it('a SEG that refers to no open series is named when opened; the rest opens', async () => {
    const e = new Engine({ cacheDir: path.join(tmp, 'cache-alone') });
    const dir = path.join(tmp, 'alone');
    mkdirSync(dir);
    copyFileSync(segFile(), path.join(dir, 'seg.dcm'));
    const report = await e.openPaths([dir]);
    expect(report.skipped).toEqual([
      {
        file: path.join('alone', 'seg.dcm'),
        reason: expect.stringMatching(/^Segmentation "SALIENCY_TOP" \(alone\/seg\.dcm\) refers to series [0-9.]+, which is not open/),
      },
    ]);
    await e.openPaths([study]);
    expect((await e.listDerived(demo.seriesUid)).map((d) => d.refusal)).toEqual([undefined]);
    await e.dispose();
  });

  it('another frame of reference: refused, naming the object and both UIDs', async () => {
    const { engine: e, summary } = await variant('other-for', (ds) => (ds.FrameOfReferenceUID = '1.2.3.4.5'));
    expect(summary.refusal).toMatch(/^Segmentation "SALIENCY_TOP" \(other-for\/other-for\.dcm\) is in another frame of reference \(0020,0052: 1\.2\.3\.4\.5\)/);
    await expect(e.derivedMap(demo.seriesUid, summary.uid, 1)).rejects.toThrow(/another frame of reference/);
    await e.dispose();
  });

  it('a frame off the series grid: refused, naming the frame and its position', async () => {
    const { engine: e, summary } = await variant('shifted', (ds) => {
      const f = (ds.PerFrameFunctionalGroupsSequence as { PlanePositionSequence: { ImagePositionPatient: number[] }[] }[])[0];
      const p = f.PlanePositionSequence[0].ImagePositionPatient;
      f.PlanePositionSequence[0].ImagePositionPatient = [Number(p[0]) + 0.4, Number(p[1]), Number(p[2])];
    });
    expect(summary.refusal).toMatch(
      /^frame 1 of Segmentation "SALIENCY_TOP" \(shifted\/shifted\.dcm\) lies at Image Position \(Patient\) .* not the corner of a slice/,
    );
    await e.dispose();
  });

  it('frames of another size: refused', async () => {
    const { engine: e, summary } = await variant('size', (ds) => {
      ds.Rows = 64;
      ds.Columns = 64;
    });
    expect(summary.refusal).toMatch(/its frames are 64 x 64 \(Columns x Rows\) but the series' images are 128 x 128/);
    await e.dispose();
  });

  it('a FRACTIONAL SEG (8-bit, Maximum Fractional Value): read as membership 0..1, the label map where at least half', async () => {
    const { engine: e, summary } = await variant('fractional', (ds) => {
      // The binary frames, one byte per pixel: inside = 200 of 255, so membership 200/255.
      const frames = Number(ds.NumberOfFrames);
      const size = Number(ds.Rows) * Number(ds.Columns);
      const bits = new Uint8Array((ds.PixelData as ArrayBuffer[])[0]);
      const bytes = new Uint8Array(frames * size);
      for (let p = 0; p < bytes.length; p++) bytes[p] = (bits[p >> 3] >> (p & 7)) & 1 ? 200 : 0;
      Object.assign(ds, {
        BitsAllocated: 8,
        BitsStored: 8,
        HighBit: 7,
        SegmentationType: 'FRACTIONAL',
        SegmentationFractionalType: 'PROBABILITY',
        MaximumFractionalValue: 255,
      });
      ds.PixelData = [bytes.buffer];
    });
    expect(summary.refusal).toBeUndefined();
    const map = (await readNifti(path.join(results, 'gradcam.nii.gz'))).data as Float32Array;
    const expected = topRegion(map, 5);
    const got = await e.derivedMap(demo.seriesUid, summary.uid, 1);
    const labels = await e.derivedMap(demo.seriesUid, summary.uid, 0);
    let differ = 0;
    for (let i = 0; i < map.length; i++) {
      if (Math.abs(got[i] - (expected[i] ? 200 / 255 : 0)) > 1e-6) differ++;
      if (expected[i] && labels[i] === 0) differ++;
    }
    expect(differ).toBe(0);
    await e.dispose();
  });

  it('an unsupported segment encoding: refused, naming the attribute', async () => {
    const { engine: e, summary } = await variant('labelmap', (ds) => (ds.SegmentationType = 'LABELMAP'));
    expect(summary.refusal).toMatch(/Segmentation Type \(0062,0001\) "LABELMAP" is not supported/);
    await e.dispose();
  });
});

describe('the series and the export together', () => {
  it('dcentvfy (dicom3tools) finds no inconsistency between the source images and every exported object', () => {
    const files = [
      ...readdirSync(study)
        .filter((f) => f.endsWith('.dcm'))
        .map((f) => path.join(study, f)),
      ...readdirSync(path.join(out, 'dicom')).map((f) => path.join(out, 'dicom', f)),
    ];
    const r = spawnSync('dcentvfy', files, { encoding: 'utf8' });
    if (r.error) throw new Error(`dcentvfy not runnable (${r.error.message}): apt-get install -y dicom3tools`);
    const lines = (r.stdout + r.stderr).split('\n');
    // Warnings only: AccessionNumber sits in another information entity in the SR's modules than in the images'.
    console.info(`dcentvfy over ${files.length} files: ${lines.filter((l) => l.startsWith('Warning')).length} warning(s)`);
    expect(lines.filter((l) => l.startsWith('Error'))).toEqual([]);
  });
});

describe('hostile derived objects', () => {
  it('a SEG declaring more frames than its Pixel Data holds is refused when opened, naming the attribute; the series opens', async () => {
    const dir = path.join(tmp, 'hostile');
    mkdirSync(dir, { recursive: true });
    const ds = readAll(path.join(out, 'dicom', 'SEG-top-regions.dcm'));
    ds.NumberOfFrames = 1_000_000_000;
    ds._vrMap = { PixelData: 'OB' };
    await writeDicom(path.join(dir, 'huge.dcm'), ds);
    const e = new Engine({ cacheDir: path.join(tmp, 'cache-hostile') });
    const report = await e.openPaths([study, dir]);
    expect(dicomSkipped(report.skipped)).toEqual([
      {
        file: path.join('hostile', 'huge.dcm'),
        reason: expect.stringMatching(/^Number of Frames \(0028,0008\) is 1000000000 but Pixel Data \(7FE0,0010\) holds only \d+ frame/),
      },
    ]);
    expect(await e.listDerived(demo.seriesUid)).toEqual([]);
    expect((await e.loadVolume(demo.seriesUid)).geometry.dimensions).toEqual([128, 128, 24]);
    await e.dispose();
  });
});
