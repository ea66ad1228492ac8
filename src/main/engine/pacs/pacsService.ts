// The engine's PACS: settings, QIDO search, WADO retrieval as a cancellable transfer with progress
// (opened through the normal study scan once complete), and STOW of exported files.
import path from 'node:path';
import type { ApiArgs, OpenReport } from '../../../shared/api';
import type { PacsSeriesHit, PacsSettingsView, PacsStudyHit, PacsTransferStatus, StowResult } from '../../../shared/pacsApi';
import { JobManager } from '../jobs/jobManager';
import { cleanAbandonedIncoming } from './incoming';
import { PacsError, RetrievalCancelled } from './pacsError';
import { listSeries, searchStudies } from './qido';
import { PacsSettingsStore, type SettingsChange } from './settings';
import { storeFiles } from './stow';
import { retrieveToCache, type RetrieveTarget } from './wadoRetrieve';

export class PacsService {
  private readonly settings: PacsSettingsStore;
  private readonly transfers = new JobManager<OpenReport>();
  /** Removal of what a crashed retrieval left in pacs/incoming; retrievals wait for it. */
  readonly cleanedUp: Promise<number>;

  /** `dir`: the engine's pacs folder (settings, retrieved studies); `open`: the engine's openPaths. */
  constructor(
    private readonly dir: string,
    private readonly open: (folder: string) => Promise<OpenReport>,
  ) {
    this.settings = new PacsSettingsStore(dir);
    this.cleanedUp = cleanAbandonedIncoming(dir).catch(() => 0);
  }

  getSettings(): Promise<PacsSettingsView | null> {
    return this.settings.view();
  }

  saveSettings(change: SettingsChange): Promise<PacsSettingsView> {
    return this.settings.save(change);
  }

  async search(query: ApiArgs<'pacsSearch'>): Promise<PacsStudyHit[]> {
    if (query.dateFrom && query.dateTo && query.dateFrom > query.dateTo) throw new PacsError('the study date range ends before it starts');
    return searchStudies(await this.settings.require(), query);
  }

  async listSeries(studyUid: string): Promise<PacsSeriesHit[]> {
    return listSeries(await this.settings.require(), studyUid);
  }

  /** Starts retrieving; poll transfer(id) for progress and, when done, the open report. */
  async retrieve(target: RetrieveTarget): Promise<PacsTransferStatus> {
    const settings = await this.settings.require();
    await this.cleanedUp;
    const job = this.transfers.start(
      target.seriesUid ? 'series retrieval' : 'study retrieval',
      {},
      async (progress, signal) => {
        try {
          const folder = await retrieveToCache(
            settings,
            this.dir,
            target,
            (p) => progress({ done: p.done, total: p.total, stats: { bytes: p.bytes } }),
            signal,
          );
          return await this.open(folder);
        } catch (err) {
          if (signal.aborted) throw new RetrievalCancelled();
          throw err;
        }
      },
      (err) => (err instanceof PacsError ? err.message : `the retrieval failed: ${err instanceof Error ? err.message : String(err)}`),
    );
    return this.transfer(job.id);
  }

  transfer(id: string): PacsTransferStatus {
    const job = this.transfers.get(id);
    if (!job) throw new PacsError('no such transfer');
    const total = job.progress.total === 1 && job.progress.done === 0 && job.state === 'running' ? 0 : job.progress.total;
    return {
      id: job.id,
      state: job.state,
      done: job.progress.done,
      total,
      bytes: job.progress.stats?.bytes ?? 0,
      elapsedMs: (job.finishedAt ?? Date.now()) - job.startedAt,
      error: job.error,
      report: job.result,
    };
  }

  cancel(id: string): PacsTransferStatus {
    this.transfer(id);
    this.transfers.cancel(id);
    return this.transfer(id);
  }

  /** STOW-RS of the DICOM files among `files` (relative to `folder`). */
  async send(folder: string, files: string[]): Promise<StowResult> {
    return storeFiles(await this.settings.require(), path.resolve(folder), files);
  }
}
