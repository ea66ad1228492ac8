import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import { rendererConfig } from './vite.renderer';

export default defineConfig({
  main: {
    // The inference, pixel decode and ROAD imputation workers are their own entries: worker_threads
    // load them by path (see inference/workerUrl.ts, dicom/pixels/decodeWorkerUrl.ts, metrics/imputationWorkerUrl.ts).
    build: {
      rollupOptions: {
        input: {
          index: resolve(import.meta.dirname, 'src/main/index.ts'),
          inferenceWorker: resolve(import.meta.dirname, 'src/main/engine/inference/worker.ts'),
          pixelDecodeWorker: resolve(import.meta.dirname, 'src/main/engine/dicom/pixels/decodeWorker.ts'),
          imputationWorker: resolve(import.meta.dirname, 'src/main/engine/metrics/imputationWorker.ts'),
        },
      },
    },
  },
  preload: {
    // Sandboxed preloads cannot be ES modules: emit CommonJS.
    build: {
      rollupOptions: {
        input: { index: resolve(import.meta.dirname, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    ...rendererConfig(resolve(import.meta.dirname, 'out/renderer')),
    build: {
      ...rendererConfig('').build,
      outDir: resolve(import.meta.dirname, 'out/renderer'),
      rollupOptions: { input: resolve(import.meta.dirname, 'src/renderer/index.html') },
    },
  },
});
