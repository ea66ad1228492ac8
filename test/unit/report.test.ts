// Report exports: PDF (text via pdftotext, pixels via pdftoppm), DICOM Secondary Capture key images
// (dciodvfy 0 errors), anonymization (dcmdump of every tag), atomic writes, CLI errors.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import dicomParser from 'dicom-parser';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main';
import { generateCeph, generateCtStudy } from '../../src/main/engine/demo';
import { Engine } from '../../src/main/engine/engine';
import { toStudyGrid } from '../../src/main/engine/explain/explainVolume';
import { writeNifti } from '../../src/main/engine/io/nifti';
import { bundledModelsDir } from '../../src/main/engine/paths';
import { createAnonymizer } from '../../src/main/engine/report/anonymize';
import { exportResultFolder } from '../../src/cli/commands/report';
import { mostSalientSlice } from '../../src/main/engine/report/keyImages';
import { DISCLAIMER } from '../../src/main/engine/report/pdfReport';
import { encodePng } from '../../src/main/engine/report/png';
import { readNatural } from '../../src/main/engine/report/studySource';
import { APP_VERSION } from '../../src/main/engine/version';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'explicare-report-'));
const cacheDir = path.join(tmp, 'cache');
const ctStudy = path.join(tmp, 'ct');
const cephStudy = path.join(tmp, 'ceph');
const ctResults = path.join(tmp, 'ct-results');
const cephResults = path.join(tmp, 'ceph-results');
const base = { cacheDir, bundledModelsDir: bundledModelsDir(), pdf: true, dicom: true, anonymize: false };

const tool = (name: string) => {
  if (spawnSync('which', [name]).status !== 0)
    throw new Error(`${name} is missing (apt-get install -y ${name.startsWith('pdf') ? 'poppler-utils' : name === 'dciodvfy' ? 'dicom3tools' : 'dcmtk'})`);
};
const pdfText = (pdf: string, page?: number) =>
  execFileSync('pdftotext', [...(page ? ['-f', String(page), '-l', String(page)] : []), '-layout', pdf, '-'], { encoding: 'utf8' });
const dciodvfy = (file: string) => {
  const r = spawnSync('dciodvfy', [file], { encoding: 'utf8' });
  return (r.stderr + r.stdout).split('\n').filter((l) => l.startsWith('Error'));
};
const dump = (file: string) => execFileSync('dcmdump', ['+L', '-q', file], { encoding: 'utf8' });
const dumpValue = (text: string, tag: string) => text.split('\n').find((l) => l.startsWith(tag))?.match(/\[([^\]]*)\]/)?.[1];
const hashTree = (dir: string) => {
  const h = createHash('sha256');
  for (const f of readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .sort())
    h.update(f).update(readFileSync(f));
  return h.digest('hex');
};

/** Renders one PDF page to RGB and counts grey-level spread and strongly coloured pixels. */
function pagePixels(pdf: string, page: number) {
  const prefix = path.join(tmp, `page-${page}-${Math.random().toString(36).slice(2)}`);
  execFileSync('pdftoppm', ['-r', '50', '-f', String(page), '-l', String(page), '-singlefile', '-png', pdf, prefix]);
  const png = PNG.sync.read(readFileSync(`${prefix}.png`));
  let coloured = 0;
  let grey = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    const [r, g, b] = [png.data[i], png.data[i + 1], png.data[i + 2]];
    if (Math.max(r, g, b) - Math.min(r, g, b) > 90) coloured++;
    if (Math.max(r, g, b) - Math.min(r, g, b) < 8 && r > 20 && r < 230) grey++;
  }
  return { coloured, grey, total: png.width * png.height };
}
const pageWith = (pdf: string, text: string) => {
  for (let p = 1; p < 20; p++) {
    const t = pdfText(pdf, p);
    if (t.includes(text)) return p;
  }
  throw new Error(`no page with ${text}`);
};

let sourceHashes: { ct: string; ceph: string };

