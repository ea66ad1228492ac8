// Compressed frames decode in the shared worker pool, off the engine's thread: the same bytes as
// the inline decoder and as what the encoder was given, a responsive engine thread while a J2K
// series decodes, one pool per process, and hostile frames stopped (budget, timeout, crash).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/engine/engine';
import { parseDicom } from '../../src/main/engine/dicom/parseFile';
import { readImageHeader } from '../../src/main/engine/dicom/imageHeader';
import { decodeFrame, prepareFrame } from '../../src/main/engine/dicom/pixels/decodeFrame';
import { DecodePool, DEFAULT_POOL_OPTIONS, sharedDecodePool, type DecodeTask } from '../../src/main/engine/dicom/pixels/decodePool';
import { pydicomFile } from './dicom-test-helpers';
import { EXPLICIT_LE, J2K_LOSSLESS, writeCtSeries, type WrittenSeries } from './j2k-series';

let work: string;
let j2k: WrittenSeries;
let native: WrittenSeries;
const ROWS = 256;
const COLUMNS = 256;
const SLICES = 8;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'explicare-decode-pool-'));
  j2k = await writeCtSeries(path.join(work, 'j2k'), { rows: ROWS, columns: COLUMNS, slices: SLICES, transferSyntax: J2K_LOSSLESS });
  native = await writeCtSeries(path.join(work, 'native'), {
    rows: ROWS,
    columns: COLUMNS,
    slices: SLICES,
    transferSyntax: EXPLICIT_LE,
    seriesUid: '1.2.826.0.1.3680043.9.7.2.2',
  });
}, 60_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

function taskOf(file: string): DecodeTask {
  const ds = parseDicom(readFileSync(file)).dataSet;
  const prepared = prepareFrame(readImageHeader(ds), ds, 0);
  if (prepared.kind !== 'encoded') throw new Error(`${file} is not compressed`);
  return { ...prepared, frameIndex: 0, file: path.basename(file) };
}

const bytesOf = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

async function loadVoxels(dir: string): Promise<{ voxels: ArrayLike<number>; warnings: string[] }> {
  const engine = new Engine({ cacheDir: path.join(work, 'cache') });
  try {
    const report = await engine.openPaths([dir]);
    expect(report.openedSeries).toHaveLength(1);
    const info = await engine.loadVolume(report.openedSeries[0]);
    return { voxels: await engine.getVoxels(report.openedSeries[0]), warnings: info.warnings };
  } finally {
    await engine.dispose();
  }
}

describe('decoding compressed frames in the worker pool', () => {
  it('gives every J2K frame byte for byte as the inline decoder, and both equal what was encoded', async () => {
    const lease = sharedDecodePool().acquire();
    try {
      for (const [z, file] of j2k.files.entries()) {
        const ds = parseDicom(readFileSync(file)).dataSet;
        const inline = await decodeFrame(readImageHeader(ds), ds, 0);
        const pooled = await lease.decode(taskOf(file));
        expect(pooled.pixels.constructor).toBe(inline.pixels.constructor);
        expect(bytesOf(pooled.pixels).equals(bytesOf(inline.pixels))).toBe(true);
        expect(bytesOf(pooled.pixels).equals(bytesOf(j2k.stored[z]))).toBe(true);
      }
    } finally {
      lease.release();
    }
  });

  it('builds the same volume from the J2K series as from the same values uncompressed, in slice order', async () => {
    const fromJ2k = await loadVoxels(j2k.dir);
    const fromNative = await loadVoxels(native.dir);
    expect(fromJ2k.warnings).toEqual(fromNative.warnings);
    const expected = new Int16Array(ROWS * COLUMNS * SLICES);
    j2k.stored.forEach((slice, z) => slice.forEach((v, i) => (expected[z * ROWS * COLUMNS + i] = v - 1024)));
    expect(Array.from(fromJ2k.voxels)).toEqual(Array.from(expected));
    expect(Array.from(fromNative.voxels)).toEqual(Array.from(expected));
  });

  it('decodes every frame of a multi-frame file (all views of one file buffer), in flight together, as inline', async () => {
    // pydicom's RT dose: 15 RLE frames in one file. Submitting frame 1 must not take the file's
    // buffer along (the fuzz campaign caught frames 2-15 failing when it did).
    const file = pydicomFile('rtdose_rle.dcm');
    const ds = parseDicom(readFileSync(file)).dataSet;
    const header = readImageHeader(ds);
    expect(header.numberOfFrames).toBe(15);
    const lease = sharedDecodePool().acquire();
    try {
      const pooled = Array.from({ length: header.numberOfFrames }, (_, f) => {
        const p = prepareFrame(header, ds, f);
        if (p.kind !== 'encoded') throw new Error('not compressed');
        return lease.decode({ ...p, frameIndex: f, file: 'rtdose_rle.dcm' });
      });
      for (const [f, frame] of (await Promise.all(pooled)).entries()) {
        const inline = await decodeFrame(header, ds, f);
        expect(bytesOf(frame.pixels).equals(bytesOf(inline.pixels)), `frame ${f + 1}`).toBe(true);
      }
    } finally {
      lease.release();
    }
  });

  it('refuses a corrupt frame with the same reason as the inline decoder', async () => {
    const task = taskOf(j2k.files[0]);
    const broken = new Uint8Array(task.encoded); // a copy: the task's bytes are a view of the file
    broken.fill(0x55, 45, broken.length); // keep SOC and SIZ (45 bytes, one component), destroy the rest
    let inlineReason = '';
    const { decodeEncapsulated } = await import('../../src/main/engine/dicom/pixels/decodeEncapsulated');
    await decodeEncapsulated(task.transferSyntaxUid, broken.slice(), task.format, 0).catch((e: { reason: string }) => (inlineReason = e.reason));
    expect(inlineReason).toMatch(/^corrupt or unsupported JPEG 2000 data/); // the codec's own failure
    const lease = sharedDecodePool().acquire();
    try {
      await expect(lease.decode({ ...task, encoded: broken })).rejects.toMatchObject({ reason: inlineReason });
    } finally {
      lease.release();
    }
  });
});

