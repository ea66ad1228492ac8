// Seeded synthetic lateral cephalogram: ceph.dcm (Digital X-Ray Image Storage - For Presentation),
// groundtruth.json with the 19 ISBI landmarks and landmarks.txt ("x,y" per line, ISBI style).
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { GroundTruth, Landmark } from '../../../shared/api';
import { type Geometry, indexToPatient } from '../../../shared/geometry';
import { ISBI_LANDMARKS, ISBI_PIXEL_SPACING_MM } from '../../../shared/landmarks';
import { writeFileAtomic } from '../io/atomic';
import { writeDicom } from '../io/dicomWrite';
import { buildAnatomy } from './cephAnatomy';
import { renderCeph } from './cephRender';
import { type Skeleton, sampleParams, solveSkeleton } from './cephSkeleton';
import { commonAttributes, ds, dsList, GENERATOR } from './dicomCommon';
import { writeGroundTruth } from './groundTruth';
import type { P2 } from './plane';
import { createRng } from '../random';
import { demoUid } from './uids';

export interface CephDemoOptions {
  seed: number;
  outDir: string;
  columns?: number;
  rows?: number;
}

export interface CephDemoResult {
  outDir: string;
  file: string;
  studyUid: string;
  seriesUid: string;
  /** 2D image as a one-slice geometry, 0.1 mm pixels; landmark patient coordinates use it. */
  geometry: Geometry;
  groundTruth: GroundTruth;
  groundTruthFile: string;
  landmarksFile: string;
}

export const DX_FOR_PRESENTATION = '1.2.840.10008.5.1.4.1.1.1.1';

function drawSkeleton(seed: number): Skeleton {
  for (let attempt = 0; attempt < 1000; attempt++) {
    const skeleton = solveSkeleton(sampleParams(createRng(seed).fork(`ceph-${attempt}`)));
    if (skeleton) return skeleton;
  }
  throw new Error(`no plausible skull for seed ${seed}`);
}

/**
 * The skull of a seed and where it lands on the image: cheap (no rendering), so tools and tests
 * can check landmarks over many seeds. `rng` must be the image stream of generateCeph.
 */
export function planCeph(seed: number, columns: number, rows: number, rng = createRng(seed).fork('ceph-image')) {
  const anatomy = buildAnatomy(drawSkeleton(seed));
  // Head frame (mm) -> pixels: a similarity with seeded head tilt and position; sella lands
  // near where it sits in the ISBI images (about 40% across and down).
  const pxPerMm = rng.clampedGaussian(1, 0.035, 0.92, 1.06) / ISBI_PIXEL_SPACING_MM;
  const tilt = (rng.clampedGaussian(0, 3, -7, 7) * Math.PI) / 180;
  const sella: P2 = [columns * 0.39 + rng.uniform(-40, 40), rows * 0.41 + rng.uniform(-40, 40)];
  const [cos, sin] = [Math.cos(tilt), Math.sin(tilt)];
  const toPixel = (p: P2): P2 => [sella[0] + pxPerMm * (cos * p[0] - sin * p[1]), sella[1] + pxPerMm * (sin * p[0] + cos * p[1])];
  return { anatomy, toPixel, pxPerMm, landmarksPx: anatomy.landmarks.map(toPixel) };
}

