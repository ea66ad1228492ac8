// The worker's engine thread. BullMQ keeps a job by renewing its lock from the JavaScript thread
// that took it; the engine's own work (opening studies, metrics) holds its thread for seconds at a
// time, more on a busy machine, and a lock not renewed makes BullMQ hand the job to another worker
// while this one still runs it. So the engine lives here, in its own thread, and the main thread
// only talks to Redis. Messages: in {id, data} (a job's payload), out {id, result} or
// {id, error, unrecoverable}; first out {ready: models} or {fatal}.
import { parentPort, workerData } from 'node:worker_threads';
import { UnrecoverableError } from 'bullmq';
import { Engine, EngineError } from '../../main/engine/engine';
import type { PacsSettings } from '../../main/engine/pacs/settings';
import type { ModelSummary } from '../../shared/api';
import { runCaseJob, type WorkerContext } from './runCaseJob';

export interface CaseThreadData {
  cacheDir: string;
  bundledModelsDir: string;
  modelPaths: string[];
  sharedDir?: string;
  /** The worker's --pacs (with the authorization header from its environment) and byte budget per study. */
  pacs?: PacsSettings;
  pacsBudgetBytes?: number;
  name: string;
}

export type CaseThreadReply =
  | { ready: ModelSummary[] }
  | { fatal: string }
  | { id: number; result: unknown }
  | { id: number; error: string; unrecoverable: boolean }
  | { disposed: true };

const port = parentPort!;
const d = workerData as CaseThreadData;
const engine = new Engine({ cacheDir: d.cacheDir, bundledModelsDir: d.bundledModelsDir });
const post = (m: CaseThreadReply) => port.postMessage(m);

try {
  const models = new Map<string, ModelSummary>();
  for (const p of d.modelPaths) {
    const m = await engine.importModel(p);
    models.set(m.id, m);
  }
  const ctx: WorkerContext = { engine, models, sharedDir: d.sharedDir, pacs: d.pacs, pacsBudgetBytes: d.pacsBudgetBytes, name: d.name };
  port.on('message', (m: { id: number; data: unknown } | { dispose: true }) => {
    if ('dispose' in m) {
      void engine.dispose().finally(() => post({ disposed: true }));
      return;
    }
    runCaseJob(ctx, m.data).then(
      (result) => post({ id: m.id, result }),
      (err: unknown) => post({ id: m.id, error: err instanceof Error ? err.message : String(err), unrecoverable: err instanceof UnrecoverableError }),
    );
  });
  post({ ready: [...models.values()] });
} catch (err) {
  post({ fatal: err instanceof EngineError || err instanceof Error ? err.message : String(err) });
}
