import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cacheKey, ResultCache } from '../../src/main/engine/jobs/resultCache';

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
