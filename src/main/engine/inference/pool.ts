// The engine side of inference: worker threads owning ONNX Runtime sessions. A small model is
// loaded in every thread (single-threaded sessions), so batches of masked inputs run side by side:
// on 2 cores two 1-thread sessions put 27% more ceph samples through per second than one 2-thread
// session (22.0 -> 16.1 ms per sample), the CT classifier the same. A large model, a GPU session
// or a gradient model lives in one thread with all the cores.
import os from 'node:os';
import { type ExecutionProvider, providerPreferenceSchema, type ProviderPreference } from '../../../shared/executionProviders';
import { Worker } from 'node:worker_threads';
import type { TensorData, TensorInfo, WorkerRequest, WorkerResponse } from './protocol';
import { inferenceWorkerUrl } from './workerUrl';

export interface SessionOptions {
  /** ORT intra-op threads (default: all cores). */
  threads?: number;
  /** Which execution provider (default: the pool's, from EXPLICARE_PROVIDER or 'auto'); CPU is the fallback. */
  provider?: ProviderPreference;
  /** Threads holding a copy (default: every thread of the pool for models up to REPLICATE_MAX_BYTES). */
  replicas?: number;
  /**
   * ORT's CPU memory arena (default on): faster reuse, but it grows to the largest batch seen and
   * keeps it. Without it every run maps and unmaps its activations: MUPAX's N = 512 on the demo
   * ceph spent 11.3 s of system time against 2.9 s with it. Batches are capped (MUPAX: 16), so
   * the arena stays a few hundred MB.
   */
  memoryArena?: boolean;
}

export interface LoadedSession {
  key: string;
  provider: ExecutionProvider;
  /** Why the preferred providers did not run it (each "name: reason"), if they did not. */
  gpuError?: string;
  inputs: TensorInfo[];
  outputs: TensorInfo[];
}

export interface RunResult {
  outputs: Record<string, TensorData>;
  /** Time in session.run. */
  ms: number;
  /** session.run's [start, end] on the shared clock (performance.timeOrigin + now, ms). */
  span: [number, number];
}

/** A masked batch as the worker takes it (protocol.ts), and its reply: declared once, there. */
export type MaskedRun = Omit<Extract<WorkerRequest, { type: 'runMasked' }>, 'id' | 'type'>;
export type MaskedResult = Omit<Extract<WorkerResponse, { type: 'runMasked' }>, 'id' | 'ok' | 'type'>;

type Pending = { resolve: (r: WorkerResponse) => void; reject: (e: Error) => void };
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** One worker thread and its sessions. */
class InferenceThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** Requests not yet answered (a retiring pool waits for them). */
  get pendingCount(): number {
    return this.pending.size;
  }
  private dead: Error | null = null;

  constructor() {
    this.worker = new Worker(inferenceWorkerUrl());
    this.worker.unref();
    this.worker.on('message', (res: WorkerResponse) => {
      const p = this.pending.get(res.id);
      this.pending.delete(res.id);
      if (p) p.resolve(res);
    });
    const fail = (err: Error) => {
      this.dead = err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    this.worker.on('error', (e) => fail(new Error(`inference worker crashed: ${e.message}`)));
    this.worker.on('exit', (code) => fail(new Error(`inference worker exited (code ${code})`)));
  }

  private request(req: DistributiveOmit<WorkerRequest, 'id'>, transfer: ArrayBuffer[] = []): Promise<WorkerResponse> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...req, id }, transfer);
    }).then((res) => {
      const r = res as WorkerResponse;
      if (!r.ok) throw new Error(r.error);
      return r;
    });
  }

  async load(key: string, model: Uint8Array, opts: { threads: number; provider: ProviderPreference; memoryArena: boolean }): Promise<LoadedSession> {
    const res = await this.request({ type: 'load', key, model, ...opts });
    if (!res.ok || res.type !== 'load') throw new Error('unexpected worker reply');
    return { key, provider: res.provider, gpuError: res.gpuError, inputs: res.inputs, outputs: res.outputs };
  }

  async run(key: string, feeds: Record<string, TensorData>, outputs: string[]): Promise<RunResult> {
    // Inputs are copied to the worker (structured clone), so callers keep their arrays.
    const res = await this.request({ type: 'run', key, feeds, outputs });
    if (!res.ok || res.type !== 'run') throw new Error('unexpected worker reply');
    return { outputs: res.outputs, ms: res.ms, span: res.span };
  }

  /** Sends the unmasked input, baseline and voxel->chunk map once; masked runs then send only masks. */
  async setMaskBase(baseId: string, base: { input: Float32Array; baseline: Float32Array; chunkOf: Int32Array; chunkCount: number }): Promise<void> {
    await this.request({ type: 'setMaskBase', baseId, ...base });
  }

  async dropMaskBase(baseId: string): Promise<void> {
    await this.request({ type: 'dropMaskBase', baseId });
  }

  /** Runs masks.length / chunkCount masked inputs as one batch; returns per-sample values. */
  async runMasked(args: MaskedRun): Promise<MaskedResult> {
    const res = await this.request({ type: 'runMasked', ...args });
    if (!res.ok || res.type !== 'runMasked') throw new Error('unexpected worker reply');
    return { values: res.values, perSample: res.perSample, ms: res.ms, span: res.span };
  }

  async unload(key: string): Promise<void> {
    await this.request({ type: 'unload', key });
  }

  async terminate(): Promise<void> {
    await this.worker.terminate();
  }
}

