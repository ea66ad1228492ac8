// Exports: the PDF report and DICOM objects of a series' finished explanations (the app's Export),
// or of an explain result folder (the CLI's `report`); and STOW-RS of this session's exports. Both
// build one in-memory export input (report/exportInput.ts); report/ never reaches back here.
import { lstat, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ApiArgs, GroundTruth } from '../../../shared/api';
import type { ExportPhase, ExportProgress } from '../../../shared/exportProgress';
import type { ExportResult, StowResult } from '../../../shared/pacsApi';
import type { PacsService } from '../pacs/pacsService';
import type { ExportOptions, ExportSeries } from '../report/exportInput';
import type { ReportOutput } from '../report/exportReport';
import { ExportCancelled, plannedFiles } from '../report/exportTracker';
import { ReportError, loadResult } from '../report/resultFile';
import { EngineError, translatingErrors } from './engineError';
import { computedMetrics } from './explanationMetrics';
import type { ExplanationService } from './explanationService';
import type { GroundTruthService } from './groundTruthService';
import type { ModelService } from './modelService';
import type { StudyService } from './studyService';

/** The CLI's `report`: an explain result folder and the study it was computed on. */
export interface ResultFolderExport extends Omit<ExportOptions, 'anonymizationSecretDir'> {
  /** The study folder (or file) named by the user: scanned to find the series. */
  study: string;
  /** Exactly the series' own files: when given, only these are read (never their folder). */
  studyFiles?: string[];
  results: string;
  /** Default: the engine's cache folder. */
  anonymizationSecretDir?: string;
}

export interface ExportServiceParts {
  cacheDir: string;
  studies: StudyService;
  truth: GroundTruthService;
  models: ModelService;
  explanations: ExplanationService;
  pacs: PacsService;
}

/** A file of an export larger than this is not sent to the renderer (a PDF is a few MB). */
const MAX_SERVED_FILE_BYTES = 512 * 2 ** 20;

export class ExportService {
  /** Exports of this session, by id: only these folders' files may be sent to the PACS or opened. */
  private readonly exports = new Map<string, { folder: string; files: string[] }>();
  /** Per series: its running (or last) export's progress, and how to stop it while it runs. */
  private readonly running = new Map<string, { progress: ExportProgress; abort?: AbortController; t0: number }>();

  constructor(private readonly parts: ExportServiceParts) {}

  /** The series as an export reads it: volume, voxels, ground truth and exactly its own files. */
  private async series(seriesUid: string, truth: GroundTruth | null): Promise<ExportSeries> {
    const { studies } = this.parts;
    return { info: await studies.loadVolume(seriesUid), voxels: await studies.getVoxels(seriesUid), truth, files: studies.seriesFiles(seriesUid) };
  }

  /**
   * PDF and/or DICOM export of the series' finished explanations (the latest per method, of the model
   * that ran last), with the prediction the app showed (the model runs again only if it never ran).
   */
  async exportSession(a: ApiArgs<'exportReport'>): Promise<ExportResult> {
    const { studies, explanations } = this.parts;
    studies.series(a.seriesUid); // a series that is not open is refused first, as "not found"
    const latest = explanations.latestFinished(a.seriesUid);
    if (!latest) throw new EngineError('bad-input', 'nothing to export yet: run an explanation (e.g. Grad-CAM) on this series first');
    if (this.running.get(a.seriesUid)?.abort) throw new EngineError('bad-input', 'an export of this series is already running: wait for it or cancel it');
    const abort = new AbortController();
    const t0 = Date.now();
    const objects = plannedFiles(latest.jobs.map((j) => j.meta.method), a.pdf, a.dicom).length;
    const entry: { progress: ExportProgress; abort?: AbortController; t0: number } = {
      t0,
      progress: { seriesUid: a.seriesUid, phase: 'prepare', step: 'Reading the series and the explanations', object: 0, objects, bytes: 0, elapsedMs: 0 },
      abort,
    };
    this.running.set(a.seriesUid, entry);
    const update = (p: Partial<ExportProgress>) => (entry.progress = { ...entry.progress, ...p, elapsedMs: Date.now() - t0 });
    const end = (phase: ExportPhase, step: string) => {
      update({ phase, step, cancelling: undefined });
      entry.abort = undefined;
    };
    try {
      const out = await this.writeSession(a, latest, update, abort.signal);
      end('done', `Wrote ${out.files.length} file(s)`);
      return out;
    } catch (err) {
      const cancelled = err instanceof ExportCancelled || (err instanceof EngineError && abort.signal.aborted);
      end(cancelled ? 'cancelled' : 'failed', cancelled ? 'Cancelled: nothing was written' : 'Failed');
      throw cancelled ? new EngineError('bad-input', 'Export cancelled: nothing was written') : err;
    }
  }

