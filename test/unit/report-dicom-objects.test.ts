// DICOM objects of the report export beyond the key images: Parametric Map (saliency on the study
// grid, 16-bit with a real world value mapping), SEG (top-k% regions), TID 1500 SR (finding, method parameters, landmarks). Each is
// checked with dciodvfy (0 errors), the SR also with pixelmed's DicomSRValidator (no errors), and
// their content against the explain result they came from.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import dcmjs from 'dcmjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main';
import { generateCeph, generateCtStudy } from '../../src/main/engine/demo';
import { Engine } from '../../src/main/engine/engine';
import { toStudyGrid } from '../../src/main/engine/explain/explainVolume';
import { readNifti, writeNifti } from '../../src/main/engine/io/nifti';
import { bundledModelsDir } from '../../src/main/engine/paths';
import { exportResultFolder } from '../../src/cli/commands/report';
import { kthLargest, topRegion } from '../../src/shared/topRegion';
import { maxRealValueError, readParametricMap } from './parametric-map-reader';

type Natural = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const { data: dcm } = dcmjs as unknown as {
  data: {
    DicomMessage: { readFile(b: ArrayBuffer): { dict: Record<string, unknown> } };
    DicomMetaDictionary: { naturalizeDataset(d: Record<string, unknown>): Natural };
  };
};

const tmp = mkdtempSync(path.join(os.tmpdir(), 'explicare-dicom-objects-'));
const cacheDir = path.join(tmp, 'cache');
const ctStudy = path.join(tmp, 'ct');
const cephStudy = path.join(tmp, 'ceph');
const ctResults = path.join(tmp, 'ct-results');
const cephResults = path.join(tmp, 'ceph-results');
const base = { cacheDir, bundledModelsDir: bundledModelsDir(), pdf: false, dicom: true, anonymize: false };
const PIXELMED = '/usr/share/java/pixelmed.jar';

function need(ok: boolean, what: string) {
  if (!ok) throw new Error(`${what} is missing`);
}
const dciodvfyErrors = (file: string) => {
  const r = spawnSync('dciodvfy', [file], { encoding: 'utf8' });
  return (r.stderr + r.stdout).split('\n').filter((l) => l.startsWith('Error'));
};
const srValidatorErrors = (file: string) => {
  const out = execFileSync(
    'java',
    [
      '-Djdk.xml.xpathExprGrpLimit=0',
      '-Djdk.xml.xpathExprOpLimit=0',
      '-Djdk.xml.xpathTotalOpLimit=0',
      '-cp',
      PIXELMED,
      'com.pixelmed.validate.DicomSRValidator',
      file,
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 << 20 },
  );
  expect(out).toContain('validation complete'); // the validator ran to the end
  return out.split('\n').filter((l) => l.startsWith('Error'));
};
const readFull = (file: string): Natural => {
  const b = readFileSync(file);
  return dcm.DicomMetaDictionary.naturalizeDataset(dcm.DicomMessage.readFile(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer).dict);
};
const dump = (file: string) => execFileSync('dcmdump', ['+L', '-q', file], { encoding: 'utf8', maxBuffer: 256 << 20 });
const dsrdump = (file: string) => execFileSync('dsrdump', ['+Pt', '+Pl', file], { encoding: 'utf8', maxBuffer: 64 << 20 });
const quietly = async <T>(f: () => Promise<T>) => {
  const a = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const b = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    return await f();
  } finally {
    a.mockRestore();
    b.mockRestore();
  }
};

/** Source instances of a demo study in slice order (by position along z, the demo's slice normal). */
function sourceSlices(dir: string) {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.dcm'))
    .map((f) => readFull(path.join(dir, f)))
    .sort((a, b) => Number(a.ImagePositionPatient?.[2] ?? 0) - Number(b.ImagePositionPatient?.[2] ?? 0));
}

