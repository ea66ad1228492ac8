// Renderer build settings shared by the Electron build and the browser build (npm run serve).
import vue from '@vitejs/plugin-vue';
import { resolve } from 'node:path';
import type { UserConfig } from 'vite';

export const rendererRoot = resolve(import.meta.dirname, 'src/renderer');

export function rendererConfig(outDir: string): UserConfig {
  return {
    root: rendererRoot,
    base: './',
    plugins: [vue()],
    // cornerstone3D spawns ES module workers; vtk.js needs Node's `events` polyfill (npm package).
    worker: { format: 'es' },
    build: { outDir, emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 8000 },
  };
}
