// The report export: from an explain result and its series held in memory (exportInput.ts), renders
// the key images and writes the PDF report and/or the DICOM objects (Secondary Capture key images,
// Parametric Maps, SEG, TID 1500 SR; optionally anonymized), all or nothing.
import { type ExecutionProvider, PROVIDER_LABELS } from '../../../shared/executionProviders';
import { SANITY_VERDICT_WORDS, type SanityReport } from '../../../shared/sanity';
import path from 'node:path';
import { regionText, significanceOf, stabilityText } from '../../../shared/significanceText';
import type { SensitivityFigure } from '../../../shared/sensitivityText';
import { dicomBuffer, type NaturalDataset } from '../io/dicomWrite';
import { APP_VERSION } from '../version';
import { type Anonymizer, createAnonymizer } from './anonymize';
import { anonymizationSecret } from './anonymizationSecret';
import { refuseBurnedInAnnotation } from './burnedInAnnotation';
import { exportClock } from './exportClock';
import { type ExportStep, ExportTracker, plannedFiles } from './exportTracker';
import { fitWithin, type RgbImage } from './rgbImage';
import { derivedUid } from './derivedUids';
import { DEFAULT_TOP_PERCENT, stageDerivedObjects } from './dicomObjects';
import { type KeyPoint, renderKeySlice, sharedKeySliceOf } from './keyImages';
import { type HeldMap, MapScratch, passOverMaps } from './mapPass';
import type { OverlayScale } from '../../../shared/overlayScale';
import { acquiredSliceLabel } from '../../../shared/sliceLabel';
import { DISCLAIMER, type ReportContent, renderPdf } from './pdfReport';
import type { ColormapName } from '../../../shared/colormaps';
import type { ExportInput, ExportOptions } from './exportInput';
import { type ExplainResult, type MethodResult, ReportError, methodParameters } from './resultFile';
import { secondaryCaptureDataset } from './secondaryCapture';
import { Staging } from './staging';
import { type StudySource, patientStudyAttributes, studySource } from './studySource';

/** Key images in the PDF are downscaled to at most this many pixels a side (~300 dpi at print size). */
const PDF_IMAGE_MAX_SIDE = 1000;

export interface ReportOutput {
  files: string[];
  keySlices: Record<string, number>;
  elapsedMs: number;
}

/** The key images' colour map unless the export names one (the viewer's choice, when the app sends it). */
export const DEFAULT_REPORT_COLORMAP: ColormapName = 'jet';

/** The methods' key images, drawn alike: one slice, one colour map, the same landmarks. */
interface KeyImageSet {
  images: MethodImage[];
  colormap: ColormapName;
  draw(im: MethodImage, colorbarWidth: number): RgbImage;
}