  /** The running (or last) export of a series in this session. */
  progress(seriesUid: string): ExportProgress | null {
    const e = this.running.get(seriesUid);
    // While it runs, the time is now's: the export may be busy between two steps for seconds.
    return e ? { ...e.progress, ...(e.abort ? { elapsedMs: Date.now() - e.t0 } : {}) } : null;
  }

  /** Asks the running export of a series to stop: it does before its next object and writes nothing. */
  cancel(seriesUid: string): ExportProgress | null {
    const e = this.running.get(seriesUid);
    if (!e?.abort) return e?.progress ?? null;
    e.abort.abort();
    e.progress = { ...e.progress, cancelling: true };
    return e.progress;
  }

  /**
   * One file of one of this session's exports: only a name that export wrote (compared as a string,
   * never resolved from the request), a regular file still inside its folder (not a link put there
   * since), and not larger than MAX_SERVED_FILE_BYTES.
   */
  async file(exportId: string, name: string): Promise<{ path: string; data: Uint8Array }> {
    const e = this.exports.get(exportId);
    if (!e) throw new EngineError('not-found', 'no such export in this session (export again)');
    if (!e.files.includes(name)) throw new EngineError('not-found', `${JSON.stringify(name.slice(0, 80))} is not a file of this export`);
    const file = path.join(e.folder, name);
    if (path.relative(e.folder, file).startsWith('..')) throw new EngineError('not-found', 'not a file of this export');
    const st = await lstat(file).catch(() => null);
    if (!st) throw new EngineError('not-found', `${name} is no longer in ${e.folder}`);
    if (!st.isFile()) throw new EngineError('bad-input', `${name} in ${e.folder} is no longer a plain file: not opened`);
    if (st.size > MAX_SERVED_FILE_BYTES) throw new EngineError('bad-input', `${name} is larger than ${MAX_SERVED_FILE_BYTES / 2 ** 20} MB: open it from ${e.folder}`);
    return { path: file, data: new Uint8Array(await readFile(file)) };
  }

