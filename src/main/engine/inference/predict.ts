// One model run on one volume: preprocess onto the model grid, infer in the worker, decode, and
// map the outputs back to the study (pixels and patient mm), with landmark errors if truth exists.
import type { GroundTruth, PredictedLandmark, PredictionResult } from '../../../shared/api';
import { indexToPatient, reindex } from '../../../shared/geometry';
import { landmarkErrors } from '../../../shared/landmarkMetrics';
import type { LibraryEntry } from '../models/library';
import type { Volume } from '../volume/buildVolume';
import { probabilities } from '../../../shared/classProbabilities';
import { decodeHeatmaps } from './decodeLandmarks';
import type { InferencePool, LoadedSession } from './pool';
import { preprocessOnce } from './preprocess';

/** The class probabilities, by the one softmax/sigmoid the targets and MUPAX's errors use too. */
const activate = (logits: Float32Array, kind: 'softmax' | 'sigmoid'): number[] => Array.from(probabilities(logits, kind));

export async function predict(
  volume: Volume,
  entry: LibraryEntry,
  session: LoadedSession,
  worker: InferencePool,
  truth: GroundTruth | null,
): Promise<PredictionResult> {
  const { manifest, sha256 } = entry.pkg;
  if (!manifest.modality.includes(volume.info.modality)) {
    throw new Error(`this model is for ${manifest.modality.join('/')} images; the series is ${volume.info.modality}`);
  }
  const t0 = performance.now();
  const input = preprocessOnce(manifest, sha256, volume.info.geometry, volume.voxels);
  const t1 = performance.now();
  const run = await worker.run(session.key, { [manifest.input.name]: { data: input.data, dims: input.dims } }, [manifest.output.name]);
  const t2 = performance.now();
  const out = run.outputs[manifest.output.name];
  const decoding = manifest.output.decoding;
  const result: PredictionResult = {
    seriesUid: volume.info.seriesUid,
    modelId: sha256,
    modelName: manifest.name,
    modelVersion: manifest.version,
    task: manifest.task,
    provider: session.provider,
    gpuNote: session.gpuError,
    timings: { preprocessMs: t1 - t0, inferenceMs: run.ms, postprocessMs: 0 },
    modelGrid: input.grid,
  };

  if (decoding.type === 'classification') {
    if (out.data.length !== decoding.classes.length) {
      throw new Error(`the model returned ${out.data.length} scores but model.json lists ${decoding.classes.length} classes`);
    }
    const probabilities = activate(out.data, decoding.activation);
    const predicted = probabilities.indexOf(Math.max(...probabilities));
    result.classification = { classes: decoding.classes, probabilities, predicted, positiveClass: decoding.positiveClass };
  } else {
    const [, channels, height, width] = out.dims;
    if (out.dims.length !== 4 || channels !== decoding.landmarks.length) {
      throw new Error(`the model returned heatmaps of shape [${out.dims.join(', ')}]; model.json lists ${decoding.landmarks.length} landmarks`);
    }
    const grid = input.grid;
    const peaks = decodeHeatmaps(out.data, channels, height, width, [grid.dimensions[0], grid.dimensions[1]], decoding.refinement);
    const points: PredictedLandmark[] = peaks.map((p, c) => {
      const ijk = reindex(grid, volume.info.geometry, [p.x, p.y, 0]);
      return { ...decoding.landmarks[c], pixel: [ijk[0], ijk[1]], patient: indexToPatient(volume.info.geometry, ijk), peak: p.value };
    });
    const spacing: [number, number] = [volume.info.geometry.spacing[0], volume.info.geometry.spacing[1]];
    const truthPoints = truth?.landmarks ?? [];
    result.landmarks = {
      points,
      errors: truthPoints.length ? landmarkErrors(points, truthPoints, spacing, volume.info.pixelSpacingSource) : null,
      truthSource: truthPoints.length ? truth!.source : null,
    };
  }
  result.timings.postprocessMs = performance.now() - t2;
  return result;
}
