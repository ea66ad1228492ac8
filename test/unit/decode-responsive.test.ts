// The engine's thread stays responsive while a JPEG 2000 series decodes: interval ticks keep
// firing many times per slice, where decoding on the thread itself would stop them for the
// 35-70 ms each 512 x 512 slice takes. (The figures, before and after, are in docs/security.md.)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Engine } from '../../src/main/engine/engine';
import { parseDicom } from '../../src/main/engine/dicom/parseFile';
import { readImageHeader } from '../../src/main/engine/dicom/imageHeader';
import { decodeFrame } from '../../src/main/engine/dicom/pixels/decodeFrame';
import { J2K_LOSSLESS, writeCtSeries, type WrittenSeries } from './j2k-series';

const SLICES = 12;
let work: string;
let series: WrittenSeries;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'explicare-responsive-'));
  series = await writeCtSeries(path.join(work, 'j2k'), { rows: 512, columns: 512, slices: SLICES, transferSyntax: J2K_LOSSLESS });
}, 60_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Gaps between 1 ms interval ticks while `work` runs. */
async function tickGaps(work: () => Promise<void>): Promise<number[]> {
  const gaps: number[] = [];
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    gaps.push(now - last);
    last = now;
  }, 1);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return gaps;
}

it('keeps ticking while a 512 x 512 J2K series loads, unlike decoding on the thread', async () => {
  // What one slice costs when decoded on this thread (the old path), as the yardstick.
  const inlineMs: number[] = [];
  for (const file of series.files.slice(0, 3)) {
    const ds = parseDicom(readFileSync(file)).dataSet;
    const t0 = performance.now();
    await decodeFrame(readImageHeader(ds), ds, 0);
    inlineMs.push(performance.now() - t0);
  }
  const sliceMs = Math.min(...inlineMs);

  const engine = new Engine({ cacheDir: path.join(work, 'cache') });
  try {
    const report = await engine.openPaths([series.dir]);
    await engine.loadVolume(report.openedSeries[0]); // warm: workers started, codec compiled
    // A second engine, so the volume is decoded again rather than served from the first one's cache.
    const other = new Engine({ cacheDir: path.join(work, 'cache2') });
    const reopened = await other.openPaths([series.dir]);
    const gaps = await tickGaps(async () => {
      await other.loadVolume(reopened.openedSeries[0]);
    });
    await other.dispose();
    const blocked = gaps.filter((g) => g >= sliceMs).length;
    // On the thread, every slice would be one gap of at least sliceMs and about one tick per slice.
    expect(gaps.length).toBeGreaterThanOrEqual(5 * SLICES);
    expect(blocked).toBeLessThan(SLICES / 2);
  } finally {
    await engine.dispose();
  }
}, 60_000);
