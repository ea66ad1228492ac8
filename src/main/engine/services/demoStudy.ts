// The bundled demo studies: generated (seeded, so always the same) into the cache on first use.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import path from 'node:path';

export const DEMO_SEED = 1;

export type DemoKind = 'ct' | 'ceph';

/** The demo study's folder, written first if it is not there yet. */
export async function demoStudyFolder(cacheDir: string, kind: DemoKind): Promise<string> {
  const dir = path.join(cacheDir, 'demo', `${kind}-seed${DEMO_SEED}`);
  if (existsSync(dir)) return dir;
  await mkdir(path.dirname(dir), { recursive: true });
  const tmp = await mkdtemp(`${dir}.tmp-`);
  try {
    // Loaded on demand: the generator is only needed the first time a demo is opened.
    const { generateCeph, generateCtStudy } = await import('../demo');
    if (kind === 'ct') await generateCtStudy({ seed: DEMO_SEED, outDir: tmp });
    else await generateCeph({ seed: DEMO_SEED, outDir: tmp });
    await rename(tmp, dir); // atomic: a crash never leaves a half-written demo behind
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  return dir;
}
