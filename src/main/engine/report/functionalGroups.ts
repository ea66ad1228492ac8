// Pieces shared by the multi-frame derived objects (Parametric Map, Segmentation): one frame per
// source slice on the study's voxel grid, so every frame says where it lies (plane position and
// orientation, pixel measures) and which source image it was derived from.
import { type Geometry, indexToPatient } from '../../../shared/geometry';
import type { NaturalDataset } from '../io/dicomWrite';
import { APP_VERSION } from '../version';
import type { CodedConcept } from './codes';

/** A source image: what a derived frame references. */
export interface SourceImage {
  sopClassUid: string;
  sopInstanceUid: string;
}

/** What every multi-frame derived object (Parametric Map, Segmentation) is built from. */
export interface MultiFrameDerivedArgs {
  geometry: Geometry;
  /** The source instance of every slice k, in slice order. */
  sources: readonly SourceImage[];
  /** Attributes of the first source image (patient, study, frame of reference, body part). */
  sourceDataset: NaturalDataset;
  sourceSeriesUid: string;
  frameOfReferenceUid: string;
  seriesInstanceUid: string;
  sopInstanceUid: string;
  dimensionOrganizationUid: string;
  seriesNumber: number;
  instanceNumber: number;
  created: Date;
}

/** DICOM DS text (at most 16 characters, no exponent) of a finite number. */
export function decimalString(v: number): string {
  if (!Number.isFinite(v)) throw new RangeError(`${v} cannot be written as a DICOM decimal string`);
  for (let digits = 10; digits >= 1; digits--) {
    const text = String(Number(v.toFixed(digits)));
    if (text.length <= 16 && !text.includes('e')) return text === '-0' ? '0' : text;
  }
  throw new RangeError(`${v} does not fit a DICOM decimal string`);
}

const tag = (group: number, element: number) => group * 0x10000 + element;
/** (0020,0032) Image Position (Patient) inside (0020,9113) Plane Position Sequence. */
export const IMAGE_POSITION_INDEX = { DimensionIndexPointer: tag(0x0020, 0x0032), FunctionalGroupPointer: tag(0x0020, 0x9113) };
/** (0062,000B) Referenced Segment Number inside (0062,000A) Segment Identification Sequence. */
export const SEGMENT_NUMBER_INDEX = { DimensionIndexPointer: tag(0x0062, 0x000b), FunctionalGroupPointer: tag(0x0062, 0x000a) };

/** Identity Pixel Value Transformation: stored values are the real values (float pixels need no rescale). */
export const IDENTITY_TRANSFORMATION = { PixelValueTransformationSequence: [{ RescaleIntercept: '0', RescaleSlope: '1', RescaleType: 'US' }] };

/** Pixel Measures and Plane Orientation: the same for every frame of a study grid. */
export function sharedGeometryGroups(g: Geometry): NaturalDataset {
  return {
    PixelMeasuresSequence: [
      {
        PixelSpacing: [decimalString(g.spacing[1]), decimalString(g.spacing[0])], // row spacing (between rows), then column spacing
        SliceThickness: decimalString(g.spacing[2]),
        ...(g.dimensions[2] > 1 ? { SpacingBetweenSlices: decimalString(g.spacing[2]) } : {}),
      },
    ],
    PlaneOrientationSequence: [{ ImageOrientationPatient: g.direction.slice(0, 6).map(decimalString) }],
  };
}

/** Plane Position of slice k: the patient position of its first voxel's centre. */
export function planePosition(g: Geometry, k: number): NaturalDataset {
  return { PlanePositionSequence: [{ ImagePositionPatient: indexToPatient(g, [0, 0, k]).map(decimalString) }] };
}

/** Derivation Image functional group: this frame was computed from `source` (as its whole image). */
export function derivationImage(source: SourceImage, derivation: CodedConcept, description: string): NaturalDataset {
  return {
    DerivationImageSequence: [
      {
        DerivationDescription: description.slice(0, 1024),
        DerivationCodeSequence: [{ ...derivation }],
        SourceImageSequence: [
          {
            ReferencedSOPClassUID: source.sopClassUid,
            ReferencedSOPInstanceUID: source.sopInstanceUid,
            PurposeOfReferenceCodeSequence: [
              { CodeValue: '121322', CodingSchemeDesignator: 'DCM', CodeMeaning: 'Source image for image processing operation' },
            ],
          },
        ],
      },
    ],
  };
}

/** Common Instance Reference module: the source series and every instance the frames derive from. */
export function commonInstanceReference(seriesInstanceUid: string, sources: readonly SourceImage[]): NaturalDataset {
  const unique = [...new Map(sources.map((s) => [s.sopInstanceUid, s])).values()];
  return {
    ReferencedSeriesSequence: [
      {
        SeriesInstanceUID: seriesInstanceUid,
        ReferencedInstanceSequence: unique.map((s) => ({ ReferencedSOPClassUID: s.sopClassUid, ReferencedSOPInstanceUID: s.sopInstanceUid })),
      },
    ],
  };
}

/** General Equipment and Enhanced General Equipment: Explicare made this object. */
export function equipment(): NaturalDataset {
  return { Manufacturer: 'Explicare', ManufacturerModelName: 'Explicare', DeviceSerialNumber: 'none', SoftwareVersions: APP_VERSION };
}