/** Models up to this size are loaded in every thread of the pool. */
export const REPLICATE_MAX_BYTES = 64 * 1024 * 1024;

/**
 * The threads: EXPLICARE_INFERENCE_THREADS, else 2 where there are 2 cores or more. More replicas
 * than 2 would multiply the memory of every model for little gain: ORT uses the cores inside a
 * session too.
 */
export function defaultPoolSize(cores: number): number {
  const asked = Number(process.env.EXPLICARE_INFERENCE_THREADS);
  if (Number.isInteger(asked) && asked >= 1 && asked <= 16) return asked;
  return Math.min(2, Math.max(1, cores));
}

/**
 * Inference worker threads behind one interface: sessions and masking bases are placed on them,
 * each run goes to the least busy thread holding its model. Also keeps the time during which at
 * least one forward pass was running (the union of session.run spans over the threads), the
 * honest "inference time" of a method whose runs overlap.
 */
export class InferencePool {
  private readonly threads: InferenceThread[] = [];
  private readonly busy: number[] = [];
  private readonly placement = new Map<string, number[]>();
  private readonly cores: number;
  readonly size: number;
  /** Spans not yet merged into `unionMs`, and the end of the merged part. */
  private spans: [number, number][] = [];
  private unionMs = 0;
  private mergedUpTo = 0;

  /** The provider sessions get unless a load names one. */
  readonly provider: ProviderPreference;
  /** What ran the latest load under the pool's own provider (the settings view's "in use"). */
  lastLoad: { provider: ExecutionProvider; gpuError?: string } | null = null;

  constructor(size?: number, provider?: ProviderPreference) {
    this.cores = os.availableParallelism();
    this.size = size ?? defaultPoolSize(this.cores);
    const fromEnv = providerPreferenceSchema.safeParse(process.env.EXPLICARE_PROVIDER ?? 'auto');
    this.provider = provider ?? (fromEnv.success ? fromEnv.data : 'auto');
  }

  private thread(i: number): InferenceThread {
    while (this.threads.length <= i) {
      this.threads.push(new InferenceThread());
      this.busy.push(0);
    }
    return this.threads[i];
  }

  /** Threads that hold `key`'s session. */
  replicasOf(key: string): number {
    return this.placement.get(key)?.length ?? 0;
  }

  async load(key: string, model: Uint8Array, opts: SessionOptions = {}): Promise<LoadedSession> {
    const cores = opts.threads ?? this.cores;
    const wanted = Math.max(1, Math.min(this.size, opts.replicas ?? (model.byteLength <= REPLICATE_MAX_BYTES ? this.size : 1)));
    const memoryArena = opts.memoryArena ?? true;
    const perReplica = Math.max(1, Math.floor(cores / wanted));
    // The first copy tells whether the GPU took it: a GPU session stays alone (one device).
    const provider = opts.provider ?? this.provider;
    const first = await this.thread(0).load(key, model, { threads: perReplica, provider, memoryArena });
    let where = [0];
    if (first.provider === 'cpu' && wanted > 1) {
      const more = Array.from({ length: wanted - 1 }, (_, i) => i + 1);
      await Promise.all(more.map((i) => this.thread(i).load(key, model, { threads: perReplica, provider: 'cpu', memoryArena })));
      where = [0, ...more];
    } else if (wanted > 1 && perReplica < cores) {
      // Alone after all (GPU): give it every core.
      await this.thread(0).load(key, model, { threads: cores, provider, memoryArena });
    }
    this.placement.set(key, where);
    if (opts.provider === undefined) this.lastLoad = { provider: first.provider, ...(first.gpuError ? { gpuError: first.gpuError } : {}) };
    return first;
  }

  private pick(key: string): number {
    const where = this.placement.get(key);
    if (!where) throw new Error('model is not loaded in the inference pool');
    let best = where[0];
    for (const i of where) if (this.busy[i] < this.busy[best]) best = i;
    return best;
  }

