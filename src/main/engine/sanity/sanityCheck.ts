// The model-parameter randomization test (Adebayo et al. 2018) for any explanation method on any
// ONNX model: the map of the intact model is compared with the maps of models whose weight layers
// are redrawn, block by block from the output down. A map that explains the model must lose its
// likeness to the original as the model is destroyed, down to the likeness of the maps of two
// unrelated inputs (the floor: the same method on the input turned 180 degrees in-plane, on the
// intact model). A map that keeps its likeness explains the input, not the model (an edge detector
// would). Randomized models live in memory only, one at a time.
import type { SanityLikeness, SanityReport } from '../../../shared/sanity';
import type { TargetSpec } from '../../../shared/target';
import type { ExplainContext, JobProgress, MethodOutput } from '../explain/method';
import type { MethodEntry } from '../explain/methods';
import { cascadingRandomization, parameterLayers, whyNotRandomizable } from './randomizeLayers';
import { decodeModel } from '../explain/autodiff/proto';
import { unloadGradientSessions } from '../explain/gradient/gradientSession';
import { regionJaccard, spearman, ssim } from './similarity';

export type Likeness = SanityLikeness;
export type SanityResult = SanityReport;

export interface SanityOptions {
  seed: number;
  /** At most this many randomization steps (blocks of layers). */
  maxSteps: number;
  /** Pass when the fully randomized map's likeness is at most the floor's plus this. */
  margin: number;
  /** Another study on the same model grid for the floor; default: the input turned 180 degrees. */
  unrelated?: ExplainContext;
}

/** The map compared, and the region if the method tests significance (main target: the last map). */
function mapsOf(out: MethodOutput): { map: Float32Array; region?: Float32Array; compared: 'map' | 'z' } {
  const last = out.maps.length - 1;
  const z = out.layers?.z?.[last];
  return { map: z ?? out.maps[last].data, region: out.layers?.significant?.[last], compared: z ? 'z' : 'map' };
}

function likeness(a: MethodOutput, b: MethodOutput, dims: [number, number, number]): Likeness {
  const x = mapsOf(a);
  const y = mapsOf(b);
  return {
    spearman: spearman(x.map, y.map),
    ssim: ssim(x.map, y.map, dims),
    ...(x.region && y.region ? { regionJaccard: regionJaccard(x.region, y.region) } : {}),
  };
}

/** The input turned 180 degrees in each slice: the same intensities, an unrelated image. */
function turned(ctx: ExplainContext): ExplainContext {
  const [w, h, d] = ctx.input.grid.dimensions;
  const src = ctx.input.data;
  const data = new Float32Array(src.length);
  for (let z = 0; z < d; z++) for (let i = 0; i < w * h; i++) data[z * w * h + i] = src[z * w * h + (w * h - 1 - i)];
  return { ...ctx, input: { ...ctx.input, data }, truthInGrid: undefined };
}

/** The target the original map explains, pinned for the randomized models (their predictions change). */
function pinnedTarget(out: MethodOutput, asked: unknown): TargetSpec | undefined {
  const t = out.details.target as { kind?: string; index?: number } | undefined;
  if (t?.kind === 'class' && typeof t.index === 'number') return t.index;
  return asked as TargetSpec | undefined;
}

/**
 * The verdict. Methods with a significance test are judged on what they show, the significant
 * region (a z map is mostly noise outside it, so its rank correlation says little); the others on
 * the map's rank correlation. A map that two seeds do not reproduce above the floor, or an empty
 * original region, cannot show a fall to the floor: inconclusive.
 */
export function judge(a: { byRegion: boolean; emptyOriginal: boolean; final: Likeness; floor: Likeness; seedAgreement?: Likeness; margin: number }): {
  verdict: SanityResult['verdict'];
  reason: string;
} {
  const measure = (l: Likeness) => (a.byRegion ? (l.regionJaccard ?? 0) : (l.spearman ?? 0));
  const what = a.byRegion ? 'the Jaccard index of its significant region' : "the map's rank correlation";
  const final = measure(a.final);
  const floor = measure(a.floor);
  const bar = floor + a.margin;
  const self = a.seedAgreement ? measure(a.seedAgreement) : 1;
  const f = (v: number) => v.toFixed(2);
  if (a.emptyOriginal) return { verdict: 'inconclusive', reason: 'the intact model shows no significant region to compare: raise the samples' };
  if (self <= bar)
    return {
      verdict: 'inconclusive',
      reason: `the map does not reproduce itself across seeds (${what}: ${f(self)}) above the floor (${f(floor)}, two unrelated inputs) + ${a.margin}: raise the samples`,
    };
  if (final <= bar)
    return {
      verdict: 'pass',
      reason: `with every weight layer redrawn ${what} with the original falls to ${f(final)}, within ${a.margin} of the floor (${f(floor)}, two unrelated inputs)`,
    };
  return {
    verdict: 'fail',
    reason: `with every weight layer redrawn ${what} with the original is still ${f(final)}, above the floor (${f(floor)}) + ${a.margin}: it follows the input more than the model`,
  };
}

/** Thrown inside the check when a run gives no usable map; becomes the verdict "could not test". */
class CouldNotTest extends Error {}

