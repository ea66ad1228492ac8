// Where the inference worker's code is: the separate `inferenceWorker.js` entry that electron-vite
// builds next to the bundled main, or, when run from source (tsx: serve, CLI, tests), worker.ts
// behind a tiny bootstrap that registers tsx inside the worker (loader flags do not reach workers).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function inferenceWorkerUrl(): URL {
  if (import.meta.url.endsWith('.ts')) {
    const tsxApi = import.meta.resolve('tsx/esm/api');
    const worker = new URL('./worker.ts', import.meta.url).href;
    const code = `import { register } from ${JSON.stringify(tsxApi)}; register(); await import(${JSON.stringify(worker)});`;
    return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
  }
  const bundled = new URL('./inferenceWorker.js', import.meta.url);
  if (!existsSync(fileURLToPath(bundled))) throw new Error('inference worker bundle is missing (run `npm run build`)');
  return bundled;
}
