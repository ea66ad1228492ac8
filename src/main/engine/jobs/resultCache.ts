// Explanation results on disk, keyed by (series UID, model hash, method, parameters), so reopening
// a study shows its maps at once. Entries are written atomically (temp folder + rename).
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface CachedExplanation {
  key: string;
  summary: Record<string, unknown>;
  maps: Float32Array[]; // model grid, all the same length
}

/** Stable JSON (sorted keys), so equal parameters give equal keys. */
function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${stable((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * What the methods compute for given options. Part of every key, so that a cache written before a
 * method changed (its statistics, the order of its maps) is never shown as a result of this one:
 * raise it with every such change. 2: a chosen landmark's map is the main (last) one. 3: MUPAX
 * reading banked samples (paper mode after the default) tests and stops by its own rule.
 */
export const RESULTS_REVISION = 3;

export function cacheKey(parts: { seriesUid: string; modelId: string; method: string; options: unknown }): string {
  return createHash('sha256')
    .update(stable({ ...parts, revision: RESULTS_REVISION }))
    .digest('hex')
    .slice(0, 32);
}

export class ResultCache {
  constructor(private readonly dir: string) {}

  async read(key: string): Promise<CachedExplanation | null> {
    const folder = path.join(this.dir, key);
    if (!existsSync(path.join(folder, 'summary.json'))) return null;
    try {
      const { mapCount, ...summary } = JSON.parse(await readFile(path.join(folder, 'summary.json'), 'utf8'));
      const bytes = await readFile(path.join(folder, 'maps.f32'));
      const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
      const per = all.length / mapCount;
      if (!Number.isInteger(per)) return null;
      return { key, summary, maps: Array.from({ length: mapCount }, (_, i) => all.slice(i * per, (i + 1) * per)) };
    } catch {
      return null; // a damaged entry is recomputed, not trusted
    }
  }

  async write(entry: CachedExplanation): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const final = path.join(this.dir, entry.key);
    const tmp = await mkdtemp(`${final}.tmp-`);
    try {
      await writeFile(path.join(tmp, 'summary.json'), JSON.stringify({ ...entry.summary, mapCount: entry.maps.length }));
      const all = new Float32Array(entry.maps.reduce((n, m) => n + m.length, 0));
      let o = 0;
      for (const m of entry.maps) {
        all.set(m, o);
        o += m.length;
      }
      await writeFile(path.join(tmp, 'maps.f32'), new Uint8Array(all.buffer));
      await rm(final, { recursive: true, force: true });
      await rename(tmp, final);
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      throw err;
    }
  }

  async clear(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
