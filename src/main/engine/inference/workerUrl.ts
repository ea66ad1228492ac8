// Where the inference worker's code is: next to this file when run from source (tsx), or the
// separate `inferenceWorker.js` entry that electron-vite builds next to the bundled main.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function inferenceWorkerLocation(): { url: URL; execArgv: string[] } {
  if (import.meta.url.endsWith('.ts')) return { url: new URL('./worker.ts', import.meta.url), execArgv: ['--import', 'tsx'] };
  const bundled = new URL('./inferenceWorker.js', import.meta.url);
  if (!existsSync(fileURLToPath(bundled))) throw new Error('inference worker bundle is missing (run `npm run build`)');
  return { url: bundled, execArgv: [] };
}
