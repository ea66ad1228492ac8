// Where the ROAD imputation worker's code is: the separate `imputationWorker.js` entry that
// electron-vite (electron.vite.config.ts) and the CLI bundle (scripts/cli.mjs) build next to the
// bundled main, or, when run from source (tsx: serve, CLI, vitest), imputationWorker.ts behind a
// bootstrap that registers tsx inside the worker (loader flags do not reach workers). Same scheme
// as the inference and decode workers (inference/workerUrl.ts, dicom/pixels/decodeWorkerUrl.ts).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function imputationWorkerUrl(): URL {
  if (import.meta.url.endsWith('.ts')) {
    const tsxApi = import.meta.resolve('tsx/esm/api');
    const worker = new URL('./imputationWorker.ts', import.meta.url).href;
    const code = `import { register } from ${JSON.stringify(tsxApi)}; register(); await import(${JSON.stringify(worker)});`;
    return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
  }
  // Next to the bundled main, or one level up should the bundler move this module into chunks/.
  for (const candidate of ['./imputationWorker.js', '../imputationWorker.js']) {
    const bundled = new URL(candidate, import.meta.url);
    if (existsSync(fileURLToPath(bundled))) return bundled;
  }
  throw new Error('ROAD imputation worker bundle is missing (run `npm run build`)');
}
