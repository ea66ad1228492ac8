// MUPAX (Multidimensional Problem-Agnostic eXplainable AI): stratified random chunk masks, the
// frozen model on each masked input, rejection of samples whose error exceeds the W-th percentile,
// inverse-error weighting of the accepted masks. On top of the paper: every chunk is tested against
// a null model (significance.ts) and the result's maps show the FDR-controlled significant evidence
// (z inside the region, 0 outside); the paper's weighted retention stays available as a layer.
// Coarse-to-fine (option `refine`): sample chunks twice as large until their region is
// stable (or half the budget is spent), then split the significant ones into `chunk`-sized units
// and spend the rest there. Sampling stops once the significant region has stopped changing.
// Seeded and deterministic whatever the batch size.
import { withMainLast } from '../mainLast';
import type { ExplainContext, JobProgress, MethodOutput } from '../method';
import { putSamples, sampleKey, takeSamples } from '../perturbation/sampleBank';
import { chunksToVoxels, coarserGrid, MupaxParameterError, type Partition, refinedPartition } from './chunks';
import { jointTest } from './joint';
import { groupsOf, levelsOf } from './levels';
import type { MupaxOptions } from './options';
import { MupaxSampling, prepareMupax } from './sampling';
import { type Significance, testHierarchy } from './significance';
import { ANY_LANDMARK, type ConvergencePoint, sampleStage, type StageResult } from './stage';

export { ANY_LANDMARK, type ConvergencePoint, evidenceOf, firstHalf, secondHalf } from './stage';