interface MethodImage {
  method: string;
  slice: number;
  /** The map's values on `slice` and its colour range: all the key images need of a map. */
  pixels: ArrayLike<number>;
  scale: OverlayScale;
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

/** Refuses options that ask for nothing or an impossible region; returns the SEG's top percentage. */
export function checkExportOptions(o: Pick<ExportOptions, 'pdf' | 'dicom' | 'topPercent'>): number {
  if (!o.pdf && !o.dicom) throw new ReportError('nothing to export: ask for the PDF, the DICOM objects, or both');
  const topPercent = o.topPercent ?? DEFAULT_TOP_PERCENT;
  if (!(topPercent > 0 && topPercent <= 100)) throw new ReportError(`the top region must be a percentage above 0 and at most 100, got ${topPercent}`);
  return topPercent;
}

/** Who watches an export (the app's progress display) and may stop it before its files are moved. */
export interface ExportTracking {
  onProgress?: (s: ExportStep) => void;
  /** Aborted: the export stops before its next object and writes nothing (ExportCancelled). */
  signal?: AbortSignal;
}

export async function exportReport(input: ExportInput, o: ExportOptions & ExportTracking): Promise<ReportOutput> {
  const started = Date.now();
  const topPercent = checkExportOptions(o);
  const { result } = input;
  const source = studySource(input.series);
  const methods = Object.entries(result.methods).map(([method, m]) => {
    const map = input.maps.get(method);
    if (!map) throw new ReportError(`no map of ${method} to export`);
    return { method, source: map, region: regionDescription(method, m) };
  });
  const points: KeyPoint[] = [
    ...(o.truthLandmarks ?? source.truth?.landmarks ?? []).map((p) => ({ pixel: p.pixel, kind: 'truth' as const })),
    ...(result.prediction.landmarks?.points ?? []).map((p) => ({ pixel: p.pixel, kind: 'predicted' as const })),
  ];
  const colormap = o.colormap ?? DEFAULT_REPORT_COLORMAP;
  const first = await source.instance(0);
  let anon: Anonymizer | undefined;
  if (o.anonymize) {
    await refuseBurnedInAnnotation({ count: source.info.sopInstanceUids.length, instance: (k) => source.instance(k) }, !!o.allowBurnedInAnnotation);
    anon = createAnonymizer(String(first.dataset.PatientID ?? ''), await anonymizationSecret(o.anonymizationSecretDir));
  }
  const created = exportClock(!!anon, first.dataset, o.now ?? new Date());
  // Free text (the user's comment, a landmark file's name) may name the patient: not in anonymized output unless asked.
  const freeText = !anon || !!o.includeFreeText;
  const comment = freeText ? o.comment : undefined;
  const tracker = new ExportTracker(plannedFiles(methods.map((m) => m.method), o.pdf, o.dicom), o.onProgress ?? (() => undefined), o.signal);
  const staging = await Staging.open(o.out, o.onStaged, !!o.overwrite);
  tracker.watch(staging);
  let scratch: MapScratch | undefined;
  let held: HeldMap[] = [];
  try {
    tracker.start();
    // Each map is loaded once, alone (mapPass.ts): what the objects need of it is kept, the map parked.
    scratch = await MapScratch.open(o.out);
    held = await passOverMaps({
      maps: methods.map((m) => ({ method: m.method, source: m.source, region: !!m.region })),
      study: source.info.geometry,
      dicom: o.dicom,
      topPercent,
      scratch,
      check: () => tracker.check(),
    });
    // Every method on the same slice, so the key images compare like with like.
    const keySlice = source.info.kind === 'volume' ? sharedKeySliceOf(held.map((h) => h.masses)) : 0;
    const images: MethodImage[] = [];
    for (const [n, h] of held.entries())
      images.push({ method: h.method, slice: keySlice, pixels: await h.slice(keySlice), scale: h.scale, region: methods[n].region });
    const keyImages: KeyImageSet = {
      images,
      colormap,
      draw: (im, colorbarWidth) =>
        renderKeySlice({
          voxels: source.voxels,
          geometry: source.info.geometry,
          window: source.info.window,
          mapSlice: im.pixels,
          scale: im.scale,
          slice: im.slice,
          points: source.info.kind === 'image' ? points : [],
          colorbarWidth,
          colormap,
        }),
    };
    if (o.pdf) {
      const content = await reportContent(result, source, keyImages, first.dataset, anon, created, comment, freeText);
      await staging.write('report.pdf', await renderPdf(content));
    }
    if (o.dicom) {
      await stageSecondaryCaptures(staging, result, source, keyImages, anon, created);
      const maps = images.map((im, n) => ({ method: im.method, held: held[n], region: im.region }));
      await stageDerivedObjects({ staging, result, source, maps, topPercent, anon, comment, created, check: () => tracker.check() });
    }
    tracker.commit();
    const files = await staging.commit();
    return { files, keySlices: Object.fromEntries(images.map((i) => [i.method, i.slice])), elapsedMs: Date.now() - started };
  } catch (err) {
    await staging.abort();
    throw err;
  } finally {
    for (const h of held) await h.release();
    await scratch?.close();
  }
}

async function stageSecondaryCaptures(
  staging: Staging,
  result: ExplainResult,
  source: StudySource,
  keyImages: KeyImageSet,
  anon: Anonymizer | undefined,
  created: Date,
) {
  const seriesUid = derivedUid(result.study.seriesUid, result.created, 'key-images');
  for (const [n, im] of keyImages.images.entries()) {
    const src = await source.instance(im.slice);
    const nx = source.info.geometry.dimensions[0];
    let ds: NaturalDataset = secondaryCaptureDataset({
      image: keyImages.draw(im, Math.max(8, Math.round(nx / 32))),
      source: src,
      geometry: source.info.geometry,
      seriesInstanceUid: seriesUid,
      sopInstanceUid: derivedUid(result.study.seriesUid, result.created, 'key-image', im.method),
      seriesNumber: 9001,
      instanceNumber: n + 1,
      description: `${im.region ? `${im.region.slice(0, 120)}; colour = z (${keyImages.colormap})` : `${im.method} saliency (${keyImages.colormap}, normalised to its min..max range, shown above 20%)`} on ${source.info.kind === 'volume' ? acquiredSliceLabel(source.info.geometry, im.slice, instanceNumberOf(src.dataset)) : 'the image'}; colour bar at the right edge`,
      created,
    });
    if (anon) ds = anon.dataset(ds);
    await staging.write(path.join('dicom', `SC-${im.method}.dcm`), dicomBuffer(ds));
  }
}

async function reportContent(
  result: ExplainResult,
  source: StudySource,
  { images, colormap, draw }: KeyImageSet,
  dataset: NaturalDataset,
  anon: Anonymizer | undefined,
  created: Date,
  comment: string | undefined,
  freeText: boolean,
): Promise<ReportContent> {
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
    [
      'Modality',
      `${source.info.modality} (${source.info.geometry.dimensions.join(' x ')} voxels, ${source.info.geometry.spacing.map((s) => Number(s.toFixed(3))).join(' x ')} mm)`,
    ],
  ];
  const card = result.model.card?.intendedUse;
  const p = result.prediction;
  const model: [string, string][] = [
    ['Name', result.model.name],
    ['Version', result.model.version],
    ['Package hash (sha256)', result.model.id],
    ['Execution provider', (PROVIDER_LABELS[p.provider as ExecutionProvider] ?? p.provider) + (p.gpuNote ? ` (${p.gpuNote})` : '')],
    ['Intended use', card || 'not recorded with the result'],
    // The explain run's real date would betray the date offset as much as the export date.
    ['Results computed', anon ? `by ${result.software} (date not shown in anonymized reports)` : `${result.created} by ${result.software}`],
  ];
  const errs = p.landmarks?.errors;
  const errorOf = new Map((errs?.perLandmark ?? []).map((e) => [e.name, e.errorMm]));
  const spacing = errs
    ? `${errs.spacingMm.map((s) => s.toFixed(4)).join(' x ')} mm (${errs.spacingSource})`
    : `${source.info.geometry.spacing
        .slice(0, 2)
        .map((s) => s.toFixed(4))
        .join(' x ')} mm (${source.info.pixelSpacingSource})`;
  const landmarks = p.landmarks && {
    rows: p.landmarks.points.map((pt) => {
      const e = errorOf.get(pt.name);
      return [
        pt.name,
        pt.abbreviation,
        `${pt.pixel[0].toFixed(1)}, ${pt.pixel[1].toFixed(1)}`,
        pt.peak.toFixed(3),
        e === undefined || e === null ? 'n/a' : e.toFixed(2),
      ];
    }),
    summary: [
      ['Pixel spacing used', spacing],
      ['Ground truth', !p.landmarks.truthSource ? 'none' : freeText ? p.landmarks.truthSource : 'a landmark file (name not shown in anonymized reports)'],
      [
        'MRE',
        errs?.meanRadialErrorMm != null
          ? `${errs.meanRadialErrorMm.toFixed(2)} mm (SD ${errs.stdRadialErrorMm?.toFixed(2)} mm, ${errs.count} landmarks)`
          : 'n/a (no ground truth)',
      ],
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
      image: fitWithin(draw(im, 0), PDF_IMAGE_MAX_SIDE),
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
      // An app export writes no map files: the row names only files that exist beside result.json.
      parameters: [...methodParameters(m), ['targets', m.targets.join('; ')], ...mapFilesRow(m), ['from cache', String(m.fromCache ?? false)], ...sanityRow(m)],
    })),
    keyImages,
    colormap,
    keyImageNote:
      (source.info.kind === 'volume'
        ? "Every method on the same axial slice: where the methods' saliency masses, each scaled to its own peak, add up most. "
        : 'Green crosses: predicted landmarks; magenta rings: ground truth. ') +
      `Window ${w.center}/${w.width}; saliency normalised to its min..max range, shown (${colormap}, 55% opacity) above 20% of that range.` +
      images
        .filter((im) => im.region)
        .map(
          (im) => ` ${im.region}: only this region is coloured (colour = z, standard deviations above chance); uncoloured areas show no evidence either way.`,
        )
        .join(''),
    faithfulness: Object.entries(result.methods).flatMap(([method, m]) =>
      m.metrics ? [{ method, ...m.metrics.faithfulness, ...sensitivityFigure(m.metrics.maxSensitivity) }] : [],
    ),
    convergence: Object.entries(result.methods).flatMap(([method, m]) => {
      const c = m.convergence as { samples: number; jaccardWithPrevious?: number; splitHalfJaccard?: number }[] | undefined;
      return c && c.length > 1
        ? [
            {
              method,
              samples: c.map((x) => x.samples),
              previous: c.map((x) => x.jaccardWithPrevious ?? NaN),
              splitHalf: c.map((x) => x.splitHalfJaccard ?? NaN),
              summary: stabilityText(m as Record<string, unknown>) ?? '',
            },
          ]
        : [];
    }),
    comment,
    created: anon ? undefined : created,
    software: `Explicare ${APP_VERSION}`,
  };
}

