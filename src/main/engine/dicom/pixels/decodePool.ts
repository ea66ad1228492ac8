/**
 * The process-wide pool of decode workers. Compressed frames are decoded here, off the engine's
 * thread (in Electron: the main process), so a JPEG 2000 series no longer blocks it 35-70 ms per
 * slice. One pool per process, not per Engine or file: the fuzz test opens ~1,500 cases, each
 * with its own Engine.
 *
 * - Lazy: workers start with the first task, at most `size` (min(2, cores)).
 * - Never keeps a process alive: a worker is ref'ed only while it runs a task.
 * - Leases: callers acquire a lease for as long as they decode; when the last lease is released
 *   the workers are terminated after a short grace, so engines created one after another (the
 *   fuzz harness, a CLI batch) reuse the same workers instead of starting new ones each time.
 * - Transfers: the codestream goes over as its own ArrayBuffer and the pixels come back the same
 *   way; neither is copied by postMessage.
 * - Hostile frames: a frame whose decoded size exceeds the per-task budget is refused before any
 *   worker allocates it; a task that runs past its timeout has its worker terminated (the engine
 *   never waits on a hung codec) and is refused naming the file; a crashed worker is replaced.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { DicomInputError } from '../errors';
import { decodedFrameBytes, type EncodedFrameFormat } from './decodeEncapsulated';
import type { DecodeRequest, DecodeResponse } from './decodeProtocol';
import { decodeWorkerUrl } from './decodeWorkerUrl';
import type { DecodedFrame } from './types';

export interface DecodeTask {
  transferSyntaxUid: string;
  encoded: Uint8Array;
  format: EncodedFrameFormat;
  frameIndex: number;
  /** The file's display name, for the errors the pool itself raises. */
  file: string;
}

export interface DecodePoolOptions {
  size: number;
  /** Bytes one task may allocate for its output (codec samples plus stored values). */
  taskBudgetBytes: number;
  /** Time one frame may take before its worker is stopped. */
  timeoutMs: (format: EncodedFrameFormat) => number;
  /** How long idle workers outlive the last lease. */
  graceMs: number;
}

/**
 * The largest frame checkImageHeader admits is 16384 x 16384; a volume may take 2 GiB. A frame
 * needing more than that could never be placed in a volume, so it is not decoded at all.
 */
const TASK_BUDGET_BYTES = 2 * 1024 ** 3;

/** 10 s plus 0.5 s per megapixel: a 5k x 4k mammogram in J2K decodes in 2-4 s on a slow core. */
function defaultTimeoutMs(format: EncodedFrameFormat): number {
  return 10_000 + (format.rows * format.columns * 500) / 1e6;
}

export const DEFAULT_POOL_OPTIONS: DecodePoolOptions = {
  size: Math.max(1, Math.min(2, availableParallelism())),
  taskBudgetBytes: TASK_BUDGET_BYTES,
  timeoutMs: defaultTimeoutMs,
  graceMs: 5_000,
};

interface Queued {
  task: DecodeTask;
  resolve: (frame: DecodedFrame) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  running?: Queued & { id: number; timer: NodeJS.Timeout };
}

export interface DecodeLease {
  decode(task: DecodeTask): Promise<DecodedFrame>;
  release(): void;
}

export interface DecodePoolStats {
  workersStarted: number;
  workersRunning: number;
  tasksDone: number;
  timeouts: number;
}

export class DecodePool {
  private readonly slots: Slot[] = [];
  private readonly queue: Queued[] = [];
  private leases = 0;
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly counters = { workersStarted: 0, tasksDone: 0, timeouts: 0 };

  constructor(private readonly options: DecodePoolOptions = DEFAULT_POOL_OPTIONS) {}

  acquire(): DecodeLease {
    this.leases++;
    clearTimeout(this.idleTimer);
    let released = false;
    return {
      decode: (task) => (released ? Promise.reject(new Error('decode lease already released')) : this.submit(task)),
      release: () => {
        if (released) return;
        released = true;
        if (--this.leases === 0) this.scheduleShutdown();
      },
    };
  }

  stats(): DecodePoolStats {
    return { ...this.counters, workersRunning: this.slots.length };
  }

