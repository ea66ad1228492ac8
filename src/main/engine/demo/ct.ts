// Seeded synthetic chest CT: one CT Image Storage file per axial slice, groundtruth.json with the
// lung nodules, and lesion-mask.nii.gz (lesion labels on the same voxel grid).
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { GroundTruth, Lesion } from '../../../shared/api';
import { type Geometry, indexToPatient, type Mat3, type Vec3, voxelCount } from '../../../shared/geometry';
import { writeDicom } from '../io/dicomWrite';
import { writeNifti } from '../io/nifti';
import { buildChest } from './ctChest';
import { placeLesions } from './ctLesions';
import { renderSlice, sliceBuffers } from './ctSlice';
import { buildStructures } from './ctTubes';
import { commonAttributes, ds, dsList, GENERATOR } from './dicomCommon';
import { writeGroundTruth } from './groundTruth';
import { createRng, gaussianTable } from '../random';
import { demoUid } from './uids';

export interface CtDemoOptions {
  seed: number;
  outDir: string;
  slices?: number;
  rows?: number;
  columns?: number;
  pixelSpacingMm?: number;
  sliceThicknessMm?: number;
  /** 0..3; by default drawn from the seed. */
  lesionCount?: number;
}

export interface CtDemoResult {
  outDir: string;
  /** Slice files in slice order (k = 0 first, the most inferior). */
  files: string[];
  studyUid: string;
  seriesUid: string;
  frameOfReferenceUid: string;
  geometry: Geometry;
  groundTruth: GroundTruth;
  groundTruthFile: string;
  maskFile: string;
}

export const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';
const IDENTITY: Mat3 = [1, 0, 0, 0, 1, 0, 0, 0, 1];

function checkInt(name: string, v: number, lo: number, hi: number): number {
  if (!Number.isInteger(v) || v < lo || v > hi) throw new RangeError(`${name} must be an integer in ${lo}..${hi}, got ${v}`);
  return v;
}

function checkRange(name: string, v: number, lo: number, hi: number): number {
  if (!Number.isFinite(v) || v < lo || v > hi) throw new RangeError(`${name} must be in ${lo}..${hi}, got ${v}`);
  return v;
}

/** Axial grid centred on the patient-space origin (slice k = 0 most inferior). */
export function ctGeometry(columns: number, rows: number, slices: number, pixel: number, thickness: number): Geometry {
  const half = (n: number, s: number): number => -((n - 1) * s) / 2;
  return {
    dimensions: [columns, rows, slices],
    spacing: [pixel, pixel, thickness],
    origin: [half(columns, pixel), half(rows, pixel), half(slices, thickness)],
    direction: IDENTITY,
  };
}

