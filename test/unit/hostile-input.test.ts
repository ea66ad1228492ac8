// Issue [K] robustness: every hostile input found by the fuzz campaign is refused at once with a
// message naming the file and what is wrong with it, and the rest of the study still opens.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyEdit } from '../../src/cli/fuzz/attributeMutations';
import { nestedSequences } from '../../src/cli/fuzz/byteMutations';
import { PYDICOM_FILES } from '../../src/cli/fuzz/corpus';
import { generateCtStudy } from '../../src/main/engine/demo';
import { Engine } from '../../src/main/engine/engine';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'explicare-hostile-'));
const ct = path.join(tmp, 'ct');
let slices: string[];
let n = 0;

/** The demo series with slice `k` replaced by `bytes`, opened: the report, and the volume if one was built. */
async function openWith(k: number, bytes: Buffer) {
  const dir = path.join(tmp, `case-${++n}`);
  cpSync(ct, dir, { recursive: true });
  writeFileSync(path.join(dir, slices[k]), bytes);
  return open(dir);
}

async function open(root: string) {
  const engine = new Engine({ cacheDir: path.join(tmp, 'cache') });
  try {
    const report = await engine.openPaths([root]);
    const volumes = [];
    for (const uid of report.openedSeries) volumes.push(await engine.loadVolume(uid));
    // The demo's sidecar files (ground truth, lesion mask) are not DICOM: not what these tests are about.
    const reasons = report.skipped.filter((s) => !/groundtruth\.json|lesion-mask/.test(s.file)).map((s) => `${s.file}: ${s.reason}`);
    return { report, volumes, reasons };
  } finally {
    await engine.dispose();
  }
}

const edited = (k: number, edit: string) => applyEdit(readFileSync(path.join(ct, slices[k])), edit);

beforeAll(async () => {
  await generateCtStudy({ seed: 12, outDir: ct, slices: 6, rows: 32, columns: 32 });
  slices = readdirSync(ct).filter((f) => f.endsWith('.dcm')).sort();
}, 60_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('degenerate geometry', () => {
  it.each([
    ['IOP all zero', /Image Orientation \(Patient\) \(0020,0037\) has a zero row direction/],
    ['IOP row = column', /Image Orientation \(Patient\) \(0020,0037\): the row and column directions are parallel/],
    ['IOP NaN', /Image Orientation \(Patient\) \(0020,0037\) is present but not numbers: "NaN\\0\\0/],
    ['PixelSpacing Infinity', /Pixel Spacing \(0028,0030\) must be two positive finite numbers, got Infinity\\1/],
    ['PixelSpacing 0', /Pixel Spacing \(0028,0030\) must be two positive finite numbers/],
    ['IPP 1e999', /Image Position \(Patient\) \(0020,0032\) is not a finite position in mm/],
    ['RescaleSlope Infinity', /Rescale Slope \(0028,1053\) is Infinity/],
    ['RescaleIntercept 1e308', /Rescale Intercept \(0028,1052\) is 1e\+308/],
  ])('%s: the slice is refused naming file and attribute, the other five open', async (edit, message) => {
    const r = await openWith(2, edited(2, edit));
    expect(r.reasons.length).toBe(1);
    expect(r.reasons[0]).toContain(slices[2]);
    expect(r.reasons[0]).toMatch(message);
    expect(r.volumes.length).toBe(1);
    expect(r.volumes[0].geometry.dimensions[2]).toBe(5);
  });

  it('an unusable window is ignored with a warning naming the file, not shown as Infinity', async () => {
    const r = await openWith(1, edited(1, 'WindowCenter Infinity'));
    expect(r.reasons).toEqual([]);
    const v = r.volumes[0];
    expect(Number.isFinite(v.window.center) && Number.isFinite(v.window.width)).toBe(true);
    expect(v.warnings.join('\n')).toMatch(new RegExp(`${slices[1]}: Window Center/Width \\(0028,1050/1051\\) Infinity/.* is not usable: ignored`));
  });
});

describe('declared sizes are checked against the Pixel Data before anything is allocated', () => {
  it.each([
    ['NumberOfFrames 100000', /Number of Frames \(0028,0008\) is 100000 but Pixel Data \(7FE0,0010\) holds only 1 frame\(s\) of 32 x 32/],
    ['NumberOfFrames 2147483647', /Number of Frames \(0028,0008\) is 2147483647 but Pixel Data/],
    ['Rows as UL 0xFFFFFFFF', /Rows x Columns \(0028,0010\/0011\) is 4294967295 x 32, above/],
    ['Rows 65535', /Pixel Data \(7FE0,0010\) holds 2048 bytes but one 32 x 65535 frame needs 4194240/],
    ['Rows 0', /Rows \(0028,0010\) is 0: an image needs at least one row/],
    ['BitsAllocated 64', /Bits Allocated \(0028,0100\) is 64/],
  ])('%s: refused at once with the attribute named, no RangeError', async (edit, message) => {
    const started = Date.now();
    const r = await openWith(0, edited(0, edit));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(r.reasons.length).toBe(1);
    expect(r.reasons[0].startsWith(`case-${n}/${slices[0]}: `)).toBe(true);
    expect(r.reasons[0]).toMatch(message);
    expect(r.volumes[0].geometry.dimensions[2]).toBe(5);
  });

  it('compressed Pixel Data declaring more frames than it has fragments is refused', async () => {
    const rle = applyEdit(readFileSync(path.join(PYDICOM_FILES, 'MR_small_RLE.dcm')), 'NumberOfFrames 100000');
    const dir = path.join(tmp, 'rle');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'mr.dcm'), rle);
    const r = await open(dir);
    expect(r.reasons).toEqual(['rle/mr.dcm: Number of Frames (0028,0008) is 100000 but the compressed Pixel Data holds 1 fragment(s)']);
  });
});

