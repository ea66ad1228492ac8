// The report export: reads an explain result and its study, renders the key images, and writes the
// PDF report and/or the DICOM objects (Secondary Capture key images, Parametric Maps, SEG, TID 1500
// SR; optionally anonymized), all or nothing.
import path from 'node:path';
import { regionText, significanceOf, stabilityText } from '../../../shared/significanceText';
import { Engine } from '../engine';
import { dicomBuffer, type NaturalDataset } from '../io/dicomWrite';
import { readNifti } from '../io/nifti';
import { APP_VERSION } from '../version';
import { type Anonymizer, createAnonymizer } from './anonymize';
import { anonymizationSecret } from './anonymizationSecret';
import { refuseBurnedInAnnotation } from './burnedInAnnotation';
import { exportClock } from './exportClock';
import { fitWithin } from './colormap';
import { derivedUid } from './derivedUids';
import { DEFAULT_TOP_PERCENT, stageDerivedObjects } from './dicomObjects';
import { type KeyPoint, type MapVolume, renderKeyImage, sharedKeySlice } from './keyImages';
import { acquiredSliceLabel } from '../../../shared/sliceLabel';
import { DISCLAIMER, type ReportContent, renderPdf } from './pdfReport';
import { type ExplainResult, type MethodResult, ReportError, loadResult, mainMapFile, methodParameters } from './resultFile';
import { secondaryCaptureDataset } from './secondaryCapture';
import { Staging } from './staging';
import { type StudySource, openStudySource, patientStudyAttributes } from './studySource';

/** Key images in the PDF are downscaled to at most this many pixels a side (~300 dpi at print size). */
const PDF_IMAGE_MAX_SIDE = 1000;

export interface ReportOptions {
  /** The study folder (or file) named by the user: scanned to find the series. */
  study: string;
  /** Exactly the series' own files: when given, only these are read (never their folder). */
  studyFiles?: string[];
  results: string;
  out: string;
  pdf: boolean;
  dicom: boolean;
  anonymize: boolean;
  comment?: string;
  /** Anonymized exports leave out the comment and landmark-file names unless this is set. */
  includeFreeText?: boolean;
  /** Anonymized exports of images declaring Burned In Annotation = YES are refused unless this is set. */
  allowBurnedInAnnotation?: boolean;
  /** Existing files in `out` are replaced only when this is set; otherwise the export is refused. */
  overwrite?: boolean;
  /** Ground-truth landmarks to draw instead of the study's own (the user's edits in the app). */
  truthLandmarks?: { pixel: [number, number] }[];
  /** The SEG marks the top `topPercent`% of each map (default 5). */
  topPercent?: number;
  /** Engine cache folder (model library); the study itself is only read. */
  cacheDir: string;
  bundledModelsDir?: string;
  /** Folder of the per-install anonymization secret (default: cacheDir). */
  anonymizationSecretDir?: string;
  now?: Date;
  /** Called after each file is staged, before anything is moved into `out` (tests inject failures here). */
  onStaged?: (name: string) => void | Promise<void>;
}

export interface ReportOutput {
  files: string[];
  keySlices: Record<string, number>;
  elapsedMs: number;
}

interface MethodImage {
  method: string;
  slice: number;
  map: MapVolume;
  /** Set when the map is a significant region: what it shows, in words (SEG segment, captions). */
  region?: string;
}

/** "MUPAX significant evidence for "nodule" (FDR 5%)" when the method reports a significant region. */
function regionDescription(method: string, m: MethodResult): string | undefined {
  const sig = significanceOf(m as Record<string, unknown>);
  if (!sig?.length || (m as { shows?: string }).shows !== 'significant evidence') return undefined;
  const main = sig[sig.length - 1];
  return `${method} significant evidence for "${main.target}": ${regionText(main)}`;
}

/** InstanceNumber (IS) of a naturalized dataset; null when absent or not a number. */
function instanceNumberOf(ds: NaturalDataset): number | null {
  const v = Number(Array.isArray(ds.InstanceNumber) ? ds.InstanceNumber[0] : ds.InstanceNumber);
  return ds.InstanceNumber === undefined || ds.InstanceNumber === '' || !Number.isFinite(v) ? null : v;
}

