// Issue [K] security items 2 and 8: anonymization keyed by a per-install secret (not a public key),
// every date shifted or not written from the real clock, Burned In Annotation refused, free text
// left out; the export reads only the series' own files and never overwrites without being asked.
// A synthetic explain result (a random map) stands in for a model run: these tests are about what
// the export writes and reads, not about the explanation.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCtStudy } from '../../src/main/engine/demo';
import { Engine } from '../../src/main/engine/engine';
import { dicomBuffer } from '../../src/main/engine/io/dicomWrite';
import { writeNifti } from '../../src/main/engine/io/nifti';
import { createAnonymizer, shiftDa } from '../../src/main/engine/report/anonymize';
import { SECRET_FILE, anonymizationSecret } from '../../src/main/engine/report/anonymizationSecret';
import { exportResultFolder } from '../../src/cli/commands/report';
import { exportReport } from '../../src/main/engine/report/exportReport';
import { sessionExportInput } from '../../src/main/engine/report/sessionExport';
import { readNatural } from '../../src/main/engine/report/studySource';
import type { VolumeInfo } from '../../src/shared/api';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'explicare-privacy-'));
const cacheDir = path.join(tmp, 'cache');
// A "home folder": the series sits in one sub-folder, other things beside it.
const home = path.join(tmp, 'home');
const study = path.join(home, 'Downloads', 'ct');
const results = path.join(tmp, 'results');
const PATIENT_ID = '48213';
const ORIGINAL = { StudyDate: '20240110', SeriesDate: '20240110', AcquisitionDateTime: '20240110093011', ContentDate: '20240111' };
const COMMENT = 'Seen with Mrs Jane Patientname';
let info: VolumeInfo;
let files: string[];

/** dcmdump without the bulk pixel lines (their numbers would match anything). */
const dump = (file: string) =>
  execFileSync('dcmdump', ['+L', '-q', file], { encoding: 'utf8', maxBuffer: 1 << 28 })
    .split('\n')
    .filter((l) => !/PixelData/.test(l))
    .join('\n');
const dciodvfyErrors = (file: string) => {
  const r = spawnSync('dciodvfy', [file], { encoding: 'utf8' });
  return (r.stderr + r.stdout).split('\n').filter((l) => l.startsWith('Error'));
};
const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');
const localDa = (d: Date) => `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}`;
/** Every DA value and the date part of every DT value in a dcmdump listing (sequences included). */
const datesIn = (text: string) =>
  text.split('\n').flatMap((l) => {
    const m = l.match(/^\s*\([0-9a-f]{4},[0-9a-f]{4}\) (DA|DT) \[([^\]]*)\]/);
    return m ? m[2].split('\\').map((v) => v.slice(0, 8)).filter(Boolean) : [];
  });
const base = () => ({ study, results, cacheDir, pdf: true, dicom: true, anonymize: true, comment: COMMENT });

/** The old scheme (fixed public key ''): what anyone could recompute. */
const oldPseudonym = (id: string) => createHash('sha256').update(`explicare-anon-patient\0\0${id}`).digest().subarray(4, 10).toString('hex').toUpperCase();

async function rewrite(file: string, change: Record<string, unknown>) {
  const ds = await readNatural(file);
  const full = { ...ds, ...change };
  // readNatural stops before the pixels: take them from the original bytes' tail via a second read with dcmjs.
  const dcmjs = (await import('dcmjs')).default as {
    data: {
      DicomMessage: { readFile(b: ArrayBuffer): { dict: Record<string, unknown> } };
      DicomMetaDictionary: { naturalizeDataset(d: Record<string, unknown>): Record<string, unknown> };
    };
  };
  const bytes = readFileSync(file);
  const all = dcmjs.data.DicomMetaDictionary.naturalizeDataset(
    dcmjs.data.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer).dict,
  );
  writeFileSync(file, dicomBuffer({ ...full, PixelData: all.PixelData, _vrMap: all._vrMap }));
}