/** MUPAX with few samples through the engine API, added to an explain result (the CLI needs >= 256 samples). */
async function addMupax(study: string, results: string) {
  const engine = new Engine({ cacheDir, bundledModelsDir: bundledModelsDir() });
  try {
    const uid = (await engine.openPaths([study])).openedSeries[0];
    const m = await engine.importModel(path.join(bundledModelsDir(), 'ct-nodule-classifier'));
    const info = await engine.loadVolume(uid);
    const job = await engine.startExplanation(uid, m.id, 'mupax', {
      samples: 64,
      chunk: [32, 64, 64],
      stratificationBlock: 8,
      checkEvery: 16,
      batchSize: 16,
      seed: 11,
    });
    const r = await engine.waitForJob(job.id);
    await writeNifti(path.join(results, 'mupax.nii.gz'), { geometry: info.geometry, data: toStudyGrid(r.maps[r.maps.length - 1], r.grid, info.geometry) });
    const json = JSON.parse(readFileSync(path.join(results, 'result.json'), 'utf8'));
    json.methods.mupax = {
      files: { [r.targets[r.targets.length - 1]]: 'mupax.nii.gz' },
      targets: r.targets,
      fromCache: job.fromCache,
      modelGrid: r.grid,
      ...r.details,
    };
    writeFileSync(path.join(results, 'result.json'), JSON.stringify(json));
  } finally {
    await engine.dispose();
  }
}

beforeAll(async () => {
  need(spawnSync('which', ['dciodvfy']).status === 0, 'dciodvfy (apt-get install -y dicom3tools)');
  need(spawnSync('which', ['dcmdump']).status === 0, 'dcmdump (apt-get install -y dcmtk)');
  need(spawnSync('test', ['-f', PIXELMED]).status === 0, `${PIXELMED} (apt-get install -y pixelmed-apps)`);
  process.env.EXPLICARE_CACHE_DIR = cacheDir;
  await generateCtStudy({ seed: 5, outDir: ctStudy, slices: 24, rows: 128, columns: 128 });
  await generateCeph({ seed: 3, outDir: cephStudy });
  await quietly(async () => {
    expect(await main(['explain', '--study', ctStudy, '--model', 'ct-nodule-classifier', '--method', 'gradcam', '--out', ctResults])).toBe(0);
    expect(await main(['explain', '--study', cephStudy, '--model', 'ceph-landmarks', '--method', 'gradcam', '--out', cephResults])).toBe(0);
  });
  await addMupax(ctStudy, ctResults);
}, 180_000);

afterAll(() => {
  delete process.env.EXPLICARE_CACHE_DIR;
  rmSync(tmp, { recursive: true, force: true });
});

describe('top-k% region', () => {
  it('marks exactly the values at or above the k-th largest, found without a full sort', () => {
    let s = 7;
    const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const data = Float32Array.from({ length: 50_000 }, () => Math.round(rand() * 1000) / 10); // many ties
    const sorted = Float32Array.from(data).sort().reverse();
    for (const count of [1, 7, 2500, 49_999]) expect(kthLargest(data, count)).toBe(sorted[count - 1]);
    const mask = topRegion(data, 5);
    const t = sorted[2499];
    for (let i = 0; i < data.length; i++) expect(mask[i]).toBe(data[i] >= t ? 1 : 0);
  });

  it('is empty for a flat map and refuses percentages outside (0, 100]', () => {
    expect(topRegion(new Float32Array(100), 5).reduce((a, b) => a + b, 0)).toBe(0);
    expect(() => topRegion(new Float32Array(10), 0)).toThrow('percentage');
    expect(() => topRegion(new Float32Array(10), 101)).toThrow('percentage');
  });
});