const personName = (v: unknown): string => {
  const first = Array.isArray(v) ? v[0] : v;
  if (first && typeof first === 'object' && 'Alphabetic' in first) return String((first as { Alphabetic: unknown }).Alphabetic ?? '');
  return first === undefined || first === null ? '' : String(first);
};
const isoDate = (da: unknown) => (typeof da === 'string' && /^\d{8}$/.test(da) ? `${da.slice(0, 4)}-${da.slice(4, 6)}-${da.slice(6, 8)}` : '');

export async function exportReport(o: ReportOptions): Promise<ReportOutput> {
  const started = Date.now();
  if (!o.pdf && !o.dicom) throw new ReportError('nothing to export: ask for the PDF, the DICOM objects, or both');
  const topPercent = o.topPercent ?? DEFAULT_TOP_PERCENT;
  if (!(topPercent > 0 && topPercent <= 100)) throw new ReportError(`the top region must be a percentage above 0 and at most 100, got ${topPercent}`);
  const result = await loadResult(o.results);
  const engine = new Engine({ cacheDir: o.cacheDir, bundledModelsDir: o.bundledModelsDir });
  try {
    const source = await openStudySource(engine, o.studyFiles ?? o.study, result.study.seriesUid, o.study);
    const dims = source.info.geometry.dimensions;
    if (result.study.geometry.dimensions.some((d, i) => d !== dims[i])) throw new ReportError(`result.json describes a ${result.study.geometry.dimensions.join('x')} grid but the series is ${dims.join('x')}`);
    const images: MethodImage[] = [];
    for (const [method, m] of Object.entries(result.methods)) {
      const nii = await readNifti(mainMapFile(o.results, method, m));
      const map = { geometry: nii.geometry, data: nii.data };
      if (nii.data.length !== dims[0] * dims[1] * dims[2]) throw new ReportError(`map of ${method} has ${nii.data.length} voxels, the series ${dims[0] * dims[1] * dims[2]}`);
      images.push({ method, slice: 0, map, region: regionDescription(method, m) });
    }
    // Every method on the same slice, so the key images compare like with like.
    const keySlice = source.info.kind === 'volume' ? sharedKeySlice(images.map((im) => im.map)) : 0;
    for (const im of images) im.slice = keySlice;
    const points: KeyPoint[] = [
      ...(o.truthLandmarks ?? source.truth?.landmarks ?? []).map((p) => ({ pixel: p.pixel, kind: 'truth' as const })),
      ...(result.prediction.landmarks?.points ?? []).map((p) => ({ pixel: p.pixel, kind: 'predicted' as const })),
    ];
    const first = await source.instance(0);
    let anon: Anonymizer | undefined;
    if (o.anonymize) {
      await refuseBurnedInAnnotation({ count: source.info.sopInstanceUids.length, instance: (k) => source.instance(k) }, !!o.allowBurnedInAnnotation);
      anon = createAnonymizer(String(first.dataset.PatientID ?? ''), await anonymizationSecret(o.anonymizationSecretDir ?? o.cacheDir));
    }
    const created = exportClock(!!anon, first.dataset, o.now ?? new Date());
    // Free text (the user's comment, a landmark file's name) may name the patient: not in anonymized output unless asked.
    const freeText = !anon || !!o.includeFreeText;
    const comment = freeText ? o.comment : undefined;
    const staging = await Staging.open(o.out, o.onStaged, !!o.overwrite);
    try {
      if (o.pdf) {
        const content = await reportContent(engine, result, source, images, points, first.dataset, anon, created, comment, freeText);
        await staging.write('report.pdf', await renderPdf(content));
      }
      if (o.dicom) {
        await stageSecondaryCaptures(staging, result, source, images, points, anon, created);
        await stageDerivedObjects({ staging, result, source, maps: images, topPercent, anon, comment, created });
      }
      const files = await staging.commit();
      return { files, keySlices: Object.fromEntries(images.map((i) => [i.method, i.slice])), elapsedMs: Date.now() - started };
    } catch (err) {
      await staging.abort();
      throw err;
    }
  } finally {
    await engine.dispose();
  }
}

