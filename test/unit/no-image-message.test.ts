// When what the user opened yields no image, the message carries each file's reason (1-3 files
// listed, more: the first three and a count), for an open that found no image and for a series
// none of whose slices decodes.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/engine/engine';
import { listReasons, noImageMessage } from '../../src/main/engine/study/noImageMessage';
import { pydicomFile } from './dicom-test-helpers';
import { J2K_LOSSLESS, writeCtSeries } from './j2k-series';

let work: string;
beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'explicare-no-image-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function open(dir: string) {
  const engine = new Engine({ cacheDir: path.join(work, 'cache') });
  return { engine, report: await engine.openPaths([dir]) };
}

describe('an open that finds no image', () => {
  it('says why for a single bad file', async () => {
    const dir = path.join(work, 'single');
    mkdirSync(dir);
    // A real CT slice cut inside its pixel data: DICOM, but not an image that can be read.
    const ct = readFileSync(pydicomFile('CT_small.dcm'));
    writeFileSync(path.join(dir, 'cut.dcm'), ct.subarray(0, ct.length - 5000));
    const { engine, report } = await open(dir);
    await engine.dispose();
    expect(report.dicomFiles).toBe(0);
    expect(report.skipped).toHaveLength(1);
    const { file, reason } = report.skipped[0];
    expect(file).toBe('single/cut.dcm'); // relative to what was opened
    expect(reason).toMatch(/pixel data|truncated/i);
    expect(noImageMessage(report)).toBe(`No DICOM images found in 1 file(s): single/cut.dcm: ${reason}.`);
  });

  it('lists up to three files, then the first three and a count', async () => {
    const dir = path.join(work, 'five');
    mkdirSync(dir);
    for (let i = 1; i <= 5; i++) writeFileSync(path.join(dir, `note-${i}.txt`), `not an image ${i}\n`);
    const { engine, report } = await open(dir);
    await engine.dispose();
    expect(report.skipped.map((s) => s.file).sort()).toEqual([1, 2, 3, 4, 5].map((i) => `five/note-${i}.txt`));
    const [a, b, c] = report.skipped;
    expect(noImageMessage(report)).toBe(
      `No DICOM images found in 5 file(s): ${a.file}: ${a.reason}; ${b.file}: ${b.reason}; ${c.file}: ${c.reason}; and 2 more.`,
    );
    expect(noImageMessage({ filesScanned: 3, skipped: report.skipped.slice(0, 3) })).toBe(
      `No DICOM images found in 3 file(s): ${a.file}: ${a.reason}; ${b.file}: ${b.reason}; ${c.file}: ${c.reason}.`,
    );
    expect(noImageMessage({ filesScanned: 0, skipped: [] })).toBe('No DICOM images found in 0 file(s).');
  });

  it('gives an entry repeated for several frames of one file once', () => {
    const frame = { file: 'multi.dcm', reason: 'corrupt RLE data' };
    expect(listReasons([frame, frame, frame, { file: 'b.dcm', reason: 'x' }])).toBe('multi.dcm: corrupt RLE data; b.dcm: x');
  });
});

describe('a series none of whose slices decodes', () => {
  async function brokenSeries(name: string, slices: number): Promise<string> {
    const dir = path.join(work, name);
    const series = await writeCtSeries(dir, {
      rows: 128,
      columns: 128,
      slices,
      transferSyntax: J2K_LOSSLESS,
      seriesUid: `1.2.826.0.1.3680043.9.7.3.${slices}`,
    });
    for (const file of series.files) {
      const bytes = readFileSync(file);
      // Keep the DICOM header, SOC and SIZ (45 bytes with one component), and the closing
      // delimiter; destroy the coding markers and tiles after them.
      const soc = bytes.indexOf(Buffer.from([0xff, 0x4f, 0xff, 0x51]));
      bytes.fill(0x55, soc + 45, bytes.length - 8);
      writeFileSync(file, bytes);
    }
    return dir;
  }

  it('names every file and its problem (three files), not only the first slice', async () => {
    const { engine, report } = await open(await brokenSeries('broken-3', 3));
    const err = await engine.loadVolume(report.openedSeries[0]).catch((e: Error) => e);
    // In slice order (the files are named in reverse), each with the decoder's reason.
    const why = 'corrupt or unsupported JPEG 2000 data (the decoder produced no image)';
    expect((err as Error).message).toBe(
      `No slice of the series could be decoded (3 slices): broken-3/slice-003.dcm: ${why}; broken-3/slice-002.dcm: ${why}; broken-3/slice-001.dcm: ${why}.`,
    );
    await engine.dispose();
  });

  it('names the first three and counts the rest', async () => {
    const { engine, report } = await open(await brokenSeries('broken-6', 6));
    const err = await engine.loadVolume(report.openedSeries[0]).catch((e: Error) => e);
    await engine.dispose();
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(
      /^No slice of the series could be decoded \(6 slices\): broken-6\/slice-006\.dcm: [^;]+; broken-6\/slice-005\.dcm: [^;]+; broken-6\/slice-004\.dcm: corrupt or unsupported JPEG 2000 data[^;]*; and 3 more\.$/,
    );
  });
});