beforeAll(async () => {
  await generateCtStudy({ seed: 4, outDir: study, slices: 6, rows: 32, columns: 32 });
  files = readdirSync(study).filter((f) => f.endsWith('.dcm')).map((f) => path.join(study, f)).sort();
  for (const f of files) await rewrite(f, { PatientID: PATIENT_ID, ...ORIGINAL, AcquisitionDate: ORIGINAL.StudyDate });
  const engine = new Engine({ cacheDir });
  try {
    const open = await engine.openPaths([study]);
    info = await engine.loadVolume(open.openedSeries[0]);
  } finally {
    await engine.dispose();
  }
  mkdirSync(results, { recursive: true });
  const n = info.geometry.dimensions.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n).map((_, i) => Math.sin(i * 0.37) + 1);
  await writeNifti(path.join(results, 'gradcam.nii.gz'), { geometry: info.geometry, data });
  const result = {
    software: 'Explicare test',
    created: '2026-12-01T10:00:00.000Z',
    study: { seriesUid: info.seriesUid, modality: info.modality, geometry: info.geometry },
    model: { id: 'f'.repeat(64), name: 'Test classifier', version: '1.0.0' },
    prediction: { provider: 'cpu', task: 'classification', classification: { classes: ['none', 'nodule'], probabilities: [0.3, 0.7], predicted: 1 } },
    methods: { gradcam: { files: { nodule: 'gradcam.nii.gz' }, targets: ['nodule'] } },
  };
  writeFileSync(path.join(results, 'result.json'), JSON.stringify(result));
}, 60_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('anonymization secret', () => {
  it('is 32 random bytes created once, owner-only, and reused', async () => {
    const dir = path.join(tmp, 'secret-a');
    const a = await anonymizationSecret(dir);
    expect(a.length).toBe(32);
    expect(statSync(path.join(dir, SECRET_FILE)).mode & 0o777).toBe(0o600);
    expect((await anonymizationSecret(dir)).equals(a)).toBe(true);
    expect((await anonymizationSecret(path.join(tmp, 'secret-b'))).equals(a)).toBe(false);
  });

  it('refuses a secret file of the wrong size instead of using it', async () => {
    const dir = path.join(tmp, 'secret-bad');
    mkdirSync(dir);
    writeFileSync(path.join(dir, SECRET_FILE), 'short');
    await expect(anonymizationSecret(dir)).rejects.toThrow(/not a 32-byte file/);
  });
});

describe('anonymizer', () => {
  it('cannot be undone by brute force of a numeric patient ID with the old public key', () => {
    const ids = Array.from({ length: 100_000 }, (_, i) => String(i));
    // The old scheme falls to this loop: it recovers the ID from the pseudonym alone.
    const old = oldPseudonym(PATIENT_ID);
    expect(ids.find((id) => oldPseudonym(id) === old)).toBe(PATIENT_ID);
    // The keyed scheme does not: neither the old key nor a guessed secret reproduces the pseudonym.
    const anon = createAnonymizer(PATIENT_ID, Buffer.alloc(32, 0x5a));
    const pseudonym = anon.patientId.replace('ANON-', '');
    expect(ids.find((id) => oldPseudonym(id) === pseudonym)).toBeUndefined();
    const guessed = Buffer.alloc(32);
    expect(ids.slice(40_000, 60_000).find((id) => createAnonymizer(id, guessed).patientId === anon.patientId)).toBeUndefined();
  });

  it('is consistent per secret and differs between secrets', () => {
    const s = Buffer.alloc(32, 1);
    expect(createAnonymizer('P', s).uid('1.2.3')).toBe(createAnonymizer('P', s).uid('1.2.3'));
    expect(createAnonymizer('P', s).uid('1.2.3')).not.toBe(createAnonymizer('P', Buffer.alloc(32, 2)).uid('1.2.3'));
    expect(createAnonymizer('P', s).offsetDays).toBe(createAnonymizer('P', s).offsetDays);
    expect(() => createAnonymizer('P', Buffer.alloc(0))).toThrow(/secret/);
  });

  it('shifts every DA and DT by its VR, wherever it is, by the same offset', () => {
    const a = createAnonymizer('P', Buffer.alloc(32, 3));
    const shifted = shiftDa('20240110', a.offsetDays);
    const ds = a.dataset({
      PatientID: 'P',
      StudyDate: '20240110',
      DateOfSecondaryCapture: '20240110',
      InstanceCreationDate: '20240110',
      AcquisitionDateTime: '20240110093011.5+0100',
      FrameAcquisitionDateTime: ['20240110093011', '20240110093012'],
      ReferencedRequestSequence: [{ StudyInstanceUID: '1.2.3', RequestedProcedureDescription: 'x' }],
      ContentSequence: [{ DateTime: '20240110120000', Date: '20240110' }],
      StudyTime: '093011',
    });
    expect(ds.StudyDate).toBe(shifted);
    expect(ds.DateOfSecondaryCapture).toBe(shifted);
    expect(ds.InstanceCreationDate).toBe(shifted);
    expect(ds.AcquisitionDateTime).toBe(`${shifted}093011.5+0100`);
    expect(ds.FrameAcquisitionDateTime).toEqual([`${shifted}093011`, `${shifted}093012`]);
    const item = (ds.ContentSequence as Record<string, string>[])[0];
    expect(item.DateTime).toBe(`${shifted}120000`);
    expect(item.Date).toBe(shifted);
    expect((ds.ReferencedRequestSequence as Record<string, string>[])[0].StudyInstanceUID).toBe(a.uid('1.2.3'));
    expect(ds.StudyTime).toBe('093011'); // whole-day offset: a time of day reveals nothing
    expect(a.dataset({ StudyDate: '2024' }).StudyDate).toBe(''); // not a date: dropped, not copied
  });
});

