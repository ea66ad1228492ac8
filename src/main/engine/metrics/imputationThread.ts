// ROAD's imputation off the engine's thread. The engine runs in Electron's main process and in the
// HTTP server; one solve on a CT's model grid (128x128x64) is 0.5-1 s of CPU and a map's ROAD curves
// need about 20, so in-thread the window and every call froze a second at a time.
//
// One worker per map's curves (a session): the input goes over once (a copy, transferred), then each
// curve point sends only its removal mask (transferred) and gets the imputed input back (transferred):
// no 4 MB array is copied twice. The worker calls noisyLinearImputation itself, so its fields equal
// the in-thread function's bit for bit. Requests are answered in order, one at a time; the session's
// owner closes it when its curves are done (the worker is terminated), and an idle worker never keeps
// the process alive (it is ref'ed only while a point is in flight).
import { Worker } from 'node:worker_threads';
import type { ImputationOptions } from './imputation';
import type { ImputationRequest, ImputationResponse } from './imputationProtocol';
import { imputationWorkerUrl } from './imputationWorkerUrl';

/** Sessions whose worker is started and not yet stopped (tests check a cancelled run leaves none). */
let live = 0;
export const liveImputationThreads = (): number => live;

interface Pending {
  resolve: (out: Float32Array) => void;
  reject: (err: Error) => void;
}

export class ImputationThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** Set once the worker is gone (closed, aborted, crashed): later requests are refused with it. */
  private stopped: Error | undefined;
  private readonly onAbort = () => this.stop(new Error('ROAD imputation was cancelled'));

  /**
   * Starts the worker and sends it `x` (copied once into a buffer of its own, which is transferred;
   * the caller's array is left alone). An aborted `signal` terminates the worker and refuses what
   * is in flight.
   */
  constructor(
    x: Float32Array,
    private readonly dims: readonly [number, number, number],
    private readonly signal?: AbortSignal,
  ) {
    if (x.length !== dims[0] * dims[1] * dims[2]) throw new Error(`imputation: ${x.length} values for a ${dims.join('x')} grid`);
    try {
      this.worker = new Worker(imputationWorkerUrl());
    } catch (err) {
      throw new Error(`cannot start the ROAD imputation worker: ${err instanceof Error ? err.message : String(err)}`);
    }
    live++;
    this.worker.unref();
    this.worker.on('message', (res: ImputationResponse) => this.answer(res));
    this.worker.on('error', (err) => this.stop(new Error(`the ROAD imputation worker failed (${err.message})`)));
    this.worker.on('exit', (code) => this.stop(new Error(`the ROAD imputation worker stopped (exit code ${code})`)));
    const own = x.slice();
    const req: ImputationRequest = { kind: 'input', x: own, dims: [dims[0], dims[1], dims[2]] };
    this.worker.postMessage(req, [own.buffer as ArrayBuffer]);
    if (signal?.aborted) this.onAbort();
    else signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /**
   * The session's input with removed[v] = 1 imputed (noisyLinearImputation with these options).
   * `removed` is transferred when it owns its whole buffer (it is detached here afterwards), copied
   * otherwise.
   */
  impute(removed: Uint8Array, options: ImputationOptions): Promise<Float32Array> {
    if (this.stopped) return Promise.reject(this.stopped);
    if (removed.length !== this.dims[0] * this.dims[1] * this.dims[2]) return Promise.reject(new Error(`imputation: a mask of ${removed.length} voxels for a ${this.dims.join('x')} grid`));
    const owned = removed.byteOffset === 0 && removed.byteLength === removed.buffer.byteLength && !(removed.buffer instanceof SharedArrayBuffer);
    const mask = owned ? removed : removed.slice();
    return this.request({ kind: 'impute', id: 0, removed: mask, options }, [mask.buffer as ArrayBuffer]);
  }

  private request(req: Extract<ImputationRequest, { id: number }>, transfer: ArrayBuffer[] = []): Promise<Float32Array> {
    if (this.stopped) return Promise.reject(this.stopped);
    const id = this.nextId++;
    return new Promise<Float32Array>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.ref(); // a point in flight keeps the process alive (the CLI awaits it)
      this.worker.postMessage({ ...req, id }, transfer);
    });
  }

  /**
   * Sends the map the voxels are ranked by (copied once, transferred): the worker sorts them (curves.ts
   * order, ~0.5 s on a CT) and builds each point's mask itself, so neither crosses per point.
   */
  rankBy(map: Float32Array): void {
    if (this.stopped) return;
    if (map.length !== this.dims[0] * this.dims[1] * this.dims[2]) throw new Error(`imputation: a map of ${map.length} voxels for a ${this.dims.join('x')} grid`);
    const own = map.slice();
    const req: ImputationRequest = { kind: 'rank', map: own };
    this.worker.postMessage(req, [own.buffer as ArrayBuffer]);
  }

  /** The input with the top `fraction` of rankBy's ranking imputed (deleting), or all but that top (inserting). */
  imputeTop(fraction: number, deleting: boolean, options: ImputationOptions): Promise<Float32Array> {
    return this.request({ kind: 'imputeTop', id: 0, fraction, deleting, options });
  }

  /** Terminates the worker; anything still in flight is refused. Safe to call twice. */
  close(): void {
    this.stop(new Error('the ROAD imputation session was closed'));
  }

  private answer(res: ImputationResponse): void {
    const p = this.pending.get(res.id);
    if (!p) return;
    this.pending.delete(res.id);
    if (this.pending.size === 0) this.worker.unref();
    if (res.ok) p.resolve(res.out);
    else p.reject(new Error(`ROAD imputation failed: ${res.reason}`));
  }

  private stop(why: Error): void {
    if (this.stopped) return;
    this.stopped = why;
    live--;
    this.signal?.removeEventListener('abort', this.onAbort);
    for (const p of this.pending.values()) p.reject(why);
    this.pending.clear();
    void this.worker.terminate();
  }
}