function keyImage(source: StudySource, im: MethodImage, points: KeyPoint[], colorbarWidth: number) {
  return renderKeyImage({ voxels: source.voxels, geometry: source.info.geometry, window: source.info.window, map: im.map, slice: im.slice, points: source.info.kind === 'image' ? points : [], colorbarWidth, region: !!im.region });
}

async function stageSecondaryCaptures(staging: Staging, result: ExplainResult, source: StudySource, images: MethodImage[], points: KeyPoint[], anon: Anonymizer | undefined, created: Date) {
  const seriesUid = derivedUid(result.study.seriesUid, result.created, 'key-images');
  for (const [n, im] of images.entries()) {
    const src = await source.instance(im.slice);
    const nx = source.info.geometry.dimensions[0];
    let ds: NaturalDataset = secondaryCaptureDataset({
      image: keyImage(source, im, points, Math.max(8, Math.round(nx / 32))),
      source: src,
      geometry: source.info.geometry,
      seriesInstanceUid: seriesUid,
      sopInstanceUid: derivedUid(result.study.seriesUid, result.created, 'key-image', im.method),
      seriesNumber: 9001,
      instanceNumber: n + 1,
      description: `${im.region ? `${im.region.slice(0, 120)}; colour = z (jet)` : `${im.method} saliency (jet, normalised to its min..max range, shown above 20%)`} on ${source.info.kind === 'volume' ? acquiredSliceLabel(source.info.geometry, im.slice, instanceNumberOf(src.dataset)) : 'the image'}; colour bar at the right edge`,
      created,
    });
    if (anon) ds = anon.dataset(ds);
    await staging.write(path.join('dicom', `SC-${im.method}.dcm`), dicomBuffer(ds));
  }
}

