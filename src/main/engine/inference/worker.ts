// Worker thread that owns ONNX Runtime sessions: session.run blocks its thread for the whole run,
// so it must never run on the engine's (or Electron's main) thread.
import { parentPort } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import type { ProviderPreference } from '../../../shared/executionProviders';
import { availableProviders } from './availableProviders';
import { decodeHeatmaps, decodePeakWindow, peakToInputGrid } from './decodeLandmarks';
import { PEAK_OUTPUTS, PEAK_WINDOW, withPeakOutputs } from './peakGraph';
import { planProviders } from './providers';
import { fillMaskedBatch, type MaskBase } from './maskedBatch';
import type { TensorData, TensorInfo, WorkerRequest, WorkerResponse } from './protocol';

const sessions = new Map<string, ort.InferenceSession>();
/** What each session was loaded from, to derive its peak graph on first use (peakGraph.ts). */
const loaded = new Map<string, { model: Uint8Array; threads: number; provider: ProviderPreference; memoryArena: boolean }>();
/** Per session: its peak-graph session, or null when the model cannot have one (whole heatmaps are decoded). */
const peakSessions = new Map<string, Promise<ort.InferenceSession | null>>();

/** Models up to this size keep their bytes in the worker for the peak graph (landmark models are small). */
const KEEP_BYTES_MAX = 64 * 1024 * 1024;

function peakSession(key: string, output: string): Promise<ort.InferenceSession | null> {
  let s = peakSessions.get(key);
  if (!s) {
    const source = loaded.get(key);
    s = (async () => {
      const derived = source && withPeakOutputs(source.model, output);
      if (!derived) return null;
      try {
        return (await createSession(derived, source.threads, source.provider, source.memoryArena)).session;
      } catch {
        return null; // an op the provider lacks: the plain model still runs, decoded in JS
      }
    })();
    peakSessions.set(key, s);
  }
  return s;
}

async function releasePeakSession(key: string): Promise<void> {
  const s = peakSessions.get(key);
  peakSessions.delete(key);
  await (await s)?.release();
}
const maskBases = new Map<string, MaskBase>();
let batchBuffer = new Float32Array(0);

/** A span on the clock all threads share (each thread's performance.now() has its own origin). */
const shared = (t0: number, t1: number): [number, number] => [performance.timeOrigin + t0, performance.timeOrigin + t1];

function describe(meta: readonly ort.InferenceSession.ValueMetadata[]): TensorInfo[] {
  return meta.map((m) => ({ name: m.name, type: m.isTensor ? String(m.type) : 'non-tensor', shape: m.isTensor ? [...m.shape] : [] }));
}

/**
 * ORT's message without its source location and failed check ("/onnxruntime_src/...cc:136 ...
 * status == Success was false. Failed to get a WebGPU adapter: ..." -> "Failed to get ...").
 */
function readableOrtError(err: unknown): string {
  const first = (err instanceof Error ? err.message : String(err)).split('\n')[0];
  return first.split(' was false. ').pop()!.replace(/^\S+\.(cc|cpp|h):\d+ /, '');
}

/** Providers that failed to start in this thread, and why: not tried again for every model. */
const failed = new Map<string, string>();

/** The plan's providers in turn (ORT throws instead of falling back); every reason is kept. */
async function createSession(model: Uint8Array, threads: number, preference: ProviderPreference, memoryArena: boolean) {
  const base: ort.InferenceSession.SessionOptions = {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    enableCpuMemArena: memoryArena,
  };
  const plan = planProviders(preference, process.platform, availableProviders());
  const notes = [...plan.skipped];
  for (const provider of plan.order) {
    if (provider === 'cpu') break;
    const known = failed.get(provider);
    if (known) {
      notes.push(known);
      continue;
    }
    try {
      // Fatal-only logging: a missing GPU is expected on many machines, not an error to print.
      const session = await ort.InferenceSession.create(model, { ...base, logSeverityLevel: 4, executionProviders: [provider] });
      return { session, provider, notes };
    } catch (err) {
      const reason = `${provider}: ${readableOrtError(err)}`;
      failed.set(provider, reason);
      notes.push(reason);
    }
  }
  return { session: await ort.InferenceSession.create(model, { ...base, executionProviders: ['cpu'] }), provider: 'cpu' as const, notes };
}

async function handle(req: WorkerRequest): Promise<WorkerResponse> {
  switch (req.type) {
    case 'load': {
      const { session, provider, notes } = await createSession(req.model, req.threads, req.provider, req.memoryArena);
      await sessions.get(req.key)?.release();
      await releasePeakSession(req.key);
      sessions.set(req.key, session);
      if (req.model.byteLength <= KEEP_BYTES_MAX) loaded.set(req.key, { model: req.model, threads: req.threads, provider: req.provider, memoryArena: req.memoryArena });
      else loaded.delete(req.key);
      return {
        id: req.id,
        ok: true,
        type: 'load',
        provider,
        gpuError: notes.length ? notes.join('; ') : undefined,
        inputs: describe(session.inputMetadata),
        outputs: describe(session.outputMetadata),
      };
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
      const tensor = new ort.Tensor('float32', batchBuffer.subarray(0, batch * size), [batch, ...req.sampleDims]);
      const peaks = req.decode.type === 'heatmapPeaks' ? await peakSession(req.key, req.output) : null;
      if (peaks && req.decode.type === 'heatmapPeaks') {
        const t0 = performance.now();
        const result = await peaks.run({ [req.inputName]: tensor }, Object.values(PEAK_OUTPUTS));
        const t1 = performance.now();
        const index = result[PEAK_OUTPUTS.index].data as BigInt64Array;
        const window = result[PEAK_OUTPUTS.window].data as Float32Array;
        const [, channels, h, w] = Array.from(result[PEAK_OUTPUTS.shape].data as BigInt64Array, Number);
        const values = new Float32Array(batch * channels * 2);
        for (let i = 0; i < batch * channels; i++) {
          const peak = decodePeakWindow(Number(index[i]), window.subarray(i * PEAK_WINDOW, (i + 1) * PEAK_WINDOW), w, h, req.decode.refinement);
          const p = peakToInputGrid(peak, w, h, req.decode.inputSize);
          values[2 * i] = p.x;
          values[2 * i + 1] = p.y;
        }
        return { id: req.id, ok: true, type: 'runMasked', values, perSample: channels * 2, ms: t1 - t0, span: shared(t0, t1) };
      }
      const t0 = performance.now();
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
      loaded.delete(req.key);
      await releasePeakSession(req.key);
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