/** Whether every value of the compared map (and its region) is a finite number. */
function finite(out: MethodOutput): boolean {
  const { map, region } = mapsOf(out);
  return map.every(Number.isFinite) && (!region || region.every(Number.isFinite));
}

export async function runSanityCheck(
  ctx: ExplainContext,
  methodName: string,
  method: MethodEntry,
  rawOptions: Record<string, unknown>,
  o: SanityOptions,
  progress: (p: JobProgress) => void,
  signal: AbortSignal,
): Promise<SanityResult> {
  const parsed = method.parse(rawOptions);
  // A landmark error measured against the study's ground truth is anchored at the true landmark
  // whatever the model: a randomized U-Net's peak jumps towards it when mask edges appear there, so
  // its map would overlap the original's through the target, not the method. Every run of the check
  // (original, floor, seeds, randomized models) measures each model against its own unmasked prediction.
  const ownReference = 'reference' in parsed;
  const own: ExplainContext = { ...ctx, truthInGrid: undefined };
  const asked = ownReference ? { ...rawOptions, reference: 'prediction' } : rawOptions;
  const decoded = decodeModel(ctx.onnx);
  const layerCount = parameterLayers(decoded).length;
  const base = { method: methodName, judgedBy: 'spearman' as SanityResult['judgedBy'], compared: 'map' as SanityResult['compared'], seed: o.seed, layerCount, margin: o.margin };
  const notRandomizable = whyNotRandomizable(decoded);
  if (notRandomizable) {
    const target = typeof rawOptions.target === 'string' || typeof rawOptions.target === 'number' ? String(rawOptions.target) : 'default target';
    return { ...base, target, steps: [], floor: null, verdict: 'could not test', reason: notRandomizable };
  }

  const steps = Math.min(layerCount, o.maxSteps);
  const stochastic = 'seed' in parsed;
  const total = 2 + steps + (stochastic ? 1 : 0);
  let done = 0;
  const tick = () => progress({ done: ++done, total });
  const quiet = () => {};
  /** One map; `what` names the model or input for the message when it gives none (the intact model's failures are the request's own). */
  const run = async (c: ExplainContext, options: Record<string, unknown>, what: string | null) => {
    let out: MethodOutput;
    try {
      out = await method.run(c, method.parse(options), quiet, signal);
    } catch (err) {
      if (what === null || signal.aborted) throw err;
      throw new CouldNotTest(`the method failed on ${what} (${(err as Error).message})`);
    }
    if (!finite(out)) throw new CouldNotTest(`the map of ${what ?? 'the intact model'} has values that are not finite numbers (NaN or infinity)`);
    tick();
    return out;
  };
  const dims = ctx.input.grid.dimensions as [number, number, number];

  const original = await run(own, asked, null);
  const target = pinnedTarget(original, asked.target);
  const pinned = { ...asked, ...(target === undefined ? {} : { target }) };
  const kind = (original.details.target as { kind?: string } | undefined)?.kind;
  const landmarkReference = ownReference && (kind === 'landmark' || kind === 'landmarks');
  const byRegion = original.layers?.significant !== undefined;
  const described = {
    ...base,
    target: original.maps[original.maps.length - 1].target,
    compared: mapsOf(original).compared,
    judgedBy: byRegion ? ('region' as const) : ('spearman' as const),
    ...(landmarkReference ? { reference: 'own prediction' as const } : {}),
  };
  const withReference = (reason: string) => (landmarkReference ? `${reason}; every model's landmark errors measured against its own unmasked prediction` : reason);

  let floor: Likeness | null = null;
  let seedAgreement: Likeness | undefined;
  const results: SanityResult['steps'] = [];
  try {
    floor = likeness(original, await run(o.unrelated ? { ...o.unrelated, truthInGrid: undefined } : turned(own), pinned, 'the unrelated input (the floor)'), dims);
    if (stochastic) {
      const seed = Number((parsed as { seed: number }).seed);
      seedAgreement = likeness(original, await run(own, { ...pinned, seed: seed + 1 }, `the next seed (${seed + 1})`), dims);
    }
    let k = 0;
    for (const model of cascadingRandomization(ctx.onnx, o.seed, o.maxSteps)) {
      const key = `${ctx.session.key}:sanity:${o.seed}:${k++}`;
      const session = await ctx.worker.load(key, model.onnx, { provider: ctx.session.provider });
      try {
        const out = await run({ ...own, session, onnx: model.onnx }, pinned, `the model with ${model.layers.length} of ${layerCount} weight layers redrawn`);
        results.push({ layers: model.layers, ...likeness(original, out, dims) });
      } finally {
        // Gradient methods built a gradient model of this randomized model: it goes with it.
        await unloadGradientSessions(ctx.worker, key);
        await ctx.worker.unload(key);
      }
    }
  } catch (err) {
    if (!(err instanceof CouldNotTest)) throw err;
    return { ...described, steps: results, floor, seedAgreement, verdict: 'could not test', reason: withReference(err.message) };
  }
  const emptyOriginal = byRegion && !mapsOf(original).region!.some((v) => v > 0);
  const { verdict, reason } = judge({ byRegion, emptyOriginal, final: results[results.length - 1], floor: floor!, seedAgreement, margin: o.margin });
  return { ...described, steps: results, floor, seedAgreement, verdict, reason: withReference(reason) };
}