/** MUPAX through the engine API (few samples, big chunks: fast), added to an explain result. */
async function addMupax(study: string, results: string, model: string, options: Record<string, unknown>) {
  const engine = new Engine({ cacheDir, bundledModelsDir: bundledModelsDir() });
  try {
    const open = await engine.openPaths([study]);
    const m = await engine.importModel(path.join(bundledModelsDir(), model));
    const uid = open.openedSeries[0];
    const info = await engine.loadVolume(uid);
    const job = await engine.startExplanation(uid, m.id, 'mupax', options);
    const r = await engine.waitForJob(job.id);
    await writeNifti(path.join(results, 'mupax.nii.gz'), { geometry: info.geometry, data: toStudyGrid(r.maps[r.maps.length - 1], r.grid, info.geometry) });
    const metrics = await engine.explanationMetrics(job.id, { steps: 8 });
    const json = JSON.parse(readFileSync(path.join(results, 'result.json'), 'utf8'));
    json.methods.mupax = {
      files: { [r.targets[r.targets.length - 1]]: 'mupax.nii.gz' },
      targets: r.targets,
      fromCache: job.fromCache,
      modelGrid: r.grid,
      ...r.details,
      metrics,
    };
    writeFileSync(path.join(results, 'result.json'), JSON.stringify(json));
  } finally {
    await engine.dispose();
  }
}

beforeAll(async () => {
  for (const t of ['pdftotext', 'pdftoppm', 'dciodvfy', 'dcmdump']) tool(t);
  process.env.EXPLICARE_CACHE_DIR = cacheDir;
  await generateCtStudy({ seed: 5, outDir: ctStudy, slices: 24, rows: 128, columns: 128 });
  await generateCeph({ seed: 3, outDir: cephStudy });
  const quiet = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const quietErr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    expect(await main(['explain', '--study', ctStudy, '--model', 'ct-nodule-classifier', '--method', 'gradcam', '--metrics', '--out', ctResults])).toBe(0);
    expect(await main(['explain', '--study', cephStudy, '--model', 'ceph-landmarks', '--method', 'gradcam', '--out', cephResults])).toBe(0);
  } finally {
    quiet.mockRestore();
    quietErr.mockRestore();
  }
  await addMupax(ctStudy, ctResults, 'ct-nodule-classifier', {
    samples: 64,
    chunk: [32, 64, 64],
    stratificationBlock: 8,
    checkEvery: 16,
    batchSize: 16,
    seed: 11,
  });
  sourceHashes = { ct: hashTree(ctStudy), ceph: hashTree(cephStudy) };
}, 300_000); // a CT explain with the metric suite, a ceph explain and a MUPAX run: ~60 s alone, 2-3x that on a loaded 2-core machine

afterAll(() => {
  delete process.env.EXPLICARE_CACHE_DIR;
  rmSync(tmp, { recursive: true, force: true });
});