describe('anonymized export', () => {
  const out = path.join(tmp, 'anon-out');
  let outFiles: string[] = [];
  const now = new Date();
  beforeAll(async () => {
    outFiles = (await exportResultFolder({ ...base(), out, anonymizationSecretDir: path.join(tmp, 'secret-export') })).files;
  }, 60_000);

  it('writes no DA/DT equal to an original date or the real export date, and the objects still validate', () => {
    const dcm = outFiles.filter((f) => f.endsWith('.dcm'));
    expect(dcm.length).toBe(4); // SC, PM, SEG, SR
    const forbidden = new Set([
      ...Object.values(ORIGINAL).map((v) => v.slice(0, 8)),
      localDa(now),
      localDa(new Date(now.getTime() - 86_400_000)),
      localDa(new Date(now.getTime() + 86_400_000)),
    ]);
    const seen = new Set<string>();
    for (const f of dcm) {
      const d = dump(f);
      const dates = datesIn(d);
      expect(dates.length, path.basename(f)).toBeGreaterThan(2);
      for (const v of dates) {
        expect(forbidden.has(v), `${path.basename(f)}: ${v}`).toBe(false);
        seen.add(v);
      }
      // As a value of its own: the digits may occur by chance inside a random UID (digits and dots).
      expect(d).not.toMatch(new RegExp(`(^|[^0-9.])${PATIENT_ID}($|[^0-9.])`));
      expect(d).not.toContain('Patientname');
      expect(dciodvfyErrors(f), path.basename(f)).toEqual([]);
    }
    // Everything (study, series, content, creation, secondary capture) sits on the shifted study date.
    expect(seen.size).toBe(1);
  });

  it('prints no real date, no comment and no patient ID in the PDF, and stamps no date into its metadata', () => {
    const pdf = path.join(out, 'report.pdf');
    const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
    const iso = (d: string) => `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}`;
    for (const s of ['Patientname', iso(localDa(now)), iso(ORIGINAL.StudyDate), '2026-12-01']) expect(text).not.toContain(s);
    // The ID as a value of its own, not digits inside a printed UID or hash.
    expect(text).not.toMatch(new RegExp(`(^|[^0-9a-fA-F.])${PATIENT_ID}($|[^0-9a-fA-F.])`));
    expect(text).toContain('not shown (anonymized report)');
    const meta = execFileSync('pdfinfo', [pdf], { encoding: 'utf8' });
    expect(meta).not.toMatch(/CreationDate|ModDate/);
  });

  it('includes the comment only when the user opts in', async () => {
    const optIn = path.join(tmp, 'anon-free-text');
    const r = await exportResultFolder({ ...base(), out: optIn, dicom: false, includeFreeText: true, anonymizationSecretDir: path.join(tmp, 'secret-export') });
    expect(execFileSync('pdftotext', [r.files[0], '-'], { encoding: 'utf8' })).toContain('Patientname');
  }, 60_000);

  it('keeps the same pseudonym and UIDs across exports with the same install secret', async () => {
    const again = path.join(tmp, 'anon-again');
    const r = await exportResultFolder({ ...base(), out: again, pdf: false, anonymizationSecretDir: path.join(tmp, 'secret-export') });
    const sr = (files: string[]) => dump(files.find((f) => f.includes('SR-'))!);
    const pick = (d: string, tag: string) => d.split('\n').find((l) => l.startsWith(tag));
    for (const tag of ['(0010,0020)', '(0020,000d)', '(0008,0020)']) expect(pick(sr(r.files), tag)).toBe(pick(sr(outFiles), tag));
  }, 60_000);
});

