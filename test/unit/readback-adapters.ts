// Loads @cornerstonejs/adapters (the SEG and Parametric Map readers OHIF uses) in Node for the
// read-back tests. The package cannot be imported as published: its ESM build imports
// '@babel/runtime/helpers/*' while it declares only '@babel/runtime-corejs2' as a dependency, so
// Node (and a bundler without an alias) fails with ERR_MODULE_NOT_FOUND. esbuild bundles it here
// with that one alias (the corejs2 helpers are the same helpers), together with the matching
// @cornerstonejs/core, whose metadata registry and image cache the SEG reader uses.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

export interface Adapters {
  adaptersSEG: {
    Cornerstone3D: {
      Segmentation: {
        createFromDICOMSegBuffer(
          imageIds: string[],
          buffer: ArrayBuffer,
          options: { metadataProvider: MetadataProvider; tolerance?: number },
        ): Promise<{ labelMapImages: { getPixelData(): ArrayLike<number> }[][]; segMetadata: { data: ({ SegmentLabel?: string } | undefined)[] } }>;
      };
    };
  };
  adaptersPMAP: {
    Cornerstone3D: {
      ParametricMap: { generateToolState(imageIds: string[], buffer: ArrayBuffer, provider: MetadataProvider): Promise<{ pixelData: ArrayLike<number> }> };
    };
  };
  metaData: { addProvider(fn: (type: string, imageId: string) => unknown, priority?: number): void };
}

export interface MetadataProvider {
  get(type: string, imageId: string): unknown;
}

export async function loadAdapters(dir: string): Promise<Adapters> {
  mkdirSync(dir, { recursive: true });
  const entry = path.join(dir, 'entry.mjs');
  writeFileSync(entry, "export { adaptersSEG, adaptersPMAP } from '@cornerstonejs/adapters';\nexport { metaData } from '@cornerstonejs/core';\n");
  const outfile = path.join(dir, 'adapters.mjs');
  await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'node',
    outfile,
    nodePaths: [path.resolve('node_modules')],
    logLevel: 'error',
    alias: { '@babel/runtime': '@babel/runtime-corejs2' },
  });
  return (await import(outfile)) as Adapters;
}
