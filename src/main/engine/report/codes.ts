// Coded concepts the derived objects use. Standard codes (DCM, SCT, UCUM) where one exists; the
// explanation methods have none, so they get codes in a private scheme (PS3.3 8.2: "99" prefix).
import type { NaturalDataset } from '../io/dicomWrite';

export interface CodedConcept {
  CodeValue: string;
  CodingSchemeDesignator: string;
  CodeMeaning: string;
}

export const PRIVATE_SCHEME = '99EXPLICARE';

export const code = (CodeValue: string, CodingSchemeDesignator: string, CodeMeaning: string): CodedConcept => ({
  CodeValue,
  CodingSchemeDesignator,
  CodeMeaning,
});

/** CID 7203 Image Derivation: what the derived frames went through. */
export const RESAMPLED = code('113085', 'DCM', 'Spatial resampling');
export const SEGMENTED = code('113076', 'DCM', 'Segmentation');

/** The quantity a Parametric Map of `method` holds (no standard code names saliency). */
export function saliencyConcept(method: string): CodedConcept {
  return code(`SALIENCY-${method.toUpperCase()}`.slice(0, 16), PRIVATE_SCHEME, `${method} saliency`);
}

/** Body parts of the demo and typical studies, as SNOMED CT anatomic regions (CID 4031). */
const ANATOMY: Record<string, CodedConcept> = {
  CHEST: code('51185008', 'SCT', 'Thorax'),
  THORAX: code('51185008', 'SCT', 'Thorax'),
  LUNG: code('39607008', 'SCT', 'Lung'),
  SKULL: code('89546000', 'SCT', 'Skull'),
  HEAD: code('69536005', 'SCT', 'Head'),
};

/** The anatomic region of a source image from its Body Part Examined, if it is a known one. */
export function anatomyOf(source: NaturalDataset): CodedConcept | undefined {
  return ANATOMY[String(source.BodyPartExamined ?? '').toUpperCase()];
}