export async function runMupax(ctx: ExplainContext, o: MupaxOptions, progress: (p: JobProgress) => void, signal: AbortSignal): Promise<MethodOutput> {
  const setup = await prepareMupax(ctx, o);
  const { fine, target, estimator: est, fill } = setup;
  const { input } = ctx;
  const targets = target.errorNames;
  const main = target.errorIndex;
  const testOpts = { percentile: o.percentile, acceptance: est.acceptance, q: o.fdr };
  const report = { convergence: [] as ConvergencePoint[], progress, signal, t0: performance.now() };
  const inferenceWallBefore = ctx.worker.inferenceWallMs();

  const coarse = est.refine ? coarserGrid(input.grid.dimensions, fine.size) : null;
  let result: StageResult;
  let partition: Partition = fine;
  let coarseSamples = 0;
  let refinedChunks = 0;
  let inferenceMs = 0;
  let coarseTests: Significance[] | null = null;
  let refine: Uint8Array | null = null;
  const runs: MupaxSampling[] = [];
  const key = sampleKey(ctx, o, { chunk: setup.chunk, baseline: est.baseline, antithetic: est.antithetic });
  const onFineGrid = new Set<MupaxSampling>();
  const start = async (p: Partition, stream: string) => {
    // The plain chunk grid's samples may already be in the bank (another method drew them).
    const run = (p === fine && takeSamples(key)) || (await MupaxSampling.start(ctx, setup, p, stream));
    runs.push(run);
    if (p === fine) onFineGrid.add(run);
    return run;
  };
  try {
    if (coarse) {
      const first = await sampleStage(await start(coarse, ':coarse'), setup, 'coarse', Math.floor(o.samples / 2), 0, report);
      // Split every coarse chunk significant for any target (landmark models: any landmark).
      const tests = targets.map((_, t) => first.acc.test(t, testOpts));
      refine = new Uint8Array(coarse.count);
      for (const t of tests) t.significant.forEach((s, c) => s && (refine![c] = 1));
      refinedChunks = refine.reduce((a, b) => a + b, 0);
      if (refinedChunks > 0) {
        coarseTests = tests;
        coarseSamples = first.acc.count;
        inferenceMs += first.inferenceMs;
        partition = refinedPartition(coarse, fine, refine);
        result = await sampleStage(await start(partition, ''), setup, 'fine', o.samples - coarseSamples, coarseSamples, report);
      } else {
        // Nothing to refine: the coarse grid keeps the whole budget (finer chunks would only dilute).
        partition = coarse;
        result = await sampleStage(first.run, setup, 'coarse', o.samples, 0, report);
      }
    } else {
      result = await sampleStage(await start(fine, ''), setup, 'fine', o.samples, 0, report);
    }
  } finally {
    // A run on the plain chunk grid goes to the sample bank (RISE and the regression reuse it).
    for (const run of runs) {
      if (onFineGrid.has(run) && !signal.aborted) await putSamples(key, run);
      else await run.close();
    }
  }
  const { acc } = result;
  inferenceMs += result.inferenceMs;

  const finals = targets.map((_, t) => acc.test(t, testOpts));
  if (finals[main].accepted === 0) throw new MupaxParameterError('percentile: no sample was accepted; W is too strict for these errors');
  const groups = coarse && refine && coarseTests && partition !== coarse ? groupsOf(partition, coarse, refine) : null;
  const levels = finals.map((f, t) => {
    if (!groups) return levelsOf(partition, f);
    const sel = acc.select(t, o.percentile, est.acceptance);
    const parents = groups.chunks.map((c) => coarseTests![t].significant[c]);
    const h = testHierarchy(acc.allMasks, partition.count, sel.indices, sel.weights, sel.fractions, groups.units, parents, o.fdr);
    return levelsOf(partition, h.units, groups.units, h.remainderZ, h.remainderShown);
  });
  // Landmark models: one more map, "any landmark" (the joint test), shown by default.
  const names = [...targets];
  if (target.kind !== 'class') {
    const joint = jointTest(acc, targets.slice(0, -1).map((_, i) => i), testOpts);
    finals.push({ ...joint, threshold: NaN });
    levels.push(levelsOf(partition, joint));
    names.push(ANY_LANDMARK);
  }
  const retentionMain = chunksToVoxels(partition, finals[main].retention);
  // The paper's "explained input": the weighted average of the accepted masked inputs.
  const explained = new Float32Array(retentionMain.length);
  for (let v = 0; v < explained.length; v++) explained[v] = retentionMain[v] * input.data[v] + (1 - retentionMain[v]) * fill[v];
  const last = report.convergence.at(-1);
  const samplesUsed = coarseSamples + acc.count;
  const out: MethodOutput = {
    maps: names.map((name, t) => ({ target: name, data: levels[t].evidence })),
    layers: {
      retention: finals.map((f) => chunksToVoxels(partition, f.retention)),
      z: finals.map((f) => chunksToVoxels(partition, f.z)),
      significant: levels.map((l) => l.significant),
    },
    details: {
      method: 'mupax',
      parameters: {
        ...o,
        ...est,
        chunk: setup.chunk,
        chunkGrid: [fine.counts[2], fine.counts[1], fine.counts[0]],
        chunkCount: fine.count,
        baselineValue: est.baseline === 'blur' ? undefined : fill[0],
      },
      target: { label: target.label, kind: target.kind, index: target.index, chosenBy: target.chosenBy },
      reference: target.reference,
      shows: 'significant evidence',
      resolution: coarse
        ? { coarseChunk: [coarse.size[2], coarse.size[1], coarse.size[0]], coarseSamples, refinedCoarseChunks: refinedChunks, units: partition.count }
        : { units: partition.count },
      samplesUsed,
      samplesReused: result.reused,
      stability: {
        stable: result.stableAt !== null,
        stableAfterSamples: result.stableAt === null ? null : samplesUsed,
        splitHalfJaccard: last?.splitHalfJaccard ?? null,
        jaccardWithPrevious: last?.jaccardWithPrevious ?? null,
      },
      significance: finals.map((f, t) => ({
        target: names[t],
        q: f.q,
        significantChunks: levels[t].significantUnits + levels[t].groupsShown,
        coarseChunksShownWhole: levels[t].groupsShown,
        chunkCount: partition.count,
        zThreshold: Number.isFinite(levels[t].zThreshold) ? levels[t].zThreshold : null,
        zMax: Math.max(...f.z),
        nullMean: f.nullMean,
        nullSd: f.nullSd,
        accepted: f.accepted,
        acceptanceThreshold: f.threshold,
        effectiveSamples: f.effectiveSamples,
      })),
      convergence: report.convergence,
      // inferenceMs: forward passes summed over the inference threads; inferenceWallMs: the time
      // during which at least one ran (runs on two threads overlap), what MUPAX is compared with.
      timing: { totalMs: performance.now() - report.t0, inferenceMs, inferenceWallMs: ctx.worker.inferenceWallMs() - inferenceWallBefore },
    },
    explainedInput: explained,
  };
  // One chosen landmark: its map is the main one (last), "any landmark" stays beside the others.
  return target.kind === 'landmark' ? withMainLast(out, main) : out;
}
