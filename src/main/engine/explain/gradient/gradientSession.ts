// Gradient models derived from a model package (one per model and set of tensors), loaded once in
// the inference worker and reused: the seed input chooses the class or landmark at run time.
import { buildGradientModel, findCamActivation, type GradientModel } from '../autodiff';
import type { ExplainContext } from '../method';

interface Loaded {
  key: string;
  gm: GradientModel;
}

// Per worker: a restarted worker (or another engine's) has none of them loaded.
const loadedByWorker = new WeakMap<ExplainContext['worker'], Map<string, Promise<Loaded>>>();

export class GradientMethodError extends Error {}

export function gradcamLayer(ctx: ExplainContext, onnx: Uint8Array): string {
  const layer = ctx.manifest.gradcamTarget ?? findCamActivation(onnx);
  if (!layer) throw new GradientMethodError('no Grad-CAM target layer: name one in model.json (gradcamTarget)');
  return layer;
}

/** Loads (once) the gradient model of `output` w.r.t. `wrt`, keeping `keep` as outputs. */
export function gradientSession(ctx: ExplainContext, onnx: Uint8Array, wrt: string[], keep: string[]): Promise<Loaded> {
  const key = `${ctx.session.key}:grad:${wrt.join('+')}:${keep.join('+')}`;
  let loaded = loadedByWorker.get(ctx.worker);
  if (!loaded) loadedByWorker.set(ctx.worker, (loaded = new Map()));
  let entry = loaded.get(key);
  if (!entry) {
    entry = (async () => {
      const gm = buildGradientModel(onnx, { output: ctx.manifest.output.name, wrt, keepActivations: keep });
      await ctx.worker.load(key, gm.model, { provider: ctx.session.provider });
      return { key, gm };
    })();
    entry.catch(() => loaded!.delete(key));
    loaded.set(key, entry);
  }
  return entry;
}

/**
 * Unloads every gradient model derived from the session `sessionKey` and forgets it (a sanity
 * check's randomized models: each is used once, and a later check may reuse the key for another
 * randomization). Returns the keys unloaded.
 */
export async function unloadGradientSessions(worker: ExplainContext['worker'], sessionKey: string): Promise<string[]> {
  const loaded = loadedByWorker.get(worker);
  if (!loaded) return [];
  const prefix = `${sessionKey}:grad:`;
  const entries = [...loaded].filter(([k]) => k.startsWith(prefix));
  for (const [k] of entries) loaded.delete(k);
  await Promise.all(
    entries.map(async ([k, entry]) => {
      if (await entry.then(() => true, () => false)) await worker.unload(k); // one that failed to load holds nothing
    }),
  );
  return entries.map(([k]) => k);
}
