// Writes one explanation's maps as NIfTI on the study's voxel grid (the explained input on the
// model grid), named as result.json expects
// (<method>.nii.gz for the main target, <method>-<target>.nii.gz for the others), and its layers
// (MUPAX: <method>[-<target>]-significant.nii.gz for every target, <method>-z.nii.gz and
// <method>-retention.nii.gz for the main one). Shared by the CLI
// explain command and the app's export.
import path from 'node:path';
import type { Geometry } from '../../../shared/geometry';
import { type ExplanationResult, toStudyGrid } from '../explain/explainVolume';
import { writeNifti } from '../io/nifti';
import { resample } from '../volume/resample';

/** A file-name-safe form of a target ("Subspinale (A point)" -> "subspinale-a-point"). */
const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

export interface MethodMapFiles {
  /** target name -> file name in `outDir` (result.json's `files`). */
  files: Record<string, string>;
  /** layer -> target name -> file name (result.json's `layerFiles`). */
  layerFiles: Record<string, Record<string, string>>;
}

/** A significant-evidence map is a region with values: it keeps its edges on the study grid. */
const isRegion = (result: ExplanationResult) => result.details.shows === 'significant evidence';

function onStudyGrid(map: Float32Array, grid: Geometry, study: Geometry, nearest: boolean, into?: Float32Array): Float32Array {
  // A 0/1 region stays 0/1 on the study grid: nearest, never blended edges.
  return nearest ? resample(map, grid, study, 'nearest', 'clamp', into) : toStudyGrid(map, grid, study, into);
}

/** The main target's map on the study grid, exactly as writeMethodMaps writes <method>.nii.gz. */
export function mainMapOnStudyGrid(result: ExplanationResult, study: Geometry): Float32Array {
  return onStudyGrid(result.maps[result.maps.length - 1], result.grid, study, isRegion(result));
}

export async function writeMethodMaps(outDir: string, method: string, result: ExplanationResult, study: Geometry): Promise<MethodMapFiles> {
  // Writes are queued, then run two at a time: one map is resampled on this thread while the
  // previous one is compressed on libuv's pool (and at most two study-sized maps are held). Each
  // lane reuses one study-sized buffer for its maps: a cephalogram's 40 regions of 18 MB each were
  // 0.7 GB of garbage, and collecting it cost as much as writing them.
  const queue: ((buffer: () => Float32Array) => Promise<void>)[] = [];
  const write = (name: string, map: Float32Array, description: string, nearest = false) => {
    queue.push(async (buffer) => {
      const data = onStudyGrid(map, result.grid, study, nearest, buffer());
      await writeNifti(path.join(outDir, name), { geometry: study, data, description: description.slice(0, 79) });
    });
    return name;
  };
  const main = result.maps.length - 1;
  const base = (t: number) => (t === main ? method : `${method}-${slug(result.targets[t])}`);
  const files: Record<string, string> = {};
  const region = isRegion(result);
  for (let t = main; t >= 0; t--)
    files[result.targets[t]] = write(`${base(t)}.nii.gz`, result.maps[t], `${method} ${region ? 'significant evidence' : ''} ${result.targets[t]}`, region);
  if (result.explainedInput) {
    // The explained input is an image of what the model sees: it stays on the model grid (its own
    // affine, same patient space). On the study grid it was a blurred, 30x larger copy of the CT
    // that took longer to compress than the rest of the command's maps together.
    const name = `${method}-explained-input.nii.gz`;
    const data = result.explainedInput;
    queue.push(() => writeNifti(path.join(outDir, name), { geometry: result.grid, data, description: `${method} explained input (model grid)` }));
    files['explained input'] = name;
  }
  const layerFiles: Record<string, Record<string, string>> = {};
  for (const [layer, maps] of Object.entries(result.layers ?? {})) {
    layerFiles[layer] = {};
    // Every target's region; the z and retention maps of the main target only (a cephalogram's 19
    // landmarks x 4 full-resolution maps would cost more to write than to compute).
    const upTo = layer === 'significant' ? 0 : main;
    for (let t = main; t >= upTo; t--)
      layerFiles[layer][result.targets[t]] = write(`${base(t)}-${layer}.nii.gz`, maps[t], `${method} ${layer} ${result.targets[t]}`, layer === 'significant');
  }
  let next = 0;
  const lane = async () => {
    let own: Float32Array | undefined;
    const buffer = () => (own ??= new Float32Array(study.dimensions[0] * study.dimensions[1] * study.dimensions[2]));
    // writeNifti has finished reading the buffer when it resolves: the next map may overwrite it.
    while (next < queue.length) await queue[next++](buffer);
  };
  await Promise.all([lane(), lane()]);
  return { files, layerFiles };
}