describe('report building blocks', () => {
  it('encodes PNGs that decode to the same pixels', () => {
    const rgb = Uint8Array.from({ length: 5 * 3 * 3 }, (_, i) => (i * 37) % 256);
    const png = PNG.sync.read(encodePng(5, 3, rgb));
    expect([png.width, png.height]).toEqual([5, 3]);
    expect(png.data[4 * 7 + 1]).toBe(rgb[3 * 7 + 1]);
  });

  it('picks the slice with the largest saliency mass', () => {
    const data = new Float32Array(4 * 4 * 3);
    data[16 * 2 + 5] = 3;
    data[16 * 1 + 1] = 2;
    data[16 * 1 + 2] = -9; // negative values do not count
    expect(mostSalientSlice({ geometry: { dimensions: [4, 4, 3], spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] }, data })).toBe(
      2,
    );
  });

  it('anonymizes consistently: same UIDs and date offset for the same patient and key', () => {
    const secret = Buffer.alloc(32, 7);
    const a = createAnonymizer('PAT-1', secret);
    const b = createAnonymizer('PAT-1', secret);
    expect(a.uid('1.2.3.4')).toBe(b.uid('1.2.3.4'));
    expect(a.uid('1.2.3.4')).toMatch(/^2\.25\.\d+$/);
    expect(a.uid('1.2.840.10008.5.1.4.1.1.7')).toBe('1.2.840.10008.5.1.4.1.1.7');
    expect(a.date('20240110')).toBe(b.date('20240110'));
    expect(a.date('20240110')).not.toBe('20240110');
    expect(createAnonymizer('PAT-1', Buffer.alloc(32, 8)).uid('1.2.3.4')).not.toBe(a.uid('1.2.3.4'));
    const ds = a.dataset({
      PatientName: [{ Alphabetic: 'Doe^Jane' }],
      PatientID: 'PAT-1',
      InstitutionName: 'X',
      StudyDate: '20240110',
      SourceImageSequence: [{ ReferencedSOPClassUID: '1.2.840.10008.5.1.4.1.1.2', ReferencedSOPInstanceUID: '1.2.3.4' }],
    });
    expect(ds.InstitutionName).toBeUndefined();
    expect((ds.SourceImageSequence as Record<string, string>[])[0].ReferencedSOPInstanceUID).toBe(a.uid('1.2.3.4'));
    expect(ds.PatientIdentityRemoved).toBe('YES');
  });
});

describe('CT report export', () => {
  const out = path.join(tmp, 'ct-out');
  let files: string[] = [];
  let elapsed = 0;
  beforeAll(async () => {
    const r = await exportResultFolder({ ...base, study: ctStudy, results: ctResults, out, comment: 'Reviewed by the test suite' });
    files = r.files;
    elapsed = r.elapsedMs;
  }, 60_000);

  it('writes a PDF with model, prediction, reproducible parameters, comment, version and disclaimer', () => {
    expect(files).toContain(path.join(out, 'report.pdf'));
    expect(elapsed).toBeLessThan(30_000);
    const text = pdfText(path.join(out, 'report.pdf')).replace(/\s+/g, ' ');
    for (const s of [
      'Demo CT lung nodule classifier',
      'Demo Chest',
      'DEMO-CT-5',
      'gradcam',
      'mupax',
      'parameters.samples 64',
      'parameters.seed 11',
      'parameters.chunk 32 x 64 x 64',
      'parameters.percentile 20',
      'no nodule',
      'deletion AUC',
      'convergence',
      'Reviewed by the test suite',
      `Explicare ${APP_VERSION}`,
      DISCLAIMER,
      'Execution provider',
    ])
      expect(text).toContain(s);
  });

  it('shows key images with a coloured overlay and a colour bar', () => {
    const pdf = path.join(out, 'report.pdf');
    const page = pageWith(pdf, 'Key images');
    const px = pagePixels(pdf, page);
    expect(px.coloured).toBeGreaterThan(2000); // jet overlay + colour bars
    expect(px.grey).toBeGreaterThan(500); // grey CT pixels outside the overlay (not a blank image)
    const charts = pagePixels(pdf, pageWith(pdf, 'Faithfulness'));
    expect(charts.coloured).toBeGreaterThan(50); // the curves are drawn
  });

  it('writes Secondary Capture key images in a new series of the same study that pass dciodvfy', async () => {
    const scs = files.filter((f) => path.basename(f).startsWith('SC-')); // the other objects: report-dicom-objects.test.ts
    expect(scs.map((f) => path.basename(f)).sort()).toEqual(['SC-gradcam.dcm', 'SC-mupax.dcm']);
    const src = await readNatural(path.join(ctStudy, readdirSync(ctStudy).find((f) => f.endsWith('.dcm'))!));
    const series = new Set<string>();
    for (const f of scs) {
      expect(dciodvfy(f)).toEqual([]);
      const d = dump(f);
      expect(dumpValue(d, '(0020,000d)')).toBe(src.StudyInstanceUID);
      expect(dumpValue(d, '(0010,0020)')).toBe(src.PatientID);
      expect(dumpValue(d, '(0028,0301)')).toBe('YES');
      expect(dumpValue(d, '(0008,0064)')).toBe('WSD');
      expect(d.split('\n').find((l) => l.startsWith('(0008,0016)'))).toContain('SecondaryCaptureImageStorage');
      const seriesUid = dumpValue(d, '(0020,000e)')!;
      expect(seriesUid).not.toBe(src.SeriesInstanceUID);
      series.add(seriesUid);
      expect(d).toContain('(0008,2112) SQ'); // SourceImageSequence
      const refs = [...d.matchAll(/\(0008,1155\) UI \[([^\]]+)\]/g)].map((m) => m[1]);
      expect(refs.length).toBeGreaterThan(0);
      for (const ref of refs) expect(readdirSync(ctStudy).some((f) => f.endsWith('.dcm') && readFileSync(path.join(ctStudy, f)).includes(ref))).toBe(true);
    }
    expect(series.size).toBe(1);
  });

  it('never modifies the source study', () => {
    expect(hashTree(ctStudy)).toBe(sourceHashes.ct);
  });
});

