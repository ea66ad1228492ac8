// Where the decode worker's code is: the separate `pixelDecodeWorker.js` entry that electron-vite
// builds next to the bundled main (electron.vite.config.ts), or, when run from source (tsx: serve,
// CLI, vitest), decodeWorker.ts behind a bootstrap that registers tsx inside the worker (loader
// flags do not reach workers). Same scheme as the inference worker (inference/workerUrl.ts).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function decodeWorkerUrl(): URL {
  if (import.meta.url.endsWith('.ts')) {
    const tsxApi = import.meta.resolve('tsx/esm/api');
    const worker = new URL('./decodeWorker.ts', import.meta.url).href;
    const code = `import { register } from ${JSON.stringify(tsxApi)}; register(); await import(${JSON.stringify(worker)});`;
    return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
  }
  // Next to the bundled main, or one level up should the bundler move this module into chunks/.
  for (const candidate of ['./pixelDecodeWorker.js', '../pixelDecodeWorker.js']) {
    const bundled = new URL(candidate, import.meta.url);
    if (existsSync(fileURLToPath(bundled))) return bundled;
  }
  throw new Error('pixel decode worker bundle is missing (run `npm run build`)');
}
