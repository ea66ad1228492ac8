// Metadata provider for the volumes we build locally. cornerstone3D asks the metadata registry for
// DICOM modules by image id (viewports, VOI defaults, tools, calibration); without answers stack
// viewports throw and volume tools lose the frame of reference. createLocalVolume also registers
// its own imagePlaneModule for each slice, but with the volume origin for every slice and no frame
// of reference, so this provider is registered with a higher priority and wins.
import { metaData, type Types } from '@cornerstonejs/core';
import type { VolumeInfo, VoxelType } from '../../shared/api';
import { axis, indexToPatient } from '../../shared/geometry';

interface SliceRef {
  info: VolumeInfo;
  k: number;
}

const slices = new Map<string, SliceRef>();

/** Above cornerstone's generic provider (priority 0), so our per-slice geometry is the one used. */
const PRIORITY = 1000;

const PIXEL_FORMAT: Record<VoxelType, { bits: number; signed: 0 | 1 }> = {
  uint8: { bits: 8, signed: 0 },
  int16: { bits: 16, signed: 1 },
  uint16: { bits: 16, signed: 0 },
  float32: { bits: 32, signed: 1 },
};

const SOP_CLASS: Record<string, string> = {
  CT: '1.2.840.10008.5.1.4.1.1.2',
  MR: '1.2.840.10008.5.1.4.1.1.4',
  DX: '1.2.840.10008.5.1.4.1.1.1.1',
  CR: '1.2.840.10008.5.1.4.1.1.1',
};
const SECONDARY_CAPTURE = '1.2.840.10008.5.1.4.1.1.7';

/**
 * Annotations and crosshairs are keyed by frame of reference; DX/CR often have none, and two such
 * images must not share measurements, so those get one of their own.
 */
export function frameOfReferenceOf(info: VolumeInfo): string {
  return info.frameOfReferenceUid || `explicare-for:${info.seriesUid}`;
}

/** Makes the slices of one volume answerable; imageIds[k] is slice k of info.geometry. */
export function registerSliceMetadata(info: VolumeInfo, imageIds: readonly string[]): void {
  imageIds.forEach((imageId, k) => slices.set(imageId, { info, k }));
}

export function unregisterSliceMetadata(imageIds: readonly string[]): void {
  for (const imageId of imageIds) slices.delete(imageId);
}

/** Metadata of the whole volume in the shape createLocalVolume keeps (Types.Metadata). */
export function volumeMetadata(info: VolumeInfo): Types.Metadata {
  const g = info.geometry;
  const { bits, signed } = PIXEL_FORMAT[info.voxelType];
  return {
    BitsAllocated: bits,
    BitsStored: bits,
    SamplesPerPixel: 1,
    HighBit: bits - 1,
    PhotometricInterpretation: 'MONOCHROME2',
    PixelRepresentation: signed,
    Modality: info.modality,
    SeriesInstanceUID: info.seriesUid,
    ImageOrientationPatient: g.direction.slice(0, 6),
    PixelSpacing: [g.spacing[1], g.spacing[0]],
    FrameOfReferenceUID: frameOfReferenceOf(info),
    Columns: g.dimensions[0],
    Rows: g.dimensions[1],
    voiLut: [{ windowCenter: info.window.center, windowWidth: info.window.width }],
    VOILUTFunction: 'LINEAR',
  };
}

function imagePlaneModule({ info, k }: SliceRef) {
  const g = info.geometry;
  const rowCosines = axis(g.direction, 0);
  const columnCosines = axis(g.direction, 1);
  const position = indexToPatient(g, [0, 0, k]);
  return {
    frameOfReferenceUID: frameOfReferenceOf(info),
    rows: g.dimensions[1],
    columns: g.dimensions[0],
    imageOrientationPatient: [...rowCosines, ...columnCosines],
    rowCosines,
    columnCosines,
    imagePositionPatient: position,
    sliceThickness: g.spacing[2],
    // Position along the slice normal, the quantity DICOM SliceLocation approximates.
    sliceLocation: position[0] * g.direction[6] + position[1] * g.direction[7] + position[2] * g.direction[8],
    // DICOM order: [between rows, between columns]; geometry.spacing is [columns, rows, slices].
    pixelSpacing: [g.spacing[1], g.spacing[0]],
    rowPixelSpacing: g.spacing[1],
    columnPixelSpacing: g.spacing[0],
    usingDefaultValues: false,
  };
}

function moduleFor(type: string, ref: SliceRef): unknown {
  const { info, k } = ref;
  const g = info.geometry;
  const { bits, signed } = PIXEL_FORMAT[info.voxelType];
  const sopInstanceUID = info.sopInstanceUids[k] ?? info.sopInstanceUids[0] ?? '';
  switch (type) {
    case 'generalSeriesModule':
      return {
        modality: info.modality,
        seriesInstanceUID: info.seriesUid,
        studyInstanceUID: info.studyUid,
        seriesNumber: 0,
        seriesDate: '',
        seriesTime: '',
      };
    case 'generalStudyModule':
      return { studyInstanceUID: info.studyUid };
    case 'imagePlaneModule':
      return imagePlaneModule(ref);
    case 'imagePixelModule':
      return {
        samplesPerPixel: 1,
        // The engine stores MONOCHROME1 inverted, so everything is displayed as MONOCHROME2.
        photometricInterpretation: 'MONOCHROME2',
        rows: g.dimensions[1],
        columns: g.dimensions[0],
        bitsAllocated: bits,
        bitsStored: bits,
        highBit: bits - 1,
        pixelRepresentation: signed,
        planarConfiguration: 0,
        pixelAspectRatio: '1',
        smallestPixelValue: info.range.min,
        largestPixelValue: info.range.max,
      };
    case 'voiLutModule':
      return {
        windowCenter: [info.window.center],
        windowWidth: [info.window.width],
        voiLUTFunction: 'LINEAR',
      };
    case 'modalityLutModule':
      // The engine already applied rescale slope/intercept: stored values are the final values.
      return { rescaleSlope: 1, rescaleIntercept: 0, rescaleType: info.unit === 'HU' ? 'HU' : 'US' };
    case 'generalImageModule':
      return { instanceNumber: k + 1, lossyImageCompression: '00', imageType: ['DERIVED', 'SECONDARY'] };
    case 'sopCommonModule':
      return { sopClassUID: SOP_CLASS[info.modality] ?? SECONDARY_CAPTURE, sopInstanceUID };
    default:
      return undefined;
  }
}

function provider(type: string, ...query: string[]): unknown {
  const imageId = query[0];
  const ref = imageId === undefined ? undefined : slices.get(imageId);
  return ref ? moduleFor(type, ref) : undefined;
}

let registered = false;

export function registerMetadataProvider(): void {
  if (registered) return;
  metaData.addProvider(provider, PRIORITY);
  registered = true;
}
