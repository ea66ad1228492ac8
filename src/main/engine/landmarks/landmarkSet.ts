// The landmarks a ground-truth file is read against: a landmark model's own list, or, when no
// model is given, the 19 landmarks of the ISBI 2015 cephalometric challenge.
import { ISBI_LANDMARKS } from '../../../shared/landmarks';
import type { ModelManifest } from '../../../shared/modelManifest';

export interface LandmarkSet {
  /** Said in messages: "the model <name> has 5 landmarks". */
  name: string;
  landmarks: readonly { name: string; abbreviation: string }[];
}

export const ISBI_LANDMARK_SET: LandmarkSet = { name: 'the ISBI 2015 list', landmarks: ISBI_LANDMARKS };

/** A landmark model's manifest output as a set (classification models have none). */
export function landmarkSetOf(manifest: ModelManifest): LandmarkSet | undefined {
  const decoding = manifest.output.decoding;
  if (decoding.type !== 'heatmaps') return undefined;
  return { name: `the model "${manifest.name}"`, landmarks: decoding.landmarks };
}

/** The set's landmark called `key` (full name or abbreviation, any case). */
export function findLandmark(set: LandmarkSet, key: string): { name: string; abbreviation: string } | undefined {
  const k = key.toLowerCase();
  return set.landmarks.find((l) => l.name.toLowerCase() === k || l.abbreviation.toLowerCase() === k);
}