describe('CT: Parametric Maps, SEG and SR', () => {
  const out = path.join(tmp, 'ct-out');
  let files: string[] = [];
  let elapsedMs = 0;
  let slices: Natural[] = [];
  const file = (name: string) => files.find((f) => path.basename(f) === name)!;
  beforeAll(async () => {
    const r = await exportResultFolder({ ...base, study: ctStudy, results: ctResults, out, topPercent: 5, comment: 'Reviewed by the test suite' });
    files = r.files;
    elapsedMs = r.elapsedMs;
    slices = sourceSlices(ctStudy);
  }, 120_000);

  it('writes every object, each valid for dciodvfy, in new series of the source study', () => {
    expect(files.map((f) => path.basename(f)).sort()).toEqual([
      'PM-gradcam.dcm',
      'PM-mupax.dcm',
      'SC-gradcam.dcm',
      'SC-mupax.dcm',
      'SEG-top-regions.dcm',
      'SR-measurement-report.dcm',
    ]);
    const seriesByModality = new Map<string, Set<string>>();
    for (const f of files) {
      expect(dciodvfyErrors(f), path.basename(f)).toEqual([]);
      const ds = readFull(f);
      expect(ds.StudyInstanceUID).toBe(slices[0].StudyInstanceUID);
      expect(ds.SeriesInstanceUID).not.toBe(slices[0].SeriesInstanceUID);
      seriesByModality.set(ds.Modality, new Set([...(seriesByModality.get(ds.Modality) ?? []), ds.SeriesInstanceUID]));
    }
    expect([...seriesByModality.keys()].sort()).toEqual(['CT', 'OT', 'SEG', 'SR']);
    for (const s of seriesByModality.values()) expect(s.size).toBe(1); // one series per kind of object
    console.info(`CT export (24 slices of 128x128, two maps, DICOM only): ${elapsedMs} ms`);
  });

  it('Parametric Map: one 16-bit frame per slice, positioned and derived from that slice, equal to the NIfTI map within half a quantization step', async () => {
    const pm = readFull(file('PM-mupax.dcm'));
    const nii = await readNifti(path.join(ctResults, 'mupax.nii.gz'));
    const [nx, ny, nz] = nii.geometry.dimensions;
    expect([pm.Columns, pm.Rows, pm.NumberOfFrames, pm.BitsAllocated]).toEqual([nx, ny, nz, 16]);
    expect(pm.SOPClassUID).toBe('1.2.840.10008.5.1.4.1.1.30');
    expect(pm.FrameOfReferenceUID).toBe(slices[0].FrameOfReferenceUID);
    const frames = pm.PerFrameFunctionalGroupsSequence as Natural[];
    frames.forEach((f, k) => {
      const src = f.DerivationImageSequence.SourceImageSequence ?? f.DerivationImageSequence[0].SourceImageSequence;
      const ref = Array.isArray(src) ? src[0] : src;
      expect(ref.ReferencedSOPInstanceUID).toBe(slices[k].SOPInstanceUID);
      const pos = (f.PlanePositionSequence[0] ?? f.PlanePositionSequence).ImagePositionPatient.map(Number);
      pos.forEach((v: number, i: number) => expect(v).toBeCloseTo(Number(slices[k].ImagePositionPatient[i]), 3));
    });
    const shared = pm.SharedFunctionalGroupsSequence[0] ?? pm.SharedFunctionalGroupsSequence;
    const measures = shared.PixelMeasuresSequence[0] ?? shared.PixelMeasuresSequence;
    expect(measures.PixelSpacing.map(Number)).toEqual(slices[0].PixelSpacing.map(Number));
    // stored values decoded by dcmtk and read by pixelmed (parametric-map-reader.ts), mapped by the RWVM
    const read = readParametricMap(file('PM-mupax.dcm'));
    expect(read.stored.length).toBe(nx * ny * nz);
    let argmax = 0;
    for (let i = 1; i < nii.data.length; i++) if (nii.data[i] > nii.data[argmax]) argmax = i;
    expect(maxRealValueError(read, nii.data as ArrayLike<number>)).toBeLessThanOrEqual(read.slope / 2 + Math.abs(nii.data[argmax]) * 1e-7);
    for (const i of [0, argmax, nx * ny * 7 + nx * 40 + 63, nii.data.length - 1])
      if (nii.data[i] === 0) expect(read.stored[i] * read.slope + read.intercept).toBe(0); // MUPAX is 0 outside its region
    const rwvm = shared.RealWorldValueMappingSequence[0] ?? shared.RealWorldValueMappingSequence;
    expect(rwvm.RealWorldValueLastValueMapped * rwvm.RealWorldValueSlope + rwvm.RealWorldValueIntercept).toBeCloseTo(nii.data[argmax], 6);
  });

  it('SEG: one segment per method, frames equal to the top-5% binarization of Grad-CAM and to MUPAX\'s significant region', async () => {
    const seg = readFull(file('SEG-top-regions.dcm'));
    expect(seg.SegmentationType).toBe('BINARY');
    const segments = seg.SegmentSequence as Natural[];
    expect(segments.map((s) => [s.SegmentNumber, s.SegmentAlgorithmType, s.SegmentAlgorithmName])).toEqual([
      [1, 'AUTOMATIC', 'gradcam'],
      [2, 'AUTOMATIC', 'mupax'],
    ]);
    expect(segments[0].SegmentDescription).toContain('Top 5%');
    expect(segments[1].SegmentDescription).toMatch(/^mupax significant evidence for "/);
    const maps = [await readNifti(path.join(ctResults, 'gradcam.nii.gz')), await readNifti(path.join(ctResults, 'mupax.nii.gz'))];
    const [nx, ny, nz] = maps[0].geometry.dimensions;
    const masks = maps.map((m, i) => {
      // MUPAX's segment is its significant region: the voxels of its map above 0.
      if (i === 1) return Uint8Array.from(m.data as ArrayLike<number>, (v) => (v > 0 ? 1 : 0));
      // the reference binarization: a full sort, independent of the histogram search
      const sorted = Float32Array.from(m.data as ArrayLike<number>).sort();
      const t = sorted[sorted.length - Math.round((sorted.length * 5) / 100)];
      return Uint8Array.from(m.data as ArrayLike<number>, (v) => (v >= t && v > sorted[0] ? 1 : 0));
    });
    const bits = new Uint8Array(seg.PixelData[0]);
    const frames = seg.PerFrameFunctionalGroupsSequence as Natural[];
    expect(seg.NumberOfFrames).toBe(frames.length);
    const seen = new Set<string>();
    frames.forEach((f, i) => {
      const segment = (f.SegmentIdentificationSequence[0] ?? f.SegmentIdentificationSequence).ReferencedSegmentNumber;
      const z = Number((f.PlanePositionSequence[0] ?? f.PlanePositionSequence).ImagePositionPatient[2]);
      const k = slices.findIndex((s) => Math.abs(Number(s.ImagePositionPatient[2]) - z) < 1e-3);
      const src = f.DerivationImageSequence.SourceImageSequence ?? f.DerivationImageSequence[0].SourceImageSequence;
      expect((Array.isArray(src) ? src[0] : src).ReferencedSOPInstanceUID).toBe(slices[k].SOPInstanceUID);
      seen.add(`${segment}:${k}`);
      for (let p = 0; p < nx * ny; p++) {
        const bit = i * nx * ny + p;
        if (((bits[bit >> 3] >> (bit & 7)) & 1) !== masks[segment - 1][k * nx * ny + p]) throw new Error(`segment ${segment} slice ${k} pixel ${p} differs`);
      }
    });
    // every slice that has part of a region is stored
    masks.forEach((m, s) => {
      for (let k = 0; k < nz; k++) if (m.subarray(k * nx * ny, (k + 1) * nx * ny).includes(1)) expect(seen.has(`${s + 1}:${k}`)).toBe(true);
    });
  });

  it('SR: TID 1500 valid for pixelmed, with the finding, probabilities and every method parameter', () => {
    const sr = file('SR-measurement-report.dcm');
    expect(srValidatorErrors(sr)).toEqual([]);
    const text = dsrdump(sr);
    const result = JSON.parse(readFileSync(path.join(ctResults, 'result.json'), 'utf8'));
    const c = result.prediction.classification;
    expect(text).toContain(`Finding")=(CLASS-${c.predicted},99EXPLICARE,"${c.classes[c.predicted]}")`);
    c.classes.forEach((name: string, i: number) => {
      const m = text.match(new RegExp(`"Probability of ${name}"\\)="([^"]+)"`));
      expect(Number(m?.[1])).toBeCloseTo(c.probabilities[i], 8);
    });
    for (const s of [
      '"Algorithm Name")="mupax"',
      'parameters.seed = 11',
      'parameters.samples = 64',
      'parameters.chunk = 32 x 64 x 64',
      'parameters.percentile = 20',
      '"Algorithm Name")="gradcam"',
      'top region = 5%',
      'Reviewed by the test suite',
      '(mm3,UCUM,"cubic millimeter")',
    ])
      expect(text).toContain(s);
    expect(text).toContain('TID 1500');
    expect(text).not.toContain('timing.');
    const ds = readFull(sr);
    const refs = ds.CurrentRequestedProcedureEvidenceSequence[0].ReferencedSeriesSequence[0].ReferencedSOPSequence.map(
      (r: Natural) => r.ReferencedSOPInstanceUID,
    );
    expect(refs).toEqual(slices.map((s) => s.SOPInstanceUID));
  }, 240_000);
});

describe('cephalogram: projection image', () => {
  const out = path.join(tmp, 'ceph-out');
  let files: string[] = [];
  let src: Natural;
  const file = (name: string) => files.find((f) => path.basename(f) === name)!;
  beforeAll(async () => {
    files = (await exportResultFolder({ ...base, study: cephStudy, results: cephResults, out })).files;
    src = sourceSlices(cephStudy)[0];
  }, 120_000);

  it('writes a one-frame Parametric Map and SEG on the X-ray pixel grid, valid for dciodvfy, with a frame of reference of their own', () => {
    const pm = readFull(file('PM-gradcam.dcm'));
    const seg = readFull(file('SEG-top-regions.dcm'));
    for (const f of files) expect(dciodvfyErrors(f), path.basename(f)).toEqual([]);
    expect([pm.Columns, pm.Rows, pm.NumberOfFrames]).toEqual([src.Columns, src.Rows, 1]);
    expect(src.FrameOfReferenceUID).toBeUndefined();
    expect(pm.FrameOfReferenceUID).toMatch(/^2\.25\./);
    expect(seg.FrameOfReferenceUID).toBe(pm.FrameOfReferenceUID); // PM and SEG overlay each other
    const measures = pm.SharedFunctionalGroupsSequence.PixelMeasuresSequence ?? pm.SharedFunctionalGroupsSequence[0].PixelMeasuresSequence;
    expect((measures[0] ?? measures).PixelSpacing.map(Number)).toEqual(src.ImagerPixelSpacing.map(Number));
    const frame = pm.PerFrameFunctionalGroupsSequence[0] ?? pm.PerFrameFunctionalGroupsSequence;
    const ref = frame.DerivationImageSequence.SourceImageSequence ?? frame.DerivationImageSequence[0].SourceImageSequence;
    expect((Array.isArray(ref) ? ref[0] : ref).ReferencedSOPInstanceUID).toBe(src.SOPInstanceUID);
  });

  it('SR: every landmark as a SCOORD point on the X-ray with its radial error in mm, valid for pixelmed', () => {
    const sr = file('SR-measurement-report.dcm');
    expect(dciodvfyErrors(sr)).toEqual([]);
    expect(srValidatorErrors(sr)).toEqual([]);
    const result = JSON.parse(readFileSync(path.join(cephResults, 'result.json'), 'utf8'));
    const lm = result.prediction.landmarks;
    const ds = readFull(sr);
    const measurements = ds.ContentSequence.find(
      (c: Natural) => c.ConceptNameCodeSequence[0]?.CodeValue === '126010' || c.ConceptNameCodeSequence.CodeValue === '126010',
    );
    const groups = (measurements.ContentSequence as Natural[]).filter((g) => String(textOf(g, '112039')).startsWith('Landmark '));
    expect(groups.length).toBe(lm.points.length);
    for (const [i, p] of (lm.points as { name: string; pixel: [number, number] }[]).entries()) {
      const g = groups[i];
      expect(textOf(g, '112039')).toBe(`Landmark ${p.name}`);
      const scoord = (g.ContentSequence as Natural[]).find((c) => c.ValueType === 'SCOORD')!;
      expect(scoord.GraphicType).toBe('POINT');
      expect(scoord.GraphicData[0]).toBeCloseTo(p.pixel[0] + 0.5, 2);
      expect(scoord.GraphicData[1]).toBeCloseTo(p.pixel[1] + 0.5, 2);
      const image = scoord.ContentSequence[0] ?? scoord.ContentSequence;
      expect(image.RelationshipType).toBe('SELECTED FROM');
      expect((image.ReferencedSOPSequence[0] ?? image.ReferencedSOPSequence).ReferencedSOPInstanceUID).toBe(src.SOPInstanceUID);
      const error = lm.errors.perLandmark[i].errorMm;
      const numItem = (g.ContentSequence as Natural[]).find((c) => c.ValueType === 'NUM')!;
      const mv = numItem.MeasuredValueSequence[0] ?? numItem.MeasuredValueSequence;
      expect(Number(mv.NumericValue)).toBeCloseTo(error, 6);
      expect((mv.MeasurementUnitsCodeSequence[0] ?? mv.MeasurementUnitsCodeSequence).CodeValue).toBe('mm');
    }
  }, 240_000); // pixelmed takes ~40 s for this SR on two busy cores
});

/** The text value of the child of `item` whose concept name has code `codeValue`. */
function textOf(item: Natural, codeValue: string): string | undefined {
  const child = (item.ContentSequence as Natural[] | undefined)?.find(
    (c) => (c.ConceptNameCodeSequence[0] ?? c.ConceptNameCodeSequence).CodeValue === codeValue,
  );
  return child?.TextValue;
}

describe('anonymized DICOM objects', () => {
  it('carry no original identifier, still validate, and reference the remapped source UIDs', async () => {
    const out = path.join(tmp, 'anon-out');
    const files = (await exportResultFolder({ ...base, study: ctStudy, results: ctResults, out, anonymize: true })).files.filter((f) =>
      /\/(PM|SEG|SR)-/.test(f),
    );
    expect(files.length).toBe(4);
    const slices = sourceSlices(ctStudy);
    const s0 = slices[0];
    const secrets = [
      'Demo^Chest',
      s0.PatientID,
      s0.PatientBirthDate,
      s0.StudyInstanceUID,
      s0.SeriesInstanceUID,
      s0.FrameOfReferenceUID,
      'Explicare Demo Hospital',
      'Demo^Referrer',
      s0.AccessionNumber,
      s0.StudyDate,
      ...slices.map((s) => s.SOPInstanceUID),
    ];
    const studies = new Set<string>();
    for (const f of files) {
      expect(dciodvfyErrors(f), path.basename(f)).toEqual([]);
      const d = dump(f);
      const bytes = readFileSync(f).toString('latin1');
      for (const s of secrets) {
        expect(d).not.toContain(s);
        expect(bytes).not.toContain(s);
      }
      const ds = readFull(f);
      expect(ds.PatientIdentityRemoved).toBe('YES');
      studies.add(ds.StudyInstanceUID);
    }
    expect(studies.size).toBe(1);
    const sc = readFull(path.join(out, 'dicom', 'SC-mupax.dcm'));
    expect(sc.StudyInstanceUID).toBe([...studies][0]); // same remapping as the key images
    const sr = files.find((f) => f.includes('SR-'))!;
    expect(srValidatorErrors(sr)).toEqual([]);
  }, 240_000);
});

describe('CLI', () => {
  it('refuses a --top-percent outside (0, 100] in one line', async () => {
    const err: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
    try {
      expect(await main(['report', '--study', ctStudy, '--results', ctResults, '--out', path.join(tmp, 'x'), '--dicom', '--top-percent', '0'])).toBe(1);
      expect(await main(['report', '--study', ctStudy, '--results', ctResults, '--out', path.join(tmp, 'x'), '--dicom', '--top-percent', 'lots'])).toBe(1);
    } finally {
      spy.mockRestore();
    }
    expect(err.join('')).toContain('--top-percent must be a number above 0 and at most 100, got "0"');
    expect(err.join('')).toContain('got "lots"');
  });
});
