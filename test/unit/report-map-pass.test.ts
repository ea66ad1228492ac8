// The export's one pass over its maps (report/mapPass.ts): what it keeps of each map equals what the
// export computed from the whole map before, parked maps read back bit for bit, maps are loaded one
// after the other, and the scratch files are gone afterwards. Also the two shortcuts it relies on:
// the key image drawn from one slice, and the SEG's frames packed a byte at a time.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Geometry } from '../../src/shared/geometry';
import { overlayScale } from '../../src/shared/overlayScale';
import { maskWhere, topRegionMask } from '../../src/main/engine/report/bitMask';
import { renderKeyImage, renderKeySlice, sharedKeySlice, sharedKeySliceOf, sliceMass } from '../../src/main/engine/report/keyImages';
import { MapScratch, finiteRange, passOverMaps } from '../../src/main/engine/report/mapPass';
import { packFrames, type SegmentInput } from '../../src/main/engine/report/segmentation';
import { BitMask } from '../../src/main/engine/report/bitMask';

let seed = 7;
const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const grid = (nx: number, ny: number, nz: number): Geometry => ({
  dimensions: [nx, ny, nz],
  spacing: [0.8, 0.8, 2],
  origin: [-10, -10, 5],
  direction: [1, 0, 0, 0, 1, 0, 0, 0, 1],
});

let out: string;
beforeEach(async () => {
  out = await mkdtemp(path.join(os.tmpdir(), 'explicare-map-pass-'));
});
afterEach(async () => {
  await rm(out, { recursive: true, force: true });
});

describe('passOverMaps', () => {
  const g = grid(6, 5, 7);
  const n = 6 * 5 * 7;
  const maps = {
    smooth: Float32Array.from({ length: n }, (_, i) => Math.sin(i / 9) * 3 + rand() * 1e-3), // negative values too
    exact: Float64Array.from({ length: n }, () => rand() / 3), // values float32 cannot hold
    region: Int16Array.from({ length: n }, () => (rand() < 0.2 ? Math.round(rand() * 50) : 0)),
    plain: Array.from({ length: n }, () => Math.round(rand() * 1000) / 7),
  };
  const names = Object.keys(maps) as (keyof typeof maps)[];

  it('keeps what the export needs of every map and reads each slice back bit for bit', async () => {
    const order: string[] = [];
    const scratch = await MapScratch.open(out);
    const held = await passOverMaps({
      maps: names.map((method) => ({
        method,
        region: method === 'region',
        source: {
          async load() {
            order.push(`load ${method}`);
            await new Promise((r) => setTimeout(r, 5));
            order.push(`loaded ${method}`);
            return { geometry: g, data: maps[method] };
          },
        },
      })),
      study: g,
      dicom: true,
      topPercent: 5,
      scratch,
    });
    // One map at a time: the next load starts only after the previous map was summarized.
    expect(order).toEqual(names.flatMap((m) => [`load ${m}`, `loaded ${m}`]));
    // Every map but the last is parked in the scratch folder.
    expect((await readdir(out)).length).toBe(1);
    for (const [i, h] of held.entries()) {
      const data = maps[names[i]];
      const volume = { geometry: g, data };
      const region = names[i] === 'region';
      expect(h.method).toBe(names[i]);
      expect(h.masses).toEqual(sliceMass(volume));
      expect(h.scale).toEqual(overlayScale(data, region));
      expect(h.dicom!.range).toEqual([Math.min(...data), Math.max(...data)]);
      const mask = region ? maskWhere(data, (v) => v > 0) : topRegionMask(data, 5);
      expect(Array.from(h.dicom!.mask.bits)).toEqual(Array.from(mask.bits));
      for (let k = 0; k < 7; k++) {
        const s = await h.slice(k);
        // Same values; a typed map comes back in its own type (a plain array as float64).
        expect(Array.from(s)).toEqual(Array.from(data).slice(k * 30, (k + 1) * 30));
        if (ArrayBuffer.isView(data)) expect(s.constructor).toBe(data.constructor);
      }
    }
    for (const h of held) await h.release();
    await expect(held[0].slice(0)).rejects.toThrow('released');
    await scratch.close();
    expect(await readdir(out)).toEqual([]);
  });

  it('refuses a map on another grid, of another size or with a non-finite value, and leaves no scratch file', async () => {
    const run = async (data: ArrayLike<number>, geometry = g) => {
      const scratch = await MapScratch.open(out);
      try {
        const ok = { method: 'ok', region: false, source: { load: async () => ({ geometry: g, data: maps.smooth }) } };
        const bad = { method: 'bad', region: false, source: { load: async () => ({ geometry, data }) } };
        return await passOverMaps({ maps: [ok, bad], study: g, dicom: true, topPercent: 5, scratch });
      } finally {
        await scratch.close();
      }
    };
    await expect(run(new Float32Array(n - 1))).rejects.toThrow(`map of bad has ${n - 1} voxels, the series ${n}`);
    await expect(run(maps.smooth, { ...g, origin: [0, 0, 0] })).rejects.toThrow('not on the study grid');
    const nan = Float32Array.from(maps.smooth);
    nan[40] = NaN;
    await expect(run(nan)).rejects.toThrow('the bad map has a non-finite value at voxel 40');
    expect(await readdir(out)).toEqual([]);
  });

  it('finds the finite range and refuses infinities', () => {
    expect(finiteRange([3, -2, 7], 'm')).toEqual([-2, 7]);
    expect(finiteRange([], 'm')).toEqual([0, 0]);
    expect(() => finiteRange([1, Infinity], 'm')).toThrow('non-finite value at voxel 1');
  });
});