describe('Burned In Annotation', () => {
  const marked = path.join(tmp, 'burned');
  beforeAll(async () => {
    mkdirSync(marked);
    for (const f of files) copyFileSync(f, path.join(marked, path.basename(f)));
    await rewrite(path.join(marked, path.basename(files[2])), { BurnedInAnnotation: 'YES' });
  });

  it('refuses an anonymized export of images with text in their pixels, unless explicitly allowed', async () => {
    const out = path.join(tmp, 'burned-out');
    await expect(exportResultFolder({ ...base(), study: marked, out })).rejects.toThrow(
      /1 of 6 source image\(s\) declare Burned In Annotation \(0028,0301\) = YES \(e\.g\. slice \d\).*Not exported/,
    );
    expect(existsSync(out)).toBe(false); // refused before anything was written
    const ok = await exportResultFolder({ ...base(), study: marked, out, pdf: false, allowBurnedInAnnotation: true });
    expect(ok.files.length).toBe(4);
    const plain = await exportResultFolder({ ...base(), study: marked, out: path.join(tmp, 'burned-plain'), pdf: false, anonymize: false });
    expect(plain.files.length).toBe(4);
  }, 60_000);
});

describe('export writes only where asked and reads only the series', () => {
  it('refuses to overwrite an existing file, naming it, unless overwrite is set', async () => {
    const out = path.join(tmp, 'overwrite-out');
    mkdirSync(out);
    writeFileSync(path.join(out, 'report.pdf'), 'mine');
    await expect(exportResultFolder({ ...base(), anonymize: false, out })).rejects.toThrow(
      `${path.join(out, 'report.pdf')} already exists: nothing was written`,
    );
    expect(readFileSync(path.join(out, 'report.pdf'), 'utf8')).toBe('mine');
    expect(readdirSync(out)).toEqual(['report.pdf']); // no DICOM folder, no staging left behind
    const r = await exportResultFolder({ ...base(), anonymize: false, out, overwrite: true });
    expect(r.files).toContain(path.join(out, 'report.pdf'));
    expect(readFileSync(path.join(out, 'report.pdf')).subarray(0, 5).toString()).toBe('%PDF-');
  }, 60_000);

  it('the app export reads exactly the series files, never their folder, and leaves them unchanged', async () => {
    // Beside the series, in its folder: another slice of the same series (a copy with a new SOP
    // Instance UID and position). Scanning the folder would pull it in and change the volume.
    const sibling = path.join(study, 'older-copy');
    mkdirSync(sibling);
    const extra = path.join(sibling, 'extra.dcm');
    copyFileSync(files[0], extra);
    await rewrite(extra, { SOPInstanceUID: '1.2.826.0.1.3680043.10.999.1', ImagePositionPatient: [0, 0, 999] });
    const before = files.map(sha);
    // The app's engine opened exactly the series' files: the export input names only those.
    const engine = new Engine({ cacheDir });
    try {
      await engine.openPaths(files);
      const series = {
        info: await engine.loadVolume(info.seriesUid),
        voxels: await engine.getVoxels(info.seriesUid),
        truth: null,
        files: engine.seriesFiles(info.seriesUid),
      };
      expect([...series.files.values()].sort()).toEqual(files);
      const input = sessionExportInput({
        series,
        model: { id: 'f'.repeat(64), name: 'Test classifier', version: '1.0.0' },
        prediction: {
          seriesUid: info.seriesUid,
          modelId: 'f'.repeat(64),
          modelName: 'Test classifier',
          modelVersion: '1.0.0',
          task: 'classification',
          provider: 'cpu',
          timings: { preprocessMs: 0, inferenceMs: 0, postprocessMs: 0 },
          classification: { classes: ['none', 'nodule'], probabilities: [0.3, 0.7], predicted: 1 },
          modelGrid: info.geometry,
        },
        explanations: [
          {
            method: 'gradcam',
            fromCache: false,
            result: {
              method: 'gradcam',
              seriesUid: info.seriesUid,
              modelId: 'f'.repeat(64),
              targets: ['nodule'],
              grid: info.geometry,
              maps: [new Float32Array(6 * 32 * 32).fill(1)],
              details: {},
            },
          },
        ],
      });
      const out = await exportReport(input, {
        out: path.join(tmp, 'session-out'),
        pdf: false,
        dicom: true,
        anonymize: false,
        anonymizationSecretDir: cacheDir,
      });
      expect(out.files.length).toBe(4);
    } finally {
      await engine.dispose();
    }
    expect(files.map(sha)).toEqual(before);
    rmSync(sibling, { recursive: true });
  }, 60_000);
});