describe('the pool', () => {
  it('is one per process: engines opened one after another reuse at most two workers', async () => {
    const before = sharedDecodePool().stats().workersStarted;
    for (let i = 0; i < 3; i++) await loadVoxels(j2k.dir);
    const started = sharedDecodePool().stats().workersStarted - before;
    expect(started).toBeLessThanOrEqual(DEFAULT_POOL_OPTIONS.size);
    expect(DEFAULT_POOL_OPTIONS.size).toBeLessThanOrEqual(2);
  });

  it('refuses a frame above the per-task budget before any worker allocates it', async () => {
    const pool = new DecodePool({ ...DEFAULT_POOL_OPTIONS, taskBudgetBytes: 1024 ** 2 });
    const lease = pool.acquire();
    const task = taskOf(j2k.files[0]);
    await expect(lease.decode({ ...task, format: { ...task.format, rows: 4096, columns: 4096 } })).rejects.toThrow(
      /frame 1 of slice-008\.dcm would need 96 MB to decode, above the 1 MB budget/,
    );
    expect(pool.stats().workersStarted).toBe(0);
    lease.release();
    await pool.terminate();
  });

  it('stops a frame that runs past its timeout, names the file, and goes on with a fresh worker', async () => {
    let calls = 0;
    const pool = new DecodePool({ ...DEFAULT_POOL_OPTIONS, size: 1, timeoutMs: () => (calls++ === 0 ? 1 : 30_000) });
    const lease = pool.acquire();
    const task = taskOf(j2k.files[1]);
    await expect(lease.decode(task)).rejects.toThrow(/frame 1 of slice-007\.dcm: decoding took longer than 0 s and was stopped/);
    const next = await lease.decode(taskOf(j2k.files[1]));
    expect(bytesOf(next.pixels).equals(bytesOf(j2k.stored[1]))).toBe(true);
    expect(pool.stats()).toMatchObject({ timeouts: 1, workersStarted: 2, workersRunning: 1 });
    lease.release();
    await pool.terminate();
  });

  it('terminates its workers once the last lease is released (after the grace)', async () => {
    const pool = new DecodePool({ ...DEFAULT_POOL_OPTIONS, graceMs: 20 });
    const a = pool.acquire();
    const b = pool.acquire();
    await Promise.all([a.decode(taskOf(j2k.files[0])), b.decode(taskOf(j2k.files[1]))]);
    expect(pool.stats().workersRunning).toBeGreaterThan(0);
    a.release();
    await new Promise((r) => setTimeout(r, 100));
    expect(pool.stats().workersRunning).toBeGreaterThan(0); // b still holds it
    b.release();
    await new Promise((r) => setTimeout(r, 200));
    expect(pool.stats().workersRunning).toBe(0);
  });

  it('never keeps a CLI process alive: a script that decodes and holds its lease exits at once', () => {
    const script = path.join(work, 'hold.mts');
    const poolModule = path.resolve('src/main/engine/dicom/pixels/decodePool.ts');
    const frameModule = path.resolve('src/main/engine/dicom/pixels/decodeFrame.ts');
    const parseModule = path.resolve('src/main/engine/dicom/parseFile.ts');
    const tagsModule = path.resolve('src/main/engine/dicom/imageHeader.ts');
    writeFileSync(
      script,
      `import { readFileSync } from 'node:fs';
import { sharedDecodePool } from ${JSON.stringify(poolModule)};
import { prepareFrame } from ${JSON.stringify(frameModule)};
import { parseDicom } from ${JSON.stringify(parseModule)};
import { readImageHeader } from ${JSON.stringify(tagsModule)};
const ds = parseDicom(readFileSync(${JSON.stringify(j2k.files[0])})).dataSet;
const p = prepareFrame(readImageHeader(ds), ds, 0);
if (p.kind !== 'encoded') throw new Error('not compressed');
const lease = sharedDecodePool().acquire(); // never released: the workers must still not hold the process
const frame = await lease.decode({ ...p, frameIndex: 0, file: 'x' });
console.log('decoded', frame.pixels.length, sharedDecodePool().stats().workersRunning);
`,
    );
    const started = Date.now();
    const out = execFileSync(path.resolve('node_modules/.bin/tsx'), [script], { encoding: 'utf8', timeout: 30_000 });
    expect(out.trim()).toBe(`decoded ${ROWS * COLUMNS} 1`);
    // The grace before shutdown is 5 s; exiting well before it shows the workers were not holding on.
    expect(Date.now() - started).toBeLessThan(DEFAULT_POOL_OPTIONS.graceMs + 10_000);
  }, 40_000);
});
