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
import { cascadingRandomization, parameterLayers } from './randomizeLayers';
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

export async function runSanityCheck(
  ctx: ExplainContext,
  methodName: string,
  method: MethodEntry,
  rawOptions: Record<string, unknown>,
  o: SanityOptions,
  progress: (p: JobProgress) => void,
  signal: AbortSignal,
): Promise<SanityResult> {
  const layerCount = parameterLayers(decodeModel(ctx.onnx)).length;
  const steps = Math.min(layerCount, o.maxSteps);
  const stochastic = 'seed' in method.parse(rawOptions);
  const total = 2 + steps + (stochastic ? 1 : 0);
  let done = 0;
  const tick = () => progress({ done: ++done, total });
  const quiet = () => {};
  const run = async (c: ExplainContext, options: Record<string, unknown>) => {
    const out = await method.run(c, method.parse(options), quiet, signal);
    tick();
    return out;
  };
  const dims = ctx.input.grid.dimensions as [number, number, number];
  // A landmark error measured against the study's ground truth is anchored at the true landmark
  // whatever the model: a randomized U-Net's peak jumps towards it when mask edges appear there, so
  // its map would overlap the original's through the target, not the method. Every run of the check
  // (original, floor, seeds, randomized models) measures each model against its own unmasked prediction.
  const ownReference = 'reference' in method.parse(rawOptions);
  const own: ExplainContext = { ...ctx, truthInGrid: undefined };
  const asked = ownReference ? { ...rawOptions, reference: 'prediction' } : rawOptions;

  const original = await run(own, asked);
  const target = pinnedTarget(original, asked.target);
  const pinned = { ...asked, ...(target === undefined ? {} : { target }) };
  const floor = likeness(original, await run(o.unrelated ? { ...o.unrelated, truthInGrid: undefined } : turned(own), pinned), dims);
  let seedAgreement: Likeness | undefined;
  if (stochastic) {
    const seed = Number((method.parse(rawOptions) as { seed: number }).seed);
    seedAgreement = likeness(original, await run(own, { ...pinned, seed: seed + 1 }), dims);
  }
  const results: SanityResult['steps'] = [];
  let k = 0;
  for (const model of cascadingRandomization(ctx.onnx, o.seed, o.maxSteps)) {
    const key = `${ctx.session.key}:sanity:${o.seed}:${k++}`;
    const session = await ctx.worker.load(key, model.onnx, { provider: ctx.session.provider });
    try {
      const out = await run({ ...own, session, onnx: model.onnx }, pinned);
      results.push({ layers: model.layers, ...likeness(original, out, dims) });
    } finally {
      // Gradient methods built a gradient model of this randomized model: it goes with it.
      await unloadGradientSessions(ctx.worker, key);
      await ctx.worker.unload(key);
    }
  }
  const byRegion = original.layers?.significant !== undefined;
  const emptyOriginal = byRegion && !mapsOf(original).region!.some((v) => v > 0);
  const judged = judge({ byRegion, emptyOriginal, final: results[results.length - 1], floor, seedAgreement, margin: o.margin });
  const kind = (original.details.target as { kind?: string } | undefined)?.kind;
  const landmarkReference = ownReference && (kind === 'landmark' || kind === 'landmarks');
  const { verdict } = judged;
  const reason = landmarkReference ? `${judged.reason}; every model's landmark errors measured against its own unmasked prediction` : judged.reason;
  return {
    method: methodName,
    target: original.maps[original.maps.length - 1].target,
    compared: mapsOf(original).compared,
    judgedBy: byRegion ? 'region' : 'spearman',
    seed: o.seed,
    ...(landmarkReference ? { reference: 'own prediction' as const } : {}),
    layerCount,
    steps: results,
    floor,
    seedAgreement,
    margin: o.margin,
    verdict,
    reason,
  };
}