async function reportContent(engine: Engine, result: ExplainResult, source: StudySource, images: MethodImage[], points: KeyPoint[], dataset: NaturalDataset, anon: Anonymizer | undefined, created: Date, comment: string | undefined, freeText: boolean): Promise<ReportContent> {
  const ps = anon ? anon.dataset(patientStudyAttributes(dataset)) : patientStudyAttributes(dataset);
  const uid = (u: string) => (anon ? anon.uid(u) : u);
  const header: [string, string][] = [
    ['Patient name', personName(ps.PatientName).replace(/\^/g, ' ').trim()],
    ['Patient ID', String(ps.PatientID ?? '')],
    ['Birth date', isoDate(ps.PatientBirthDate)],
    ['Sex', String(ps.PatientSex ?? '')],
    ['Study date', isoDate(ps.StudyDate)],
    ['Study description', String(ps.StudyDescription ?? '')],
    ['Accession number', String(ps.AccessionNumber ?? '')],
    ['Study UID', uid(source.info.studyUid)],
    ['Series UID', uid(source.info.seriesUid)],
    ['Modality', `${source.info.modality} (${source.info.geometry.dimensions.join(' x ')} voxels, ${source.info.geometry.spacing.map((s) => Number(s.toFixed(3))).join(' x ')} mm)`],
  ];
  const card = result.model.card?.intendedUse || (await engine.listModels().catch(() => [])).find((m) => m.id === result.model.id)?.card.intendedUse;
  const p = result.prediction;
  const model: [string, string][] = [
    ['Name', result.model.name],
    ['Version', result.model.version],
    ['Package hash (sha256)', result.model.id],
    ['Execution provider', p.provider + (p.gpuNote ? ` (${p.gpuNote})` : '')],
    ['Intended use', card || 'not recorded with the result'],
    // The explain run's real date would betray the date offset as much as the export date.
    ['Results computed', anon ? `by ${result.software} (date not shown in anonymized reports)` : `${result.created} by ${result.software}`],
  ];
  const errs = p.landmarks?.errors;
  const errorOf = new Map((errs?.perLandmark ?? []).map((e) => [e.name, e.errorMm]));
  const spacing = errs ? `${errs.spacingMm.map((s) => s.toFixed(4)).join(' x ')} mm (${errs.spacingSource})` : `${source.info.geometry.spacing.slice(0, 2).map((s) => s.toFixed(4)).join(' x ')} mm (${source.info.pixelSpacingSource})`;
  const landmarks = p.landmarks && {
    rows: p.landmarks.points.map((pt) => {
      const e = errorOf.get(pt.name);
      return [pt.name, pt.abbreviation, `${pt.pixel[0].toFixed(1)}, ${pt.pixel[1].toFixed(1)}`, pt.peak.toFixed(3), e === undefined || e === null ? 'n/a' : e.toFixed(2)];
    }),
    summary: [
      ['Pixel spacing used', spacing],
      ['Ground truth', !p.landmarks.truthSource ? 'none' : freeText ? p.landmarks.truthSource : 'a landmark file (name not shown in anonymized reports)'],
      ['MRE', errs?.meanRadialErrorMm != null ? `${errs.meanRadialErrorMm.toFixed(2)} mm (SD ${errs.stdRadialErrorMm?.toFixed(2)} mm, ${errs.count} landmarks)` : 'n/a (no ground truth)'],
      ['SDR', errs ? errs.successDetectionRate.map((s) => `${s.radiusMm} mm: ${(s.rate * 100).toFixed(1)}%`).join(', ') : 'n/a'],
    ] as [string, string][],
  };
  const g = source.info.geometry;
  const keyImages = [];
  for (const im of images) {
    // The viewer's and the tag panel's numbering (shared/sliceLabel.ts), InstanceNumber from the slice's own file.
    const where = source.info.kind === 'volume' ? acquiredSliceLabel(g, im.slice, instanceNumberOf((await source.instance(im.slice)).dataset)) : '';
    keyImages.push({
      method: im.method,
      caption: (where ? `${im.method}: ${where}` : `${im.method}`) + (im.region ? ' - significant evidence only' : ''),
      image: fitWithin(keyImage(source, im, points, 0), PDF_IMAGE_MAX_SIDE),
    });
  }
  const w = source.info.window;
  return {
    title: 'Explicare explanation report',
    header,
    anonymized: !!anon,
    model,
    classification: p.classification,
    landmarks,
    methods: Object.entries(result.methods).map(([name, m]) => ({
      name,
      parameters: [...methodParameters(m), ['targets', m.targets.join('; ')], ['map files', Object.values(m.files).join(', ')], ['from cache', String(m.fromCache ?? false)]],
    })),
    keyImages,
    keyImageNote:
      (source.info.kind === 'volume' ? 'Every method on the same axial slice: where the methods\' saliency masses, each scaled to its own peak, add up most. ' : 'Green crosses: predicted landmarks; magenta rings: ground truth. ') +
      `Window ${w.center}/${w.width}; saliency normalised to its min..max range, shown (jet, 55% opacity) above 20% of that range.` +
      images.filter((im) => im.region).map((im) => ` ${im.region}: only this region is coloured (colour = z, standard deviations above chance); uncoloured areas show no evidence either way.`).join(''),
    faithfulness: Object.entries(result.methods).flatMap(([method, m]) => (m.metrics ? [{ method, ...m.metrics.faithfulness }] : [])),
    convergence: Object.entries(result.methods).flatMap(([method, m]) => {
      const c = m.convergence as { samples: number; jaccardWithPrevious?: number; splitHalfJaccard?: number }[] | undefined;
      return c && c.length > 1 ? [{ method, samples: c.map((x) => x.samples), previous: c.map((x) => x.jaccardWithPrevious ?? NaN), splitHalf: c.map((x) => x.splitHalfJaccard ?? NaN), summary: stabilityText(m as Record<string, unknown>) ?? '' }] : [];
    }),
    comment,
    created: anon ? undefined : created,
    software: `Explicare ${APP_VERSION}`,
  };
}

export { DISCLAIMER, ReportError };
