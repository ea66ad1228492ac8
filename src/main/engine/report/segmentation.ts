// Segmentation Storage (binary) of the top-k% region of each method's map: one segment per method,
// frames on the study's voxel grid. Only frames that contain part of a segment are stored (as
// viewers expect), each saying which segment and source slice it belongs to.
import type { Geometry } from '../../../shared/geometry';
import type { BitMask } from './bitMask';
import type { NaturalDataset } from '../io/dicomWrite';
import { SEGMENTED, code } from './codes';
import { dicomDateTime } from './derivedUids';
import {
  IMAGE_POSITION_INDEX,
  SEGMENT_NUMBER_INDEX,
  commonInstanceReference,
  derivationImage,
  equipment,
  planePosition,
  sharedGeometryGroups,
  type MultiFrameDerivedArgs,
} from './functionalGroups';
import { patientStudyAttributes } from './studySource';

export const SEGMENTATION_STORAGE = '1.2.840.10008.5.1.4.1.1.66.4';

export interface SegmentInput {
  method: string;
  /** One bit per voxel of the study grid (NIfTI order). */
  mask: BitMask;
  description: string;
}

export interface SegmentationArgs extends MultiFrameDerivedArgs {
  segments: SegmentInput[];
  topPercent: number;
}

/** A stored frame: segment number (1-based) and source slice k. */
export interface SegmentFrame {
  segment: number;
  slice: number;
}

/** The frames to store: every (segment, slice) with at least one voxel; at least one per segment. */
export function segmentFrames(segments: readonly SegmentInput[], geometry: Geometry): SegmentFrame[] {
  const [nx, ny, nz] = geometry.dimensions;
  const frames: SegmentFrame[] = [];
  segments.forEach((s, n) => {
    const before = frames.length;
    for (let k = 0; k < nz; k++) if (s.mask.anyIn(k * nx * ny, (k + 1) * nx * ny)) frames.push({ segment: n + 1, slice: k });
    if (frames.length === before) frames.push({ segment: n + 1, slice: 0 }); // an empty segment still needs a frame to exist
  });
  return frames;
}

/** Packs the frames' pixels one bit each, first pixel in the lowest bit, frames back to back without padding (PS3.5 8.1.1). */
export function packFrames(segments: readonly SegmentInput[], frames: readonly SegmentFrame[], sliceSize: number): Uint8Array {
  const bytes = Math.ceil((frames.length * sliceSize) / 8);
  const out = new Uint8Array(bytes + (bytes % 2)); // even value length
  frames.forEach((f, i) => {
    const mask = segments[f.segment - 1].mask;
    // Slices of a multiple of 8 pixels (512x512) start on a byte in both, and the mask's bits are in
    // this order already: a copy of whole bytes sets the same bits as the loop below, faster.
    if (sliceSize % 8 === 0) {
      const from = (f.slice * sliceSize) / 8;
      out.set(mask.bits.subarray(from, from + sliceSize / 8), (i * sliceSize) / 8);
      return;
    }
    for (let p = 0, src = f.slice * sliceSize, bit = i * sliceSize; p < sliceSize; p++, bit++) if (mask.get(src + p)) out[bit >> 3] |= 1 << (bit & 7);
  });
  return out;
}

export function segmentationDataset(a: SegmentationArgs): NaturalDataset {
  const [nx, ny, nz] = a.geometry.dimensions;
  if (a.segments.length === 0) throw new RangeError('a segmentation needs at least one segment');
  for (const s of a.segments)
    if (s.mask.length !== nx * ny * nz) throw new RangeError(`the ${s.method} region has ${s.mask.length} voxels, the grid ${nx * ny * nz}`);
  if (a.sources.length !== nz) throw new RangeError(`${nz} slices but ${a.sources.length} source images`);
  const { date, time } = dicomDateTime(a.created);
  const frames = segmentFrames(a.segments, a.geometry);
  return {
    SpecificCharacterSet: a.sourceDataset.SpecificCharacterSet ?? 'ISO_IR 100',
    SOPClassUID: SEGMENTATION_STORAGE,
    SOPInstanceUID: a.sopInstanceUid,
    InstanceCreationDate: date,
    InstanceCreationTime: time,
    ...patientStudyAttributes(a.sourceDataset),
    Modality: 'SEG',
    SeriesInstanceUID: a.seriesInstanceUid,
    SeriesNumber: a.seriesNumber,
    SeriesDescription: `Explicare top ${a.topPercent}% saliency regions`.slice(0, 64),
    SeriesDate: date,
    SeriesTime: time,
    FrameOfReferenceUID: a.frameOfReferenceUid,
    PositionReferenceIndicator: '',
    ...equipment(),
    // General Image, Segmentation Image, Content Identification
    ImageType: ['DERIVED', 'PRIMARY'],
    InstanceNumber: a.instanceNumber,
    ContentDate: date,
    ContentTime: time,
    ContentLabel: 'SALIENCY_TOP',
    ContentDescription: `Top ${a.topPercent}% of each explanation map`.slice(0, 64),
    ContentCreatorName: '',
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    PixelRepresentation: 0,
    BitsAllocated: 1,
    BitsStored: 1,
    HighBit: 0,
    LossyImageCompression: '00',
    SegmentationType: 'BINARY',
    Rows: ny,
    Columns: nx,
    NumberOfFrames: frames.length,
    SegmentSequence: a.segments.map((s, n) => ({
      SegmentNumber: n + 1,
      SegmentLabel: `${s.method} top ${a.topPercent}%`.slice(0, 64),
      SegmentDescription: s.description.slice(0, 64),
      SegmentAlgorithmType: 'AUTOMATIC',
      SegmentAlgorithmName: s.method.slice(0, 64),
      SegmentedPropertyCategoryCodeSequence: [code('309825002', 'SCT', 'Spatial and Relational Concept')],
      SegmentedPropertyTypeCodeSequence: [code('111099', 'DCM', 'Selected region')],
    })),
    DimensionOrganizationSequence: [{ DimensionOrganizationUID: a.dimensionOrganizationUid }],
    DimensionIndexSequence: [
      { DimensionOrganizationUID: a.dimensionOrganizationUid, ...SEGMENT_NUMBER_INDEX, DimensionDescriptionLabel: 'Segment Number' },
      { DimensionOrganizationUID: a.dimensionOrganizationUid, ...IMAGE_POSITION_INDEX, DimensionDescriptionLabel: 'Image Position' },
    ],
    SharedFunctionalGroupsSequence: [sharedGeometryGroups(a.geometry)],
    PerFrameFunctionalGroupsSequence: frames.map((f) => ({
      FrameContentSequence: [{ DimensionIndexValues: [f.segment, f.slice + 1] }],
      ...planePosition(a.geometry, f.slice),
      ...derivationImage(a.sources[f.slice], SEGMENTED, `top ${a.topPercent}% of the ${a.segments[f.segment - 1].method} saliency map`),
      SegmentIdentificationSequence: [{ ReferencedSegmentNumber: f.segment }],
    })),
    ...commonInstanceReference(a.sourceSeriesUid, a.sources),
    PixelData: [packFrames(a.segments, frames, nx * ny).buffer],
    _vrMap: { PixelData: 'OB' },
  };
}
