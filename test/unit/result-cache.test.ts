import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cacheKey, ResultCache } from '../../src/main/engine/jobs/resultCache';
import type { Geometry } from '../../src/shared/geometry';

const dir = mkdtempSync(path.join(os.tmpdir(), 'explicare-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('result cache', () => {
  it('keys on every parameter, independent of key order', () => {
    const a = cacheKey({ seriesUid: '1.2', modelId: 'm', method: 'mupax', options: { seed: 1, samples: 10 } });
    expect(cacheKey({ method: 'mupax', modelId: 'm', seriesUid: '1.2', options: { samples: 10, seed: 1 } } as never)).toBe(a);
    expect(cacheKey({ seriesUid: '1.2', modelId: 'm', method: 'mupax', options: { seed: 2, samples: 10 } })).not.toBe(a);
  });

  it('round-trips maps of any count, and ignores damaged entries', async () => {
    const cache = new ResultCache(dir);
    const maps = [Float32Array.of(1, 2, 3), Float32Array.of(4, 5, 6), Float32Array.of(7, 8, 9)];
    await cache.write({ key: 'k1', summary: { targets: ['a', 'b'], note: 'x' }, maps });
    const back = await cache.read('k1');
    expect(back!.maps).toEqual(maps);
    expect(back!.summary).toEqual({ targets: ['a', 'b'], note: 'x' });
    writeFileSync(path.join(dir, 'k1', 'maps.f32'), Buffer.alloc(5));
    expect(await cache.read('k1')).toBeNull();
    expect(await cache.read('missing')).toBeNull();
  });
});

describe('job manager', () => {
  it('keeps at most the newest finished jobs in memory, never a running one', async () => {
    const { JobManager } = await import('../../src/main/engine/jobs/jobManager');
    const jobs = new JobManager<number>(2);
    let release!: () => void;
    const running = jobs.start('slow', {}, () => new Promise<number>((r) => (release = () => r(1))), String);
    const done = [1, 2, 3].map((v) => jobs.finished(`job ${v}`, {}, v));
    expect(jobs.get(done[0].id)).toBeUndefined(); // the oldest finished job is gone
    expect(jobs.get(done[1].id)?.result).toBe(2);
    expect(jobs.get(done[2].id)?.result).toBe(3);
    expect(jobs.get(running.id)?.state).toBe('running');
    release();
    await jobs.settled(running.id);
    expect(jobs.list().filter((j) => j.state === 'done')).toHaveLength(2);
  });
});

describe('cached explanation results', () => {
  it('keep every layer of every target, the explained input and the summary through the disk cache', async () => {
    const { fromCache, toCache } = await import('../../src/main/engine/explain/cachedResult');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'explicare-cached-result-'));
    try {
      const grid: Geometry = { dimensions: [2, 2, 1], spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] };
      const v = (...xs: number[]) => Float32Array.from(xs);
      const result = {
        method: 'mupax', seriesUid: '1.2', modelId: 'abc', targets: ['Sella', 'any landmark'], grid, details: { shows: 'significant evidence' },
        maps: [v(0, 3, 0, 0), v(4, 0, 0, 0)], explainedInput: v(1, 1, 1, 1),
        layers: { z: [v(-1, 3, 0, 1), v(4, 2, 0, 0)], significant: [v(0, 1, 0, 0), v(1, 0, 0, 0)] },
      };
      const cache = new ResultCache(dir);
      await cache.write(toCache('k1', result));
      const back = fromCache((await cache.read('k1'))!);
      expect(back.targets).toEqual(result.targets);
      expect(back.details).toEqual(result.details);
      expect(back.maps).toEqual(result.maps);
      expect(back.explainedInput).toEqual(result.explainedInput);
      expect(back.layers).toEqual(result.layers);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
