// Worker thread that owns ONNX Runtime sessions: session.run blocks its thread for the whole run,
// so it must never run on the engine's (or Electron's main) thread.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parentPort } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { decodeHeatmaps } from './decodeLandmarks';
import { fillMaskedBatch, type MaskBase } from './maskedBatch';
import type { TensorData, TensorInfo, WorkerRequest, WorkerResponse } from './protocol';

const sessions = new Map<string, ort.InferenceSession>();
const maskBases = new Map<string, MaskBase>();
let batchBuffer = new Float32Array(0);

/** A span on the clock all threads share (each thread's performance.now() has its own origin). */
const shared = (t0: number, t1: number): [number, number] => [performance.timeOrigin + t0, performance.timeOrigin + t1];

function describe(meta: readonly ort.InferenceSession.ValueMetadata[]): TensorInfo[] {
  return meta.map((m) => ({ name: m.name, type: m.isTensor ? String(m.type) : 'non-tensor', shape: m.isTensor ? [...m.shape] : [] }));
}

/** The CUDA provider ships separately (npm install onnxruntime-node --onnxruntime-node-install=cuda12). */
function cudaProviderInstalled(): boolean {
  const binDir = path.join(path.dirname(createRequire(import.meta.url).resolve('onnxruntime-node')), '..', 'bin', 'napi-v6', process.platform, process.arch);
  return existsSync(path.join(binDir, process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so'));
}

/** CUDA first where asked; ORT throws instead of falling back, so retry on the CPU and say why. */
async function createSession(model: Uint8Array, threads: number, preferGpu: boolean, memoryArena: boolean) {
  const base: ort.InferenceSession.SessionOptions = { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all', enableCpuMemArena: memoryArena };
  let gpuError: string | undefined;
  if (preferGpu && !cudaProviderInstalled()) gpuError = 'the CUDA provider of ONNX Runtime is not installed';
  else if (preferGpu) {
    try {
      // Fatal-only logging: a missing GPU is expected on many machines, not an error to print.
      const session = await ort.InferenceSession.create(model, { ...base, logSeverityLevel: 4, executionProviders: ['cuda'] });
      return { session, provider: 'cuda' as const };
    } catch (err) {
      gpuError = err instanceof Error ? err.message.split('\n')[0] : String(err);
    }
  }
  return { session: await ort.InferenceSession.create(model, { ...base, executionProviders: ['cpu'] }), provider: 'cpu' as const, gpuError };
}

async function handle(req: WorkerRequest): Promise<WorkerResponse> {
  switch (req.type) {
    case 'load': {
      const { session, provider, gpuError } = await createSession(req.model, req.threads, req.preferGpu, req.memoryArena);
      await sessions.get(req.key)?.release();
      sessions.set(req.key, session);
      return { id: req.id, ok: true, type: 'load', provider, gpuError, inputs: describe(session.inputMetadata), outputs: describe(session.outputMetadata) };
    }
    case 'run': {
      const session = sessions.get(req.key);
      if (!session) throw new Error('model is not loaded in this worker');
      const feeds: Record<string, ort.Tensor> = {};
      for (const [name, t] of Object.entries(req.feeds)) feeds[name] = new ort.Tensor('float32', t.data, t.dims);
      const t0 = performance.now();
      const result = await session.run(feeds, req.outputs);
      const t1 = performance.now();
      const ms = t1 - t0;
      const outputs: Record<string, TensorData> = {};
      for (const name of req.outputs) {
        const t = result[name];
        // Copy into a fresh buffer we can transfer: ORT's output memory is not ours to move.
        outputs[name] = { data: Float32Array.from(t.data as Float32Array), dims: [...t.dims] };
      }
      return { id: req.id, ok: true, type: 'run', outputs, ms, span: shared(t0, t1) };
    }
    case 'setMaskBase': {
      maskBases.set(req.baseId, { input: req.input, baseline: req.baseline, chunkOf: req.chunkOf, chunkCount: req.chunkCount });
      return { id: req.id, ok: true, type: 'setMaskBase' };
    }
    case 'dropMaskBase': {
      maskBases.delete(req.baseId);
      if (maskBases.size === 0) batchBuffer = new Float32Array(0);
      return { id: req.id, ok: true, type: 'dropMaskBase' };
    }
    case 'runMasked': {
      const session = sessions.get(req.key);
      const base = maskBases.get(req.baseId);
      if (!session || !base) throw new Error('model or masking base is not loaded in this worker');
      const size = base.input.length;
      const batch = req.masks.length / base.chunkCount;
      if (batchBuffer.length < batch * size) batchBuffer = new Float32Array(batch * size);
      fillMaskedBatch(base, req.masks, batchBuffer);
      const t0 = performance.now();
      const tensor = new ort.Tensor('float32', batchBuffer.subarray(0, batch * size), [batch, ...req.sampleDims]);
      const result = await session.run({ [req.inputName]: tensor }, [req.output]);
      const t1 = performance.now();
      const ms = t1 - t0;
      const span = shared(t0, t1);
      const out = result[req.output];
      const data = out.data as Float32Array;
      const per = data.length / batch;
      if (req.decode.type === 'raw') return { id: req.id, ok: true, type: 'runMasked', values: Float32Array.from(data), perSample: per, ms, span };
      const [, channels, h, w] = out.dims;
      const values = new Float32Array(batch * channels * 2);
      for (let b = 0; b < batch; b++) {
        const peaks = decodeHeatmaps(data.subarray(b * per, (b + 1) * per), channels, h, w, req.decode.inputSize, req.decode.refinement);
        peaks.forEach((p, c) => values.set([p.x, p.y], (b * channels + c) * 2));
      }
      return { id: req.id, ok: true, type: 'runMasked', values, perSample: channels * 2, ms, span };
    }
    case 'unload': {
      await sessions.get(req.key)?.release();
      sessions.delete(req.key);
      return { id: req.id, ok: true, type: 'unload' };
    }
  }
}

// One request at a time, in arrival order: ORT's run() yields (setImmediate) before it computes,
// and a second masked batch handled meanwhile would overwrite the shared batch buffer.
let queue: Promise<unknown> = Promise.resolve();
parentPort!.on('message', (req: WorkerRequest) => {
  queue = queue.then(() => serve(req));
});

async function serve(req: WorkerRequest): Promise<void> {
  try {
    const res = await handle(req);
    const transfer =
      res.ok && res.type === 'run' ? Object.values(res.outputs).map((t) => t.data.buffer as ArrayBuffer)
      : res.ok && res.type === 'runMasked' ? [res.values.buffer as ArrayBuffer]
      : [];
    parentPort!.postMessage(res, transfer);
  } catch (err) {
    // Every request gets an answer, or its caller would wait for ever.
    parentPort!.postMessage({ id: req.id, ok: false, error: err instanceof Error ? err.message : String(err) } satisfies WorkerResponse);
  }
}