export async function generateCeph(opts: CephDemoOptions): Promise<CephDemoResult> {
  const { seed } = opts;
  if (!Number.isInteger(seed) || seed < 0 || seed > 2 ** 31 - 1) throw new RangeError(`seed must be an integer in 0..${2 ** 31 - 1}, got ${seed}`);
  const columns = opts.columns ?? 1935;
  const rows = opts.rows ?? 2400;
  for (const [name, v] of [['columns', columns], ['rows', rows]] as const) {
    if (!Number.isInteger(v) || v < 256 || v > 8192) throw new RangeError(`${name} must be an integer in 256..8192, got ${v}`);
  }
  const rng = createRng(seed).fork('ceph-image');
  const { anatomy, toPixel, pxPerMm } = planCeph(seed, columns, rows, rng);
  const pixels = renderCeph(anatomy.shapes, toPixel, pxPerMm, { width: columns, height: rows }, rng);

  const geometry: Geometry = {
    dimensions: [columns, rows, 1],
    spacing: [ISBI_PIXEL_SPACING_MM, ISBI_PIXEL_SPACING_MM, 1],
    origin: [0, 0, 0],
    direction: [1, 0, 0, 0, 1, 0, 0, 0, 1],
  };
  const landmarks: Landmark[] = anatomy.landmarks.map((p, i) => {
    const [col, row] = toPixel(p).map((v) => Math.round(v * 10) / 10) as P2;
    return {
      ...ISBI_LANDMARKS[i],
      pixel: [col, row],
      patient: indexToPatient(geometry, [col, row, 0]).map((v) => Math.round(v * 1000) / 1000) as [number, number, number],
    };
  });

  const outDir = path.resolve(opts.outDir);
  await mkdir(outDir, { recursive: true });
  const studyUid = demoUid(seed, 'ceph/study');
  const seriesUid = demoUid(seed, 'ceph/series');
  const file = path.join(outDir, 'ceph.dcm');
  await writeDicom(file, {
    ...commonAttributes({
      seed, kind: 'ceph', patientName: 'Demo^Ceph', studyDescription: 'Lateral cephalogram (synthetic demo)', modality: 'DX',
      sopClassUid: DX_FOR_PRESENTATION,
    }),
    ...dxAttributes(seed, columns, rows),
    PixelData: [pixels.buffer],
    _vrMap: { PixelData: 'OW' },
  });
  const groundTruth: GroundTruth = { seriesUid, landmarks, lesions: [], source: `${GENERATOR}, seed ${seed}` };
  const groundTruthFile = await writeGroundTruth(outDir, groundTruth);
  const landmarksFile = path.join(outDir, 'landmarks.txt');
  await writeFileAtomic(landmarksFile, landmarks.map((l) => `${Math.round(l.pixel[0])},${Math.round(l.pixel[1])}`).join('\n') + '\n');
  return { outDir, file, studyUid, seriesUid, geometry, groundTruth, groundTruthFile, landmarksFile };
}

function dxAttributes(seed: number, columns: number, rows: number) {
  return {
    ImageType: ['ORIGINAL', 'PRIMARY'],
    SOPInstanceUID: demoUid(seed, 'ceph/instance'),
    SeriesDescription: 'Lateral cephalogram (synthetic)',
    BodyPartExamined: 'SKULL',
    PresentationIntentType: 'FOR PRESENTATION',
    InstanceNumber: 1,
    // Face to the image's right, head up: columns run posterior -> anterior, rows head -> feet.
    PatientOrientation: ['A', 'F'],
    ImageLaterality: 'U',
    ViewPosition: 'LL',
    ViewCodeSequence: [{ CodeValue: '399173006', CodingSchemeDesignator: 'SCT', CodeMeaning: 'left lateral' }],
    PositionerType: 'CEPHALOSTAT',
    AnatomicRegionSequence: [{ CodeValue: '69536005', CodingSchemeDesignator: 'SCT', CodeMeaning: 'Head' }],
    AcquisitionContextSequence: [],
    KVP: '80',
    ExposureTime: '500',
    XRayTubeCurrent: '10',
    DetectorType: 'SCINTILLATOR',
    DetectorConfiguration: 'AREA',
    DetectorID: 'EXPLICARE-CEPH',
    ImagerPixelSpacing: dsList([ISBI_PIXEL_SPACING_MM, ISBI_PIXEL_SPACING_MM]),
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: rows,
    Columns: columns,
    BitsAllocated: 16,
    BitsStored: 12,
    HighBit: 11,
    PixelRepresentation: 0,
    PixelIntensityRelationship: 'LOG',
    PixelIntensityRelationshipSign: -1, // brighter = more attenuation (less beam)
    RescaleIntercept: '0',
    RescaleSlope: '1',
    RescaleType: 'US',
    PresentationLUTShape: 'IDENTITY',
    WindowCenter: ds(2000),
    WindowWidth: ds(3800),
    LossyImageCompression: '00',
    BurnedInAnnotation: 'NO',
  };
}