  private async writeSession(
    a: ApiArgs<'exportReport'>,
    latest: NonNullable<ReturnType<ExplanationService['latestFinished']>>,
    update: (p: Partial<ExportProgress>) => void,
    signal: AbortSignal,
  ): Promise<ExportResult> {
    const { studies, models, explanations, cacheDir } = this.parts;
    const step = async (text: string) => {
      if (signal.aborted) throw new ExportCancelled();
      update({ phase: 'prepare', step: text });
      // Answer the progress requests waiting now, before the next stretch of work holds the thread.
      await new Promise((r) => setImmediate(r));
    };
    const summary = (await models.list()).find((m) => m.id === latest.modelId);
    if (!summary) throw new EngineError('not-found', 'the model of these explanations is no longer in the library');
    const outDir = a.outDir || path.join(cacheDir, 'exports', new Date().toISOString().replace(/[:.]/g, '-'));
    const model = await models.load(latest.modelId);
    const truth = await this.parts.truth.forModel(a.seriesUid, model.entry.pkg.manifest);
    await step('The prediction the app showed (the model runs only if it never ran on this series)');
    const prediction = await models.latestPrediction(await studies.volume(a.seriesUid), model, truth);
    await step('Reading the series');
    const series = await this.series(a.seriesUid, truth);
    // pdf-lib and the DICOM writers load on the first export.
    await step('Loading the PDF and DICOM writers');
    const [{ exportReport }, { sessionExportInput }] = await Promise.all([import('../report/exportReport'), import('../report/sessionExport')]);
    await step('Resampling the maps onto the study grid');
    const out = await translatingErrors(() => {
      const input = sessionExportInput({
        series,
        model: { id: summary.id, name: summary.name, version: summary.version, card: summary.card },
        prediction,
        explanations: latest.jobs.map((j) => ({
          method: j.meta.method,
          fromCache: j.fromCache,
          result: j.result!,
          sanity: explanations.latestSanity(j.id),
          // The metric suite when the user ran it on the job card: its curves go into the PDF.
          metrics: computedMetrics(j.result!),
        })),
        groundTruth: a.groundTruth,
      });
      return exportReport(input, {
        out: outDir,
        pdf: a.pdf,
        dicom: a.dicom,
        anonymize: a.anonymize,
        comment: a.comment || undefined,
        includeFreeText: a.includeFreeText,
        allowBurnedInAnnotation: a.allowBurnedInAnnotation,
        overwrite: a.overwrite,
        truthLandmarks: a.groundTruth?.landmarks,
        colormap: a.colormap,
        anonymizationSecretDir: cacheDir,
        signal,
        onProgress: (s) => update({ phase: s.phase, step: s.step, object: s.object, objects: s.objects, file: s.file, bytes: s.bytes }),
      });
    }, 'Export failed');
    const files = out.files.map((f) => path.relative(outDir, f));
    const exportId = `export-${Date.now().toString(36)}-${this.exports.size + 1}`;
    this.exports.set(exportId, { folder: outDir, files });
    return {
      exportId,
      folder: outDir,
      files,
      dicomFiles: files.filter((f) => f.endsWith('.dcm')).length,
      methods: latest.jobs.map((j) => j.meta.method),
      elapsedMs: out.elapsedMs,
    };
  }

  /** STOW-RS of the DICOM files of one of this session's exports. */
  sendExport(exportId: string): Promise<StowResult> {
    const e = this.exports.get(exportId);
    if (!e) throw new EngineError('not-found', 'no such export in this session (export again)');
    return this.parts.pacs.send(e.folder, e.files);
  }

  /** The CLI's `report`: opens the study the result names (only its files when given) and exports. */
  async exportResultFolder(o: ResultFolderExport): Promise<ReportOutput> {
    const { exportReport, checkExportOptions } = await import('../report/exportReport');
    const { resultFolderInput } = await import('../report/resultFolder');
    checkExportOptions(o);
    const result = await loadResult(o.results);
    const series = await this.openResultSeries(o.studyFiles ?? [o.study], result.study.seriesUid, o.study);
    const input = await resultFolderInput(o.results, result, series);
    // Results written before the model card was recorded: the library's card, if it still has the model.
    const card = result.model.card?.intendedUse
      ? result.model.card
      : (await this.parts.models.list().catch(() => [])).find((m) => m.id === result.model.id)?.card;
    if (card) input.result.model = { ...result.model, card };
    return exportReport(input, { ...o, anonymizationSecretDir: o.anonymizationSecretDir ?? this.parts.cacheDir });
  }

  /** Opens `paths` and the series the result is for; one-line ReportErrors naming `studyLabel`. */
  private async openResultSeries(paths: string[], seriesUid: string, studyLabel: string): Promise<ExportSeries> {
    let report;
    try {
      report = await this.parts.studies.openPaths(paths);
    } catch (err) {
      throw new ReportError(`cannot open the study ${studyLabel}: ${err instanceof Error ? err.message : err}`);
    }
    const all = report.studies.flatMap((s) => s.series);
    if (!all.some((s) => s.seriesUid === seriesUid)) {
      throw new ReportError(
        all.length === 0
          ? `no DICOM series in ${studyLabel}`
          : `the results are for series ${seriesUid}, which is not in ${studyLabel} (it has ${all.map((s) => s.seriesUid).join(', ')}): results from another study?`,
      );
    }
    try {
      return await this.series(seriesUid, await this.parts.truth.get(seriesUid));
    } catch (err) {
      if (err instanceof EngineError) throw new ReportError(err.message);
      throw err;
    }
  }
}