/** The model-parameter randomization test, when one ran on this map (docs/sanity.md). */
/** result.json's max-sensitivity, when it was measured and reads as one (an older or edited file may carry anything). */
function sensitivityFigure(raw: unknown): { maxSensitivity?: SensitivityFigure } {
  const s = raw as Partial<SensitivityFigure> | null | undefined;
  const ok = !!s && (s.value === null || typeof s.value === 'number') && typeof s.perturbations === 'number' && typeof s.radiusFraction === 'number';
  return ok ? { maxSensitivity: { value: s.value ?? null, perturbations: s.perturbations!, radiusFraction: s.radiusFraction! } } : {};
}

function sanityRow(m: MethodResult): [string, string][] {
  const s = (m as { sanity?: SanityReport }).sanity;
  if (!s) return [['sanity check', 'not run (model-parameter randomization test, from the map\'s job card)']];
  const word = SANITY_VERDICT_WORDS[s.verdict].toUpperCase();
  if (s.verdict === 'could not test') return [['sanity check', `${word} (model-parameter randomization test): ${s.reason}`]];
  return [['sanity check', `${word} the model-parameter randomization test: ${s.reason} (${s.steps.length} steps over ${s.layerCount} weight layers)`]];
}

function mapFilesRow(m: MethodResult): [string, string][] {
  const files = Object.values(m.files);
  return files.length ? [['map files', files.join(', ')]] : [];
}

export { DISCLAIMER, ReportError };
