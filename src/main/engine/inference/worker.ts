// Worker thread that owns ONNX Runtime sessions: session.run blocks its thread for the whole run,
// so it must never run on the engine's (or Electron's main) thread.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parentPort } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import type { TensorData, TensorInfo, WorkerRequest, WorkerResponse } from './protocol';

const sessions = new Map<string, ort.InferenceSession>();

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
      const ms = performance.now() - t0;
      const outputs: Record<string, TensorData> = {};
      for (const name of req.outputs) {
        const t = result[name];
        // Copy into a fresh buffer we can transfer: ORT's output memory is not ours to move.
        outputs[name] = { data: Float32Array.from(t.data as Float32Array), dims: [...t.dims] };
      }
      return { id: req.id, ok: true, type: 'run', outputs, ms };
    }
    case 'unload': {
      await sessions.get(req.key)?.release();
      sessions.delete(req.key);
      return { id: req.id, ok: true, type: 'unload' };
    }
  }
}

parentPort!.on('message', (req: WorkerRequest) => {
  handle(req).then(
    (res) => {
      const transfer = res.ok && res.type === 'run' ? Object.values(res.outputs).map((t) => t.data.buffer as ArrayBuffer) : [];
      parentPort!.postMessage(res, transfer);
    },
    (err: unknown) => parentPort!.postMessage({ id: req.id, ok: false, error: err instanceof Error ? err.message : String(err) } satisfies WorkerResponse),
  );
});
