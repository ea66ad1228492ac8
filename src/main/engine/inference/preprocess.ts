// Volume -> model input tensor, as the manifest says: resample onto the model grid (shared geometry),
// then map intensities. The model grid is kept so outputs can be mapped back to the study.
import { fitGrid, letterboxGrid, type Geometry, type Vec3 } from '../../../shared/geometry';
import type { ModelManifest } from '../../../shared/modelManifest';
import { resample } from '../volume/resample';

export interface ModelInput {
  data: Float32Array;
  dims: number[]; // ONNX shape, batch 1
  grid: Geometry; // the model grid in patient space
}

/** Model grid for a volume: sizes come from the input shape (W, H[, D]). */
export function modelGrid(manifest: ModelManifest, geometry: Geometry): Geometry {
  const shape = manifest.input.shape;
  const size: Vec3 = manifest.input.layout === 'NCDHW' ? [shape[4], shape[3], shape[2]] : [shape[3], shape[2], 1];
  if (manifest.input.layout === 'NCHW' && geometry.dimensions[2] !== 1) {
    throw new Error(`this model takes one 2D image; the series has ${geometry.dimensions[2]} slices`);
  }
  return manifest.preprocessing.grid.mode === 'letterbox' ? letterboxGrid(geometry, [size[0], size[1]]) : fitGrid(geometry, size);
}

/** Applies the manifest's intensity mapping in place; NaN (outside the image) becomes `pad`. */
export function mapIntensity(data: Float32Array, manifest: ModelManifest, pad: number): void {
  const spec = manifest.preprocessing.intensity;
  let a = 1;
  let b = 0;
  let clip: [number, number] = [-Infinity, Infinity];
  if (spec.type === 'window') {
    const lo = spec.center - spec.width / 2;
    const [o0, o1] = spec.output;
    a = (o1 - o0) / spec.width;
    b = o0 - lo * a;
    clip = [Math.min(o0, o1), Math.max(o0, o1)];
  } else {
    let sum = 0, sq = 0, n = 0, min = Infinity, max = -Infinity;
    for (const v of data) {
      if (Number.isNaN(v)) continue;
      sum += v; sq += v * v; n++;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    if (spec.type === 'zscore') {
      const mean = sum / Math.max(n, 1);
      const std = Math.sqrt(Math.max(sq / Math.max(n, 1) - mean * mean, 1e-12));
      a = 1 / std;
      b = -mean / std;
    } else {
      a = 1 / Math.max(max - min, 1e-12);
      b = -min * a;
    }
  }
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    data[i] = Number.isNaN(v) ? pad : Math.min(clip[1], Math.max(clip[0], v * a + b));
  }
}

export function preprocess(manifest: ModelManifest, geometry: Geometry, voxels: ArrayLike<number>): ModelInput {
  const grid = modelGrid(manifest, geometry);
  const g = manifest.preprocessing.grid;
  const data = resample(voxels, geometry, grid, g.interpolation, g.mode === 'letterbox' ? NaN : 'clamp');
  mapIntensity(data, manifest, g.mode === 'letterbox' ? g.padValue : 0);
  return { data, dims: [...manifest.input.shape], grid };
}

/** Model inputs already computed, per volume (its voxel array) and model. */
const computed = new WeakMap<object, Map<string, ModelInput>>();

/**
 * preprocess, once per volume and model: a prediction and every explanation of the same series
 * start from the same model input (resampling a 512x512x120 CT costs ~0.5 s). Callers get their
 * own copy of the data, so a method can never change another's input.
 */
export function preprocessOnce(manifest: ModelManifest, modelKey: string, geometry: Geometry, voxels: ArrayLike<number> & object): ModelInput {
  let byModel = computed.get(voxels);
  if (!byModel) computed.set(voxels, (byModel = new Map()));
  let input = byModel.get(modelKey);
  if (!input) byModel.set(modelKey, (input = preprocess(manifest, geometry, voxels)));
  return { data: input.data.slice(), dims: [...input.dims], grid: input.grid };
}
