// Writes one explanation's maps as NIfTI on the study's voxel grid, named as result.json expects
// (<method>.nii.gz for the main target). Shared by the CLI explain command and the app's export.
import path from 'node:path';
import type { Geometry } from '../../../shared/geometry';
import { type ExplanationResult, toStudyGrid } from '../explain/explainVolume';
import { writeNifti } from '../io/nifti';

/** A file-name-safe form of a target ("Subspinale (A point)" -> "subspinale-a-point"). */
const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/** Returns the `files` entry of result.json: target name -> file name in `outDir`. */
export async function writeMethodMaps(outDir: string, method: string, result: ExplanationResult, study: Geometry): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  const write = async (name: string, map: Float32Array, description: string) => {
    await writeNifti(path.join(outDir, name), { geometry: study, data: toStudyGrid(map, result.grid, study), description: description.slice(0, 79) });
    return name;
  };
  const main = result.maps.length - 1;
  files[result.targets[main]] = await write(`${method}.nii.gz`, result.maps[main], `${method} ${result.targets[main]}`);
  for (let t = 0; t < main; t++) files[result.targets[t]] = await write(`${method}-${slug(result.targets[t])}.nii.gz`, result.maps[t], `${method} ${result.targets[t]}`);
  if (result.explainedInput) files['explained input'] = await write(`${method}-explained-input.nii.gz`, result.explainedInput, `${method} explained input`);
  return files;
}