describe('the key image from one slice', () => {
  it('is the key image drawn from the whole map, and the key slice the same from masses', () => {
    const g = grid(9, 8, 5);
    const voxels = Int16Array.from({ length: 9 * 8 * 5 }, () => Math.round(rand() * 2000 - 1000));
    const data = Float32Array.from({ length: 9 * 8 * 5 }, () => rand() * 4 - 1);
    const other = Float32Array.from({ length: 9 * 8 * 5 }, (_, i) => (i % 72 < 30 ? rand() : 0));
    for (const region of [false, true]) {
      const window = { center: 40, width: 400 };
      const whole = renderKeyImage({ voxels, geometry: g, window, map: { geometry: g, data }, slice: 3, colorbarWidth: 4, colormap: 'jet', region });
      const fromSlice = renderKeySlice({
        voxels,
        geometry: g,
        window,
        mapSlice: data.subarray(3 * 72, 4 * 72),
        scale: overlayScale(data, region),
        slice: 3,
        colorbarWidth: 4,
        colormap: 'jet',
      });
      expect(fromSlice.width).toBe(whole.width);
      expect(Buffer.from(fromSlice.rgb).equals(Buffer.from(whole.rgb))).toBe(true);
    }
    const volumes = [data, other].map((d) => ({ geometry: g, data: d }));
    expect(sharedKeySliceOf(volumes.map(sliceMass))).toBe(sharedKeySlice(volumes));
    expect(sharedKeySliceOf([])).toBe(0);
  });
});

describe('packFrames', () => {
  // Reference: PS3.5 8.1.1 by hand, pixel p of frame f is bit (f * size + p), lowest bit first.
  const reference = (segments: SegmentInput[], frames: { segment: number; slice: number }[], size: number) => {
    const bytes = Math.ceil((frames.length * size) / 8);
    const outRef = new Uint8Array(bytes + (bytes % 2));
    frames.forEach((f, i) => {
      for (let p = 0; p < size; p++) {
        const v = (segments[f.segment - 1].mask.bits[Math.floor((f.slice * size + p) / 8)] >> ((f.slice * size + p) % 8)) & 1;
        if (v) outRef[Math.floor((i * size + p) / 8)] |= 1 << ((i * size + p) % 8);
      }
    });
    return outRef;
  };
  it('packs whole bytes and odd-sized frames alike', () => {
    for (const size of [16, 24, 9, 15]) {
      const segments = [0, 1].map((s) => {
        const mask = new BitMask(size * 4);
        for (let i = 0; i < size * 4; i++) if (rand() < 0.4) mask.set(i);
        return { method: `m${s}`, mask, description: '' };
      });
      const frames = [
        { segment: 1, slice: 0 },
        { segment: 1, slice: 3 },
        { segment: 2, slice: 1 },
        { segment: 2, slice: 2 },
        { segment: 2, slice: 3 },
      ];
      expect(Array.from(packFrames(segments, frames, size))).toEqual(Array.from(reference(segments, frames, size)));
    }
  });
});