describe('cephalogram report export', () => {
  const out = path.join(tmp, 'ceph-out');
  let files: string[] = [];
  beforeAll(async () => {
    files = (await exportResultFolder({ ...base, study: cephStudy, results: cephResults, out })).files;
  }, 60_000);

  it('has the landmark table with radial errors, MRE, SDR and the pixel spacing', () => {
    const text = pdfText(path.join(out, 'report.pdf')).replace(/\s+/g, ' ');
    for (const s of [
      'Demo cephalometric landmark detector',
      'Sella',
      'radial error (mm)',
      'MRE',
      'SDR',
      '2 mm:',
      'Pixel spacing used',
      'ImagerPixelSpacing',
      'magenta rings',
      DISCLAIMER,
    ])
      expect(text).toContain(s);
  });

  it('burns the overlay and landmarks into a valid Secondary Capture', () => {
    const sc = files.find((f) => f.endsWith('SC-gradcam.dcm'))!;
    expect(dciodvfy(sc)).toEqual([]);
    const raw = readFileSync(sc);
    // The pixels as the file declares them (the header's length varies with the UIDs, so counting
    // triplets from the file's end could read them out of step).
    const pixels = dicomParser.parseDicom(raw).elements.x7fe00010;
    let green = 0;
    let magenta = 0;
    for (let i = pixels.dataOffset; i + 2 < pixels.dataOffset + pixels.length; i += 3) {
      if (raw[i] === 0 && raw[i + 1] === 255 && raw[i + 2] === 0) green++;
      if (raw[i] === 255 && raw[i + 1] === 0 && raw[i + 2] === 255) magenta++;
    }
    expect(green).toBeGreaterThan(100);
    expect(magenta).toBeGreaterThan(100);
    expect(hashTree(cephStudy)).toBe(sourceHashes.ceph);
  });
});

