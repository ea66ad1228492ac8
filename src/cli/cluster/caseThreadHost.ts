// The main thread's handle on the engine thread (caseThread.ts): start it, send it a job's data,
// get the result or the refusal back. If the thread dies, the worker process ends: its jobs' locks
// then lapse and BullMQ gives them to another worker.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { UnrecoverableError } from 'bullmq';
import type { ModelSummary } from '../../shared/api';
import type { CaseThreadData, CaseThreadReply } from './caseThread';
import type { CaseJobResult } from '../../main/engine/cluster/caseJob';

export interface CaseThread {
  models: ModelSummary[];
  run(data: unknown): Promise<CaseJobResult>;
  dispose(): Promise<void>;
}

/**
 * The engine thread's code: from source (tsx: tests, `node --import tsx src/cli/main.ts`) caseThread.ts
 * behind a bootstrap that registers tsx in the thread (loader flags do not reach threads); from the
 * CLI bundle (`npm run cli`, scripts/cli.mjs) its `caseThread.js` entry beside the bundled main.
 */
function threadUrl(): URL {
  if (!import.meta.url.endsWith('.ts')) {
    const bundled = new URL('./caseThread.js', import.meta.url);
    if (!existsSync(fileURLToPath(bundled))) throw new Error('the worker bundle has no caseThread.js entry (scripts/cli.mjs)');
    return bundled;
  }
  const entry = new URL('./caseThread.ts', import.meta.url).href;
  const code = `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))}; register(); await import(${JSON.stringify(entry)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}

export async function startCaseThread(data: CaseThreadData, onDeath: (reason: string) => void): Promise<CaseThread> {
  const thread = new Worker(threadUrl(), { workerData: data });
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
