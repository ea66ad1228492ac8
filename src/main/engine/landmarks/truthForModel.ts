// A user's landmark file is read again against the model that is compared with it: its plain
// points take that model's landmarks in order (when the counts match) and its names must be that
// model's. At import the model is not known (the file belongs to the series), so the engine keeps
// the file's text and calls this wherever a model meets the ground truth.
import type { GroundTruth } from '../../../shared/api';
import { indexToPatient, type Geometry } from '../../../shared/geometry';
import type { ModelManifest } from '../../../shared/modelManifest';
import { landmarkSetOf } from './landmarkSet';
import { parseLandmarkFile } from './parseLandmarkFile';

export interface LandmarkFileText {
  name: string;
  text: string;
}

/**
 * `truth` as `manifest`'s model must see it. Ground truth that did not come from a landmark file,
 * and models without landmarks, are left as they are. Throws LandmarkFileError (naming the file,
 * saying why) when the file does not fit the model.
 */
export function truthForModel(truth: GroundTruth, file: LandmarkFileText | undefined, manifest: ModelManifest, geometry: Geometry): GroundTruth {
  const set = landmarkSetOf(manifest);
  if (!file || !set) return truth;
  const points = parseLandmarkFile(file.name, file.text, set);
  return {
    ...truth,
    landmarks: points.map((p) => ({ ...p, patient: indexToPatient(geometry, [p.pixel[0], p.pixel[1], 0]) })),
  };
}
