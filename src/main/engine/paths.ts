// Where the engine keeps its own files (demo studies, uploads, later result caches).
import os from 'node:os';
import path from 'node:path';

export function defaultCacheDir(): string {
  if (process.env.EXPLICARE_CACHE_DIR) return path.resolve(process.env.EXPLICARE_CACHE_DIR);
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'explicare');
}
