// The DICOM objects beyond the key images: a Parametric Map per method, one SEG with the top-k%
// region of every method, and a TID 1500 Structured Report, each in its own new series of the
// source study (a series has one modality), anonymized like every export and staged with the rest.
import path from 'node:path';
import { type NaturalDataset, dicomBuffer } from '../io/dicomWrite';
import type { Anonymizer } from './anonymize';
import { derivedUid } from './derivedUids';
import type { SourceImage } from './functionalGroups';
import type { HeldMap } from './mapPass';
import { writeParametricMap } from './parametricMapFile';
import type { ExplainResult } from './resultFile';
import { segmentationDataset } from './segmentation';
import type { Staging } from './staging';
import { structuredReportDataset } from './structuredReport';
import type { StudySource } from './studySource';

export const DEFAULT_TOP_PERCENT = 5;

export const SERIES_NUMBERS = { parametricMap: 9002, segmentation: 9003, structuredReport: 9004 } as const;

export interface DerivedObjectsArgs {
  staging: Staging;
  result: ExplainResult;
  source: StudySource;
  /**
   * Each method's map as mapPass.ts holds it (with its SEG region and value range), released once
   * its Parametric Map is written; region: the map is a significant region (z inside, 0 outside).
   */
  maps: { method: string; held: HeldMap; region?: string }[];
  topPercent: number;
  anon?: Anonymizer;
  comment?: string;
  created: Date;
  /** Throws once the user cancelled; asked before each object and each Parametric Map slice. */
  check?: () => void;
}

export async function stageDerivedObjects(a: DerivedObjectsArgs): Promise<void> {
  const { result, source } = a;
  const g = source.info.geometry;
  const nz = g.dimensions[2];
  const instances = [];
  for (let k = 0; k < nz; k++) instances.push(await source.instance(k));
  const sources: SourceImage[] = instances.map((i) => ({ sopClassUid: i.sopClassUid, sopInstanceUid: i.sopInstanceUid }));
  const first = instances[0].dataset;
  const uid = (...purpose: string[]) => derivedUid(result.study.seriesUid, result.created, ...purpose);
  // Projection images (the cephalogram) have no frame of reference; the derived objects get one
  // of their own: the X-ray's pixel plane, with the geometry the engine gives it.
  const frameOfReferenceUid =
    typeof first.FrameOfReferenceUID === 'string' && first.FrameOfReferenceUID ? first.FrameOfReferenceUID : uid('frame-of-reference');
  const common = { geometry: g, sources, sourceDataset: first, sourceSeriesUid: result.study.seriesUid, frameOfReferenceUid, created: a.created };
  const write = async (name: string, ds: NaturalDataset) => a.staging.write(path.join('dicom', name), dicomBuffer(a.anon ? a.anon.dataset(ds) : ds));

  const finish = (ds: NaturalDataset) => (a.anon ? a.anon.dataset(ds) : ds);
  for (const [n, { method, held, region }] of a.maps.entries()) {
    const dicom = held.dicom;
    if (!dicom) throw new Error(`the ${method} map was held without its DICOM summary`);
    // Streamed to disk slice by slice: a study-sized map is never copied.
    await a.staging.writeWith(path.join('dicom', `PM-${method}.dcm`), (file) =>
      writeParametricMap(
        file,
        {
          ...common,
          method,
          seriesInstanceUid: uid('parametric-maps'),
          sopInstanceUid: uid('parametric-map', method),
          dimensionOrganizationUid: uid('parametric-map-dimensions', method),
          seriesNumber: SERIES_NUMBERS.parametricMap,
          instanceNumber: n + 1,
          description: region ? `${method} significant evidence (z inside the FDR region, 0 outside) on the study grid` : `${method} saliency on the study grid`,
        },
        { range: dicom.range, slice: (k) => held.slice(k), check: a.check },
        finish,
      ),
    );
    await held.release();
  }

  // One bit per voxel (bitMask.ts), made by mapPass.ts while the map was loaded.
  const segments = a.maps.map(({ method, held, region }) => ({
    method,
    mask: held.dicom!.mask,
    description: region || `Top ${a.topPercent}% of the ${method} saliency map`,
  }));
  await write(
    'SEG-top-regions.dcm',
    segmentationDataset({
      ...common,
      segments,
      topPercent: a.topPercent,
      seriesInstanceUid: uid('segmentation-series'),
      sopInstanceUid: uid('segmentation'),
      dimensionOrganizationUid: uid('segmentation-dimensions'),
      seriesNumber: SERIES_NUMBERS.segmentation,
      instanceNumber: 1,
    }),
  );

  const truth = new Map((source.truth?.landmarks ?? []).map((l) => [l.name, l.pixel] as [string, [number, number]]));
  const voxelSize = nz > 1 ? g.spacing[0] * g.spacing[1] * g.spacing[2] : g.spacing[0] * g.spacing[1];
  await write(
    'SR-measurement-report.dcm',
    structuredReportDataset({
      result,
      methods: segments.map((s) => ({ method: s.method, regionVoxels: s.mask.count(), voxelSize })),
      topPercent: a.topPercent,
      isProjection: source.info.kind === 'image',
      sources,
      sourceDataset: first,
      sourceStudyUid: source.info.studyUid,
      sourceSeriesUid: result.study.seriesUid,
      truth,
      seriesInstanceUid: uid('structured-report-series'),
      sopInstanceUid: uid('structured-report'),
      uid: (purpose) => uid('structured-report', purpose),
      seriesNumber: SERIES_NUMBERS.structuredReport,
      instanceNumber: 1,
      comment: a.comment,
      created: a.created,
    }),
  );
}