  private async on<T extends { span: [number, number] }>(i: number, work: (t: InferenceThread) => Promise<T>): Promise<T> {
    this.busy[i]++;
    try {
      const res = await work(this.threads[i]);
      this.spans.push(res.span);
      return res;
    } finally {
      this.busy[i]--;
    }
  }

  run(key: string, feeds: Record<string, TensorData>, outputs: string[]): Promise<RunResult> {
    return this.on(this.pick(key), (t) => t.run(key, feeds, outputs));
  }

  /** Sends the unmasked input, baseline and voxel->chunk map to every thread once; masked runs then send only masks. */
  async setMaskBase(baseId: string, base: { input: Float32Array; baseline: Float32Array; chunkOf: Int32Array; chunkCount: number }): Promise<void> {
    await Promise.all(this.threads.map((t) => t.setMaskBase(baseId, base)));
  }

  async dropMaskBase(baseId: string): Promise<void> {
    await Promise.all(this.threads.map((t) => t.dropMaskBase(baseId)));
  }

  /** Runs masks.length / chunkCount masked inputs as one batch on one thread; returns per-sample values. */
  runMasked(args: MaskedRun): Promise<MaskedResult> {
    return this.on(this.pick(args.key), (t) => t.runMasked(args));
  }

  /**
   * Milliseconds during which at least one forward pass was running, since the pool started.
   * Spans arrive out of order across threads; they are merged lazily.
   */
  inferenceWallMs(): number {
    if (this.spans.length > 0) {
      this.spans.sort((a, b) => a[0] - b[0]);
      for (const [s, e] of this.spans) {
        const from = Math.max(s, this.mergedUpTo);
        if (e > from) this.unionMs += e - from;
        this.mergedUpTo = Math.max(this.mergedUpTo, e);
      }
      this.spans = [];
    }
    return this.unionMs;
  }

  async unload(key: string): Promise<void> {
    const where = this.placement.get(key) ?? [];
    this.placement.delete(key);
    await Promise.all(where.map((i) => this.threads[i].unload(key)));
  }

  async terminate(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.terminate()));
  }

  /**
   * Ends the threads once no request has been pending for `quietMs` (the provider changed: models
   * load in a new pool). A caller between two requests of a short task (metrics) still finishes it.
   */
  async retire(quietMs = 2000): Promise<void> {
    let quietSince = Date.now();
    while (Date.now() - quietSince < quietMs) {
      await new Promise((r) => setTimeout(r, 50));
      if (this.threads.some((t) => t.pendingCount > 0)) quietSince = Date.now();
    }
    await this.terminate();
  }
}

/**
 * Runs many single-sample inputs in batches of `batchSize` (the model's first axis must be dynamic
 * for batches > 1), two batches per thread in flight. Returns, per output name, one array per
 * input, in input order.
 */
export async function runBatch(
  pool: InferencePool,
  key: string,
  inputName: string,
  sampleDims: number[], // without the batch axis
  inputs: Float32Array[],
  outputNames: string[],
  batchSize: number,
): Promise<{ outputs: Record<string, Float32Array[]>; ms: number }> {
  const sampleSize = sampleDims.reduce((a, b) => a * b, 1);
  inputs.forEach((x, i) => {
    if (x.length !== sampleSize) throw new Error(`input ${i} has ${x.length} values, the model takes ${sampleSize}`);
  });
  const starts = Array.from({ length: Math.ceil(inputs.length / batchSize) }, (_, b) => b * batchSize);
  const runOne = (start: number) => {
    const chunk = inputs.slice(start, start + batchSize);
    const data = new Float32Array(chunk.length * sampleSize);
    chunk.forEach((x, i) => data.set(x, i * sampleSize));
    return pool.run(key, { [inputName]: { data, dims: [chunk.length, ...sampleDims] } }, outputNames);
  };
  const results = await inOrder(starts, Math.max(1, 2 * pool.replicasOf(key)), runOne);
  const outputs: Record<string, Float32Array[]> = Object.fromEntries(outputNames.map((n) => [n, []]));
  let ms = 0;
  results.forEach((res, b) => {
    ms += res.ms;
    const count = Math.min(batchSize, inputs.length - starts[b]);
    for (const name of outputNames) {
      const t = res.outputs[name];
      const per = t.data.length / count;
      for (let i = 0; i < count; i++) outputs[name].push(t.data.subarray(i * per, (i + 1) * per));
    }
  });
  return { outputs, ms };
}

/** Maps `items` through `work` with at most `depth` in flight; results in item order. */
export async function inOrder<T, R>(items: T[], depth: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(depth, items.length) }, lane));
  return results;
}
