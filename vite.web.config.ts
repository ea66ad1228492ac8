import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import { rendererConfig } from './vite.renderer';

export default defineConfig(rendererConfig(resolve(import.meta.dirname, 'out/web')));