  /** Stops every worker now; queued and running tasks are refused. */
  async terminate(): Promise<void> {
    clearTimeout(this.idleTimer);
    const stopped = new Error('the decode pool was shut down');
    for (const q of this.queue.splice(0)) q.reject(stopped);
    const slots = this.slots.splice(0);
    for (const slot of slots) {
      if (slot.running) {
        clearTimeout(slot.running.timer);
        slot.running.reject(stopped);
        slot.running = undefined;
      }
    }
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private submit(task: DecodeTask): Promise<DecodedFrame> {
    const bytes = decodedFrameBytes(task.format);
    if (!(bytes <= this.options.taskBudgetBytes)) {
      return Promise.reject(
        new DicomInputError(
          `frame ${task.frameIndex + 1} of ${task.file} would need ${Math.round(bytes / 2 ** 20)} MB to decode, above the ${Math.round(this.options.taskBudgetBytes / 2 ** 20)} MB budget for one frame`,
        ),
      );
    }
    return new Promise<DecodedFrame>((resolve, reject) => {
      this.queue.push({ task, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => !s.running);
      if (!slot && this.slots.length < this.options.size) {
        try {
          slot = this.startWorker();
        } catch (err) {
          // The worker's code cannot be found or loaded: nothing queued can be decoded.
          const why = new Error(`cannot start a decode worker: ${err instanceof Error ? err.message : String(err)}`);
          for (const q of this.queue.splice(0)) q.reject(why);
          return;
        }
      }
      if (!slot) return;
      this.run(slot, this.queue.shift() as Queued);
    }
  }

  private startWorker(): Slot {
    const worker = new Worker(decodeWorkerUrl());
    worker.unref();
    this.counters.workersStarted++;
    const slot: Slot = { worker };
    worker.on('message', (res: DecodeResponse) => this.finish(slot, res));
    worker.on('error', (err) => this.lose(slot, `the decoder failed (${err.message})`));
    worker.on('exit', (code) => this.lose(slot, `the decoder stopped (exit code ${code})`));
    this.slots.push(slot);
    return slot;
  }

  private run(slot: Slot, queued: Queued): void {
    const { task } = queued;
    const id = this.nextId++;
    const ms = this.options.timeoutMs(task.format);
    const timer = setTimeout(() => {
      this.counters.timeouts++;
      this.lose(slot, `decoding took longer than ${(ms / 1000).toFixed(0)} s and was stopped`);
    }, ms);
    slot.running = { ...queued, id, timer };
    slot.worker.ref(); // a task in flight keeps the process alive; an idle pool does not
    // The codestream goes over in an ArrayBuffer of its own. A single-fragment frame is a view
    // into the file's buffer: transferring that would detach the whole file (every later frame
    // then fails to read), so it is copied first. Node Buffers are always copied: Buffer#slice is
    // a view, not a copy, and a Buffer may sit in Node's shared pool.
    const owned = !Buffer.isBuffer(task.encoded) && task.encoded.byteOffset === 0 && task.encoded.byteLength === task.encoded.buffer.byteLength;
    const encoded = owned ? task.encoded : new Uint8Array(task.encoded);
    const req: DecodeRequest = { id, transferSyntaxUid: task.transferSyntaxUid, encoded, format: task.format, frameIndex: task.frameIndex };
    slot.worker.postMessage(req, [encoded.buffer as ArrayBuffer]);
  }

  private finish(slot: Slot, res: DecodeResponse): void {
    const running = slot.running;
    if (!running || running.id !== res.id) return;
    clearTimeout(running.timer);
    slot.running = undefined;
    slot.worker.unref();
    this.counters.tasksDone++;
    if (res.ok) running.resolve({ pixels: res.pixels, rows: res.rows, columns: res.columns, ...(res.luminanceFromColor ? { luminanceFromColor: true } : {}) });
    else if (res.input) running.reject(new DicomInputError(res.reason, res.detail));
    else running.reject(new DicomInputError(`frame ${running.task.frameIndex + 1} of ${running.task.file}: the decoder failed`, res.reason));
    this.pump();
  }

  /** A worker that timed out, crashed or exited: refuse its task naming the file, drop it, go on. */
  private lose(slot: Slot, why: string): void {
    const at = this.slots.indexOf(slot);
    if (at < 0) return;
    this.slots.splice(at, 1);
    const running = slot.running;
    slot.running = undefined;
    void slot.worker.terminate();
    if (running) {
      clearTimeout(running.timer);
      running.reject(new DicomInputError(`frame ${running.task.frameIndex + 1} of ${running.task.file}: ${why}`));
    }
    this.pump();
  }

  private scheduleShutdown(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.leases === 0 && this.queue.length === 0 && this.slots.every((s) => !s.running)) void this.terminate();
    }, this.options.graceMs);
    this.idleTimer.unref();
  }
}

let shared: DecodePool | undefined;

/** The pool every Engine in this process shares (created on first use, never per Engine or file). */
export function sharedDecodePool(): DecodePool {
  shared ??= new DecodePool();
  return shared;
}
