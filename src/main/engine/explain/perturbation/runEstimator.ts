// RISE and the linear regression as explanation methods: the samples come from the sample bank
// when a MUPAX run with the same sampling drew them (no extra forward pass), otherwise they are
// drawn here with MUPAX's sampler and banked for the next method. Maps on the model grid, one per
// target (landmark models: each landmark, the mean error, and "any landmark", the main one unless a
// landmark was chosen): the
// significant evidence (z inside the FDR region, 0 outside), as MUPAX's.
import { ExplainCancelled, type ExplainContext, type JobProgress, type MethodOutput } from '../method';
import { withMainLast } from '../mainLast';
import { chunksToVoxels } from '../mupax/chunks';
import type { MupaxOptions } from '../mupax/options';
import { MupaxParameterError } from '../mupax/chunks';
import { jointRegion } from '../mupax/joint';
import { MupaxSampling, prepareMupax } from '../mupax/sampling';
import { ANY_LANDMARK } from '../mupax/stage';
import { type ChunkEstimate, densityAdjusted, regression, rise } from './estimators';
import { putSamples, sampleKey, takeSamples } from './sampleBank';

/** The largest chunk count the regression solves (its cost grows with the cube). */
const MAX_REGRESSION_CHUNKS = 1024;

export function makeEstimator(kind: 'rise' | 'regression') {
  return async (ctx: ExplainContext, o: MupaxOptions, progress: (p: JobProgress) => void, signal: AbortSignal): Promise<MethodOutput> => {
    if (o.refine) throw new MupaxParameterError(`refine: ${kind} works on one chunk grid; coarse-to-fine is MUPAX's`);
    const t0 = performance.now();
    const setup = await prepareMupax(ctx, { ...o, refine: false });
    if (kind === 'regression' && setup.fine.count > MAX_REGRESSION_CHUNKS) {
      throw new MupaxParameterError(
        `chunk: the regression solves for one weight per chunk and takes at most ${MAX_REGRESSION_CHUNKS} chunks; these chunks give ${setup.fine.count}`,
      );
    }
    if (kind === 'regression' && o.samples <= setup.fine.count + 1) {
      throw new MupaxParameterError(`samples: the regression needs more samples than chunks (N = ${o.samples}, ${setup.fine.count} chunks)`);
    }
    const key = sampleKey(ctx, o, { chunk: setup.chunk, baseline: setup.estimator.baseline, antithetic: setup.estimator.antithetic });
    const banked = takeSamples(key);
    const run = banked ?? (await MupaxSampling.start(ctx, setup));
    const reused = Math.min(run.acc.count, o.samples);
    try {
      while (run.acc.count < o.samples) {
        if (signal.aborted) throw new ExplainCancelled();
        await run.draw(Math.min(o.batchSize, o.samples - run.acc.count));
        progress({ done: run.acc.count, total: o.samples });
      }
    } finally {
      await putSamples(key, run);
    }
    const n = o.samples;
    const chunks = run.partition.count;
    const masks = run.acc.allMasks.subarray(0, n * chunks);
    const target = run.setup.target;
    // The score the target wants high: p(class) (from its error), or minus the radial error.
    const scoreOf = (err: number) => (target.kind !== 'class' ? -err : o.error === 'cross-entropy' ? Math.exp(-err) : 1 - err);
    const estimates: ChunkEstimate[] = target.errorNames.map((_, t) => {
      const errors = run.acc.errorsOf(t);
      const scores = Float64Array.from({ length: n }, (_, s) => scoreOf(errors[s]));
      if (kind === 'regression') return regression(masks, chunks, scores, o.fdr);
      return rise(masks, chunks, densityAdjusted(scores, Float64Array.from({ length: n }, (_, s) => run.acc.keptFraction(s))), o.fdr);
    });
    // Landmark models: one more map, "any landmark", the joint test of the landmarks' own tests (as
    // MUPAX's; the mean landmark error dilutes a chunk that matters for one landmark). The main map
    // for all landmarks; beside the others when one landmark was chosen.
    const names = [...target.errorNames];
    if (target.kind !== 'class') {
      const joint = jointRegion(estimates.slice(0, -1), o.fdr);
      const value = new Float64Array(chunks).fill(-Infinity);
      for (const e of estimates.slice(0, -1)) for (let c = 0; c < chunks; c++) value[c] = Math.max(value[c], e.value[c]);
      const significantCount = joint.significant.reduce((a, b) => a + b, 0);
      estimates.push({ value, z: joint.z, p: joint.minP, significant: joint.significant, significantCount, zThreshold: joint.zThreshold });
      names.push(ANY_LANDMARK);
    }
    progress({ done: n, total: n });
    const evidence = (e: ChunkEstimate) => Float64Array.from(e.z, (z, c) => (e.significant[c] ? z : 0));
    const out: MethodOutput = {
      maps: names.map((name, t) => ({ target: name, data: chunksToVoxels(run.partition, evidence(estimates[t])) })),
      layers: {
        value: estimates.map((e) => chunksToVoxels(run.partition, e.value)),
        z: estimates.map((e) => chunksToVoxels(run.partition, e.z)),
        significant: estimates.map((e) => chunksToVoxels(run.partition, e.significant)),
      },
      details: {
        method: kind,
        parameters: {
          samples: o.samples,
          seed: o.seed,
          chunk: setup.chunk,
          baseline: setup.estimator.baseline,
          antithetic: setup.estimator.antithetic,
          fdr: o.fdr,
          target: o.target,
          reference: o.reference,
          error: o.error,
          chunkCount: chunks,
        },
        target: { label: target.label, kind: target.kind, index: target.index, chosenBy: target.chosenBy },
        reference: target.reference,
        shows: 'significant evidence',
        samplesUsed: n,
        samplesReused: reused,
        significance: estimates.map((e, t) => ({
          target: names[t],
          q: o.fdr,
          significantChunks: e.significantCount,
          chunkCount: chunks,
          zThreshold: Number.isFinite(e.zThreshold) ? e.zThreshold : null,
          zMax: Math.max(...e.z),
          accepted: n,
        })),
        timing: { totalMs: performance.now() - t0 },
      },
    };
    // One chosen landmark: its map is the main one (last).
    return target.kind === 'landmark' ? withMainLast(out, target.errorIndex) : out;
  };
}
