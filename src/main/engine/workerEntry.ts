// Where a worker thread's code is, for every worker of the engine (inference, pixel decoding, ROAD
// imputation): the separate `<bundled>` entry that electron-vite (electron.vite.config.ts) and the
// CLI bundle (scripts/cli.mjs) build next to the bundled main, or, when run from source (tsx: serve,
// CLI, vitest), the worker's .ts behind a bootstrap that registers tsx inside the worker (loader
// flags do not reach workers).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * `here`: the calling module's import.meta.url; `source`: the worker's .ts relative to it;
 * `bundled`: the built entry's file name; `what`: the worker's name in the error.
 */
export function workerEntryUrl(here: string, source: string, bundled: string, what: string): URL {
  if (import.meta.url.endsWith('.ts')) {
    const tsxApi = import.meta.resolve('tsx/esm/api');
    const worker = new URL(source, here).href;
    const code = `import { register } from ${JSON.stringify(tsxApi)}; register(); await import(${JSON.stringify(worker)});`;
    return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
  }
  // Next to the bundled main, or one level up should the bundler move this module into chunks/.
  for (const candidate of [`./${bundled}`, `../${bundled}`]) {
    const url = new URL(candidate, here);
    if (existsSync(fileURLToPath(url))) return url;
  }
  throw new Error(`${what} bundle is missing (run \`npm run build\`)`);
}
