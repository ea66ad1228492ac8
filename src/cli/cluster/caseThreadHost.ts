// The main thread's handle on the engine thread (caseThread.ts): start it, send it a job's data,
// get the result or the refusal back. If the thread dies, the worker process ends: its jobs' locks
// then lapse and BullMQ gives them to another worker.
import { Worker } from 'node:worker_threads';
import { UnrecoverableError } from 'bullmq';
import type { ModelSummary } from '../../shared/api';
import type { CaseThreadData, CaseThreadReply } from './caseThread';
import type { CaseJobResult } from '../../main/engine/cluster/caseJob';
import { workerEntryUrl } from '../../main/engine/workerEntry';

export interface CaseThread {
  models: ModelSummary[];
  run(data: unknown): Promise<CaseJobResult>;
  dispose(): Promise<void>;
}

export async function startCaseThread(data: CaseThreadData, onDeath: (reason: string) => void): Promise<CaseThread> {
  // From source caseThread.ts behind the tsx bootstrap, from the CLI bundle its caseThread.js entry.
  const thread = new Worker(workerEntryUrl(import.meta.url, './caseThread.ts', 'caseThread.js', 'the engine thread'), { workerData: data });
  const pending = new Map<number, { resolve: (r: CaseJobResult) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let disposed: (() => void) | undefined;
  let closing = false;
  const ready = new Promise<ModelSummary[]>((resolve, reject) => {
    thread.on('message', (m: CaseThreadReply) => {
      if ('ready' in m) resolve(m.ready);
      else if ('fatal' in m) reject(new Error(m.fatal));
      else if ('disposed' in m) disposed?.();
      else {
        const p = pending.get(m.id);
        pending.delete(m.id);
        if ('result' in m) p?.resolve(m.result as CaseJobResult);
        else p?.reject(m.unrecoverable ? new UnrecoverableError(m.error) : new Error(m.error));
      }
    });
    thread.on('error', (err) => {
      reject(err);
      if (!closing) onDeath(`engine thread failed: ${err.message}`);
    });
    thread.on('exit', (code) => {
      if (!closing) onDeath(`engine thread ended (${code})`);
    });
  });
  let models: ModelSummary[];
  try {
    models = await ready;
  } catch (err) {
    closing = true;
    await thread.terminate();
    throw err;
  }
  return {
    models,
    run(jobData) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        thread.postMessage({ id, data: jobData });
      });
    },
    async dispose() {
      closing = true;
      await new Promise<void>((resolve) => {
        disposed = resolve;
        thread.postMessage({ dispose: true });
      });
      await thread.terminate();
    },
  };
}
