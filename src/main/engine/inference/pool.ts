// The engine side of inference: a worker thread owning ONNX Runtime sessions, with batching.
import { Worker } from 'node:worker_threads';
import type { MaskedDecode, TensorData, TensorInfo, WorkerRequest, WorkerResponse } from './protocol';
import { inferenceWorkerUrl } from './workerUrl';

export interface SessionOptions {
  /** ORT intra-op threads (default: all cores). */
  threads?: number;
  /** Try CUDA first (falls back to CPU, reporting why). */
  preferGpu?: boolean;
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
  provider: 'cuda' | 'cpu';
  gpuError?: string;
  inputs: TensorInfo[];
  outputs: TensorInfo[];
}

type Pending = { resolve: (r: WorkerResponse) => void; reject: (e: Error) => void };
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export class InferenceWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
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

  async load(key: string, model: Uint8Array, opts: SessionOptions = {}): Promise<LoadedSession> {
    const threads = opts.threads ?? (await import('node:os')).availableParallelism();
    const res = await this.request({ type: 'load', key, model, threads, preferGpu: opts.preferGpu ?? true, memoryArena: opts.memoryArena ?? true });
    if (!res.ok || res.type !== 'load') throw new Error('unexpected worker reply');
    return { key, provider: res.provider, gpuError: res.gpuError, inputs: res.inputs, outputs: res.outputs };
  }

  async run(key: string, feeds: Record<string, TensorData>, outputs: string[]): Promise<{ outputs: Record<string, TensorData>; ms: number }> {
    // Inputs are copied to the worker (structured clone), so callers keep their arrays.
    const res = await this.request({ type: 'run', key, feeds, outputs });
    if (!res.ok || res.type !== 'run') throw new Error('unexpected worker reply');
    return { outputs: res.outputs, ms: res.ms };
  }

  /** Sends the unmasked input, baseline and voxel->chunk map once; masked runs then send only masks. */
  async setMaskBase(baseId: string, base: { input: Float32Array; baseline: Float32Array; chunkOf: Int32Array; chunkCount: number }): Promise<void> {
    await this.request({ type: 'setMaskBase', baseId, ...base });
  }

  async dropMaskBase(baseId: string): Promise<void> {
    await this.request({ type: 'dropMaskBase', baseId });
  }

  /** Runs masks.length / chunkCount masked inputs as one batch; returns per-sample values. */
  async runMasked(args: { key: string; baseId: string; inputName: string; sampleDims: number[]; masks: Uint8Array; output: string; decode: MaskedDecode }): Promise<{ values: Float32Array; perSample: number; ms: number }> {
    const res = await this.request({ type: 'runMasked', ...args });
    if (!res.ok || res.type !== 'runMasked') throw new Error('unexpected worker reply');
    return { values: res.values, perSample: res.perSample, ms: res.ms };
  }

  async unload(key: string): Promise<void> {
    await this.request({ type: 'unload', key });
  }

  async terminate(): Promise<void> {
    await this.worker.terminate();
  }
}

/**
 * Runs many single-sample inputs in batches of `batchSize` (the model's first axis must be dynamic
 * for batches > 1). Returns, per output name, one array per input, in input order.
 */
export async function runBatch(
  worker: InferenceWorker,
  key: string,
  inputName: string,
  sampleDims: number[], // without the batch axis
  inputs: Float32Array[],
  outputNames: string[],
  batchSize: number,
): Promise<{ outputs: Record<string, Float32Array[]>; ms: number }> {
  const sampleSize = sampleDims.reduce((a, b) => a * b, 1);
  const outputs: Record<string, Float32Array[]> = Object.fromEntries(outputNames.map((n) => [n, []]));
  let ms = 0;
  for (let start = 0; start < inputs.length; start += batchSize) {
    const chunk = inputs.slice(start, start + batchSize);
    const data = new Float32Array(chunk.length * sampleSize);
    chunk.forEach((x, i) => {
      if (x.length !== sampleSize) throw new Error(`input ${start + i} has ${x.length} values, the model takes ${sampleSize}`);
      data.set(x, i * sampleSize);
    });
    const res = await worker.run(key, { [inputName]: { data, dims: [chunk.length, ...sampleDims] } }, outputNames);
    ms += res.ms;
    for (const name of outputNames) {
      const t = res.outputs[name];
      const per = t.data.length / chunk.length;
      for (let i = 0; i < chunk.length; i++) outputs[name].push(t.data.subarray(i * per, (i + 1) * per));
    }
  }
  return { outputs, ms };
}