describe('anonymized export', () => {
  const out = path.join(tmp, 'anon-out');
  let files: string[] = [];
  let src: Record<string, unknown>;
  beforeAll(async () => {
    files = (await exportResultFolder({ ...base, study: ctStudy, results: ctResults, out, anonymize: true })).files;
    src = await readNatural(path.join(ctStudy, readdirSync(ctStudy).find((f) => f.endsWith('.dcm'))!));
  }, 60_000);

  it('leaves no original identifier in any tag of the DICOM objects, and they still validate', async () => {
    const json = JSON.parse(readFileSync(path.join(ctResults, 'result.json'), 'utf8'));
    const secrets = [
      'Demo^Chest',
      String(src.PatientID),
      String(src.PatientBirthDate),
      String(src.StudyInstanceUID),
      String(src.SeriesInstanceUID),
      json.study.seriesUid,
      'Explicare Demo Hospital',
      'Demo^Referrer',
      String(src.AccessionNumber),
      String(src.StudyDate),
    ];
    const sopUids: string[] = [];
    for (const f of readdirSync(ctStudy).filter((n) => n.endsWith('.dcm'))) {
      const ds = await readNatural(path.join(ctStudy, f));
      sopUids.push(String(ds.SOPInstanceUID), String(ds.FrameOfReferenceUID));
    }
    const scs = files.filter((f) => path.basename(f).startsWith('SC-')); // the other objects: report-dicom-objects.test.ts
    expect(scs.length).toBe(2);
    const studies = new Set<string>();
    for (const f of scs) {
      expect(dciodvfy(f)).toEqual([]);
      const d = dump(f);
      const bytes = readFileSync(f).toString('latin1');
      for (const s of [...secrets, ...sopUids]) {
        expect(d).not.toContain(s);
        expect(bytes).not.toContain(s);
      }
      expect(dumpValue(d, '(0012,0062)')).toBe('YES');
      expect(dumpValue(d, '(0012,0063)')).toContain('PS3.15');
      studies.add(dumpValue(d, '(0020,000d)')!);
    }
    expect(studies.size).toBe(1); // UIDs remapped consistently
  });

  it('has no original identifier in the PDF text', () => {
    const text = pdfText(path.join(out, 'report.pdf'));
    for (const s of ['Demo Chest', String(src.PatientID), String(src.StudyInstanceUID), String(src.SeriesInstanceUID), '1958', String(src.AccessionNumber)])
      expect(text).not.toContain(s);
    expect(text).toContain('ANON-');
    expect(text).toContain('anonymized');
  });
});

describe('atomic export and CLI errors', () => {
  it('leaves nothing behind when an export fails half-way', async () => {
    const out = path.join(tmp, 'failing-out');
    let staged = 0;
    await expect(
      exportResultFolder({
        ...base,
        study: ctStudy,
        results: ctResults,
        out,
        onStaged: () => {
          if (++staged === 2) throw new Error('disk full (injected)');
        },
      }),
    ).rejects.toThrow('injected');
    expect(staged).toBe(2);
    expect(readdirSync(out)).toEqual([]);
    expect(hashTree(ctStudy)).toBe(sourceHashes.ct);
  }, 60_000);

  const run = async (args: string[]) => {
    const err: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
    const spyOut = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      return { code: await main(['report', ...args]), err: err.join('') };
    } finally {
      spy.mockRestore();
      spyOut.mockRestore();
    }
  };

  it('reports a missing, invalid or foreign result.json in one line', async () => {
    const empty = path.join(tmp, 'empty-results');
    mkdirSync(empty, { recursive: true });
    let r = await run(['--study', ctStudy, '--results', empty, '--out', path.join(tmp, 'x')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^report: no result\.json in .*\n$/);

    const bad = path.join(tmp, 'bad-results');
    mkdirSync(bad, { recursive: true });
    writeFileSync(path.join(bad, 'result.json'), '{"software": 1');
    r = await run(['--study', ctStudy, '--results', bad, '--out', path.join(tmp, 'x')]);
    expect(r.err).toMatch(/^report: .*not valid JSON.*\n$/);
    writeFileSync(path.join(bad, 'result.json'), '{"software": "x"}');
    r = await run(['--study', ctStudy, '--results', bad, '--out', path.join(tmp, 'x')]);
    expect(r.err).toMatch(/^report: .*is not an explain result.*\n$/);

    r = await run(['--study', ctStudy, '--results', cephResults, '--out', path.join(tmp, 'x')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^report: the results are for series .* another study\?\n$/);
    expect(existsSync(path.join(tmp, 'x', 'report.pdf'))).toBe(false);

    r = await run(['--study', ctStudy]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('--results and --out are required');
  }, 30_000);

  it('exports only the PDF with --pdf', async () => {
    const out = path.join(tmp, 'pdf-only');
    const r = await run(['--study', ctStudy, '--results', ctResults, '--out', out, '--pdf', '--comment', 'cli']);
    expect(r.code).toBe(0);
    expect(readdirSync(out)).toEqual(['report.pdf']);
    copyFileSync(path.join(out, 'report.pdf'), path.join(tmp, 'keep.pdf'));
  }, 30_000);
});
