// Where the engine keeps its own files (demo studies, uploads, later result caches).
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export function defaultCacheDir(): string {
  if (process.env.EXPLICARE_CACHE_DIR) return path.resolve(process.env.EXPLICARE_CACHE_DIR);
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'explicare');
}

/** Repository root when running from source (serve, CLI, tests): resources/ lives there. */
export function sourceRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
}

export function bundledModelsDir(): string {
  return path.join(sourceRoot(), 'resources', 'models');
}