export async function generateCtStudy(opts: CtDemoOptions): Promise<CtDemoResult> {
  const seed = checkInt('seed', opts.seed, 0, 2 ** 31 - 1);
  const slices = checkInt('slices', opts.slices ?? 120, 1, 2000);
  const rows = checkInt('rows', opts.rows ?? 512, 16, 2048);
  const columns = checkInt('columns', opts.columns ?? 512, 16, 2048);
  const pixel = checkRange('pixelSpacingMm', opts.pixelSpacingMm ?? 0.7, 0.1, 10);
  const thickness = checkRange('sliceThicknessMm', opts.sliceThicknessMm ?? 2.5, 0.1, 20);
  const rng = createRng(seed);
  const lesionCount = checkInt('lesionCount', opts.lesionCount ?? rng.fork('lesion-count').int(0, 3), 0, 3);

  const geometry = ctGeometry(columns, rows, slices, pixel, thickness);
  const chest = buildChest(rng.fork('chest'));
  const structures = buildStructures(chest, rng.fork('structures'));
  const placed = placeLesions(chest, rng.fork('lesions'), lesionCount);
  const noise = gaussianTable(rng.fork('noise'), 1 << 20);
  const noiseRng = rng.fork('noise-offsets');

  const outDir = path.resolve(opts.outDir);
  await mkdir(outDir, { recursive: true });
  const studyUid = demoUid(seed, 'ct/study');
  const seriesUid = demoUid(seed, 'ct/series');
  const frameOfReferenceUid = demoUid(seed, 'ct/frame-of-reference');
  const common = commonAttributes({
    seed, kind: 'ct', patientName: 'Demo^Chest CT', studyDescription: 'CT CHEST (synthetic demo)', modality: 'CT',
    sopClassUid: CT_IMAGE_STORAGE,
  });
  const lesions: Lesion[] = placed.map(({ kind, centre, diameterMm }) => ({ kind, centre, diameterMm }));

  const buffers = sliceBuffers(geometry);
  const mask = new Uint8Array(voxelCount(geometry));
  const sliceSize = rows * columns;
  const pixels = new Uint16Array(sliceSize);
  const files: string[] = [];
  for (let k = 0; k < slices; k++) {
    renderSlice(
      { chest, structures, lesions: placed, geometry, k },
      buffers, noise, noiseRng.int(0, noise.length - 1), pixels, mask.subarray(k * sliceSize, (k + 1) * sliceSize),
    );
    const position = indexToPatient(geometry, [0, 0, k]);
    const file = path.join(outDir, `CT${String(k + 1).padStart(4, '0')}.dcm`);
    await writeDicom(file, {
      ...common,
      ...ctSliceAttributes(seed, k, geometry, position, frameOfReferenceUid, lesionCount),
      PixelData: [pixels.buffer],
      _vrMap: { PixelData: 'OW' },
    });
    files.push(file);
  }

  const groundTruth: GroundTruth = { seriesUid, landmarks: [], lesions, source: `${GENERATOR}, seed ${seed}` };
  const groundTruthFile = await writeGroundTruth(outDir, groundTruth);
  const maskFile = path.join(outDir, 'lesion-mask.nii.gz');
  await writeNifti(maskFile, { geometry, data: mask, description: `lesion labels 1..${lesions.length} (groundtruth order)` });
  return { outDir, files, studyUid, seriesUid, frameOfReferenceUid, geometry, groundTruth, groundTruthFile, maskFile };
}

function ctSliceAttributes(seed: number, k: number, g: Geometry, position: Vec3, frameOfReferenceUid: string, lesionCount: number) {
  const [columns, rows] = g.dimensions;
  const fov = Math.max(columns * g.spacing[0], rows * g.spacing[1]);
  return {
    ImageType: ['ORIGINAL', 'PRIMARY', 'AXIAL'],
    SOPInstanceUID: demoUid(seed, `ct/instance/${k}`),
    SeriesDescription: `Chest 1.0 B35f (synthetic, ${lesionCount} nodule${lesionCount === 1 ? '' : 's'})`,
    BodyPartExamined: 'CHEST',
    ProtocolName: 'Thorax routine',
    SliceThickness: ds(g.spacing[2]),
    KVP: '120',
    DataCollectionDiameter: ds(500),
    ReconstructionDiameter: ds(fov),
    GantryDetectorTilt: '0',
    TableHeight: ds(160),
    RotationDirection: 'CW',
    ExposureTime: '500',
    XRayTubeCurrent: '200',
    ConvolutionKernel: 'B35f',
    PatientPosition: 'HFS',
    AcquisitionNumber: 1,
    InstanceNumber: k + 1,
    ImagePositionPatient: dsList(position),
    ImageOrientationPatient: dsList(g.direction.slice(0, 6)),
    FrameOfReferenceUID: frameOfReferenceUid,
    PositionReferenceIndicator: 'SN',
    SliceLocation: ds(position[2]),
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: rows,
    Columns: columns,
    PixelSpacing: dsList([g.spacing[1], g.spacing[0]]),
    // 12-bit unsigned with intercept -1024: the classic CT encoding (-1024..3071 HU).
    BitsAllocated: 16,
    BitsStored: 12,
    HighBit: 11,
    PixelRepresentation: 0,
    WindowCenter: dsList([-600, 40]),
    WindowWidth: dsList([1500, 400]),
    WindowCenterWidthExplanation: ['LUNG', 'MEDIASTINUM'],
    RescaleIntercept: '-1024',
    RescaleSlope: '1',
    RescaleType: 'HU',
    BurnedInAnnotation: 'NO',
  };
}