describe('files that are not regular files', () => {
  it('a named pipe or /dev/zero given as a study file is refused at once, never read', async () => {
    const fifo = path.join(tmp, 'pipe.dcm');
    execFileSync('mkfifo', [fifo]);
    expect((await open(fifo)).reasons).toEqual(['pipe.dcm: not read: a named pipe, not a regular file']);
    expect((await open('/dev/zero')).reasons).toEqual(['zero: not read: a character device, not a regular file']);
  });

  it('a pipe and a link to /dev/urandom inside a study folder are skipped with their reason; the series opens', async () => {
    const dir = path.join(tmp, 'with-specials');
    cpSync(ct, dir, { recursive: true });
    execFileSync('mkfifo', [path.join(dir, 'pipe')]);
    symlinkSync('/dev/urandom', path.join(dir, 'random.dcm'));
    const r = await open(dir);
    expect(r.reasons.sort()).toEqual([
      'with-specials/pipe: not a regular file (a pipe, socket or device): not read',
      'with-specials/random.dcm: symbolic link: not followed',
    ]);
    expect(r.volumes[0].geometry.dimensions[2]).toBe(6);
  });

  it('a DICOMDIR entry that is a named pipe is refused; the rest of the media is still read', async () => {
    const media = path.join(tmp, 'media');
    cpSync(path.join(PYDICOM_FILES, 'dicomdirtests', 'TINY_ALPHA'), media, { recursive: true });
    const victim = path.join(media, 'PT000000', 'ST000000', 'SE000000', 'IM000000');
    unlinkSync(victim);
    execFileSync('mkfifo', [victim]);
    const started = Date.now();
    const r = await open(path.join(media, 'DICOMDIR'));
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.reasons).toContain('PT000000/ST000000/SE000000/IM000000: not read: a named pipe, not a regular file');
    // pydicom's TINY_ALPHA media holds header-only objects: each other entry is read and named.
    expect(r.reasons.filter((x) => x.endsWith(': not an image (e.g. a report or presentation state)')).length).toBe(r.report.filesScanned - 2);
  });
});

describe('deeply nested sequences', () => {
  it('are refused naming the element that holds them, not a stack overflow or an unrelated element', async () => {
    const b = readFileSync(path.join(ct, slices[3]));
    const deep = Buffer.concat([b.subarray(0, 132), nestedSequences(5000), b.subarray(132)]);
    // The meta group comes first: insert after it so the file stays a valid Part-10 file otherwise.
    let at = 132;
    while (b.readUInt16LE(at) === 0x0002)
      at +=
        8 + b.readUInt16LE(at + 6) + (['OB', 'UN'].includes(b.toString('latin1', at + 4, at + 6)) ? 4 + b.readUInt32LE(at + 8) - b.readUInt16LE(at + 6) : 0);
    const inDataSet = Buffer.concat([b.subarray(0, at), nestedSequences(5000), b.subarray(at)]);
    for (const bytes of [deep, inDataSet]) {
      const r = await openWith(3, bytes);
      expect(r.reasons.length).toBe(1);
      expect(r.reasons[0]).toContain(slices[3]);
      expect(r.reasons[0]).toMatch(/sequences nested more than 100 levels deep inside element \((0040,0275)\)/);
      expect(r.volumes[0].geometry.dimensions[2]).toBe(5);
    }
  });
});

describe('messages never quote another file', () => {
  it('a broken groundtruth.json beside the series is reported without its content', async () => {
    const dir = path.join(tmp, 'bad-truth');
    cpSync(ct, dir, { recursive: true });
    writeFileSync(path.join(dir, 'groundtruth.json'), 'Doe^Jane secret-content {');
    const engine = new Engine({ cacheDir: path.join(tmp, 'cache') });
    try {
      const r = await engine.openPaths([dir]);
      const err = await engine.getGroundTruth(r.openedSeries[0]).catch((e: Error) => e);
      expect(String((err as Error).message)).toBe('groundtruth.json beside this series is invalid: not valid JSON');
    } finally {
      await engine.dispose();
    }
  });
});
