// MUPAX (Multidimensional Problem-Agnostic eXplainable AI): stratified random chunk masks, the
// frozen model on each masked input, rejection of samples whose error exceeds the W-th percentile,
// inverse-error weighting of the accepted masks. On top of the paper: every chunk is tested against
// a null model (significance.ts) and the result's maps show the FDR-controlled significant evidence
// (z inside the region, 0 outside); the paper's weighted retention stays available as a layer.
// Coarse-to-fine (default outside paper mode): sample chunks twice as large until their region is
// stable (or half the budget is spent), then split the significant ones into `chunk`-sized units
// and spend the rest there. Sampling stops once the significant region has stopped changing.
// Seeded and deterministic whatever the batch size.
import { ExplainCancelled, type ExplainContext, type JobProgress, type MethodOutput } from '../method';
import { correlation } from './accumulator';
import { chunksToVoxels, coarserGrid, MupaxParameterError, type Partition, refinedPartition } from './chunks';
import type { MupaxOptions } from './options';
import { MupaxSampling, prepareMupax } from './sampling';
import { putSamples, sampleKey, takeSamples } from '../perturbation/sampleBank';
import { jointTest } from './joint';
import { jaccard, type Significance, testHierarchy } from './significance';

export interface ConvergencePoint {
  /** Samples drawn so far, all stages together. */
  samples: number;
  stage: 'coarse' | 'fine';
  /** Chunks in the significant region of the main target. */
  regionSize: number;
  /** Jaccard of the region with the previous check's (same stage). */
  jaccardWithPrevious: number;
  /** Jaccard of the regions of the two halves of the samples (each tested on its own). */
  splitHalfJaccard: number;
  /** Correlation of the two halves' retention maps. */
  splitHalfCorrelation: number;
  acceptanceRate: number;
}

/** z inside the significant region, 0 outside, on the chunk level. */
export function evidenceOf(s: Significance): Float64Array {
  return Float64Array.from(s.z, (z, c) => (s.significant[c] ? z : 0));
}

/** Halves by sample pairs (0,1 | 2,3 | ...), so antithetic partners stay together. */
export const firstHalf = (s: number) => (s >> 1) % 2 === 0;
export const secondHalf = (s: number) => (s >> 1) % 2 === 1;

interface StageResult {
  run: MupaxSampling;
  /** The samples this stage used (a banked run may hold more). */
  acc: MupaxSampling['acc'];
  stableAt: number | null;
  /** Samples that came from the bank, and the inference time this stage spent itself. */
  reused: number;
  inferenceMs: number;
}

export const ANY_LANDMARK = 'any landmark';

/** The main target's test: its own, or for all landmarks the joint "any landmark" test. */
function mainTester(setup: MupaxSampling['setup']) {
  const o = setup.options;
  const opts = { percentile: o.percentile, acceptance: setup.estimator.acceptance, q: o.fdr };
  const t = setup.target;
  if (t.kind === 'landmarks') {
    const landmarks = t.errorNames.slice(0, -1).map((_, i) => i);
    return (acc: MupaxSampling['acc'], use?: (i: number) => boolean) => jointTest(acc, landmarks, opts, use);
  }
  return (acc: MupaxSampling['acc'], use?: (i: number) => boolean) => acc.test(t.errorIndex, opts, use);
}

/** Samples `run` until its main region is stable or its accumulator holds `budget` samples. */
async function sampleStage(
  run: MupaxSampling,
  stage: ConvergencePoint['stage'],
  budget: number,
  before: number,
  report: { convergence: ConvergencePoint[]; progress: (p: JobProgress) => void; signal: AbortSignal; t0: number },
): Promise<StageResult> {
  const { setup, partition } = run;
  const o = setup.options;
  // Samples already in the run (from the bank) are replayed check by check, as if drawn now.
  let used = 0;
  let acc = run.acc.view(0);
  const banked = run.acc.count;
  const inferenceBefore = run.workerInferenceMs;
  const testMain = mainTester(setup);
  let previous: Uint8Array | null = null;
  let calm = 0;
  let stableAt: number | null = null;
  {
    while (acc.count < budget && stableAt === null) {
      if (report.signal.aborted) throw new ExplainCancelled();
      // Batches end on check points, so checks (and stopping) do not depend on the batch size.
      const toCheck = o.checkEvery - (acc.count % o.checkEvery);
      const step = Math.min(o.batchSize, budget - acc.count, toCheck);
      if (run.acc.count < used + step) await run.draw(used + step - run.acc.count);
      used += step;
      acc = run.acc.view(used);
      if (acc.count % o.checkEvery !== 0 && acc.count < budget) continue;
      const now = testMain(acc);
      const a = testMain(acc, firstHalf);
      const b = testMain(acc, secondHalf);
      const point: ConvergencePoint = {
        samples: before + acc.count,
        stage,
        regionSize: now.significantCount,
        jaccardWithPrevious: previous ? jaccard(previous, now.significant) : 0,
        splitHalfJaccard: jaccard(a.significant, b.significant),
        splitHalfCorrelation: correlation(a.retention, b.retention),
        acceptanceRate: now.accepted / acc.count,
      };
      report.convergence.push(point);
      previous = now.significant;
      calm = now.significantCount > 0 && point.jaccardWithPrevious >= o.stableJaccard ? calm + 1 : 0;
      if (o.stableChecks > 0 && calm >= o.stableChecks) stableAt = acc.count;
      const n = before + acc.count;
      const elapsed = (performance.now() - report.t0) / 1000;
      const total = stableAt !== null && stage === 'fine' ? n : o.samples;
      report.progress({
        done: n,
        total,
        stats: { acceptanceRate: point.acceptanceRate, samplesPerSecond: n / elapsed, etaSeconds: ((total - n) * elapsed) / n, regionSize: point.regionSize, jaccardWithPrevious: point.jaccardWithPrevious, splitHalfJaccard: point.splitHalfJaccard },
        partial: chunksToVoxels(partition, evidenceOf(now)),
      });
    }
  }
  return { run, acc, stableAt, reused: Math.min(banked, used), inferenceMs: run.workerInferenceMs - inferenceBefore };
}

interface TargetLevels {
  evidence: Float32Array;
  significant: Float32Array;
  /** Units significant on their own, and refined coarse chunks shown as a whole. */
  significantUnits: number;
  groupsShown: number;
  zThreshold: number;
}

/** The units of the mixed partition inside each refined coarse chunk, in chunk order. */
function groupsOf(partition: Partition, coarse: Partition, refined: Uint8Array): { chunks: number[]; units: number[][] } {
  const byChunk = new Map<number, Set<number>>();
  for (let v = 0; v < partition.chunkOf.length; v++) {
    const c = coarse.chunkOf[v];
    if (!refined[c]) continue;
    let set = byChunk.get(c);
    if (!set) byChunk.set(c, (set = new Set()));
    set.add(partition.chunkOf[v]);
  }
  const chunks = [...byChunk.keys()].sort((x, y) => x - y);
  return { chunks, units: chunks.map((c) => [...byChunk.get(c)!].sort((x, y) => x - y)) };
}

/** Voxel maps of one target: units significant on their own, and groups' remainders shown whole. */
function levelsOf(partition: Partition, test: Significance, groups: number[][] = [], remainderZ?: Float64Array, remainderShown?: Uint8Array): TargetLevels {
  const unitValue = Float64Array.from(test.z, (z, u) => (test.significant[u] ? z : 0));
  const unitShown = Uint8Array.from(test.significant);
  let groupsShown = 0;
  let zThreshold = test.zThreshold;
  groups.forEach((g, i) => {
    if (!remainderShown?.[i]) return;
    groupsShown++;
    zThreshold = Math.min(zThreshold, remainderZ![i]);
    for (const u of g) if (!unitShown[u]) {
      unitShown[u] = 1;
      unitValue[u] = remainderZ![i];
    }
  });
  return { evidence: chunksToVoxels(partition, unitValue), significant: chunksToVoxels(partition, unitShown), significantUnits: test.significantCount, groupsShown, zThreshold };
}

export async function runMupax(ctx: ExplainContext, o: MupaxOptions, progress: (p: JobProgress) => void, signal: AbortSignal): Promise<MethodOutput> {
  const setup = await prepareMupax(ctx, o);
  const { fine, target, estimator: est, fill } = setup;
  const { input } = ctx;
  const targets = target.errorNames;
  const main = target.errorIndex;
  const testOpts = { percentile: o.percentile, acceptance: est.acceptance, q: o.fdr };
  const report = { convergence: [] as ConvergencePoint[], progress, signal, t0: performance.now() };

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
      const first = await sampleStage(await start(coarse, ':coarse'), 'coarse', Math.floor(o.samples / 2), 0, report);
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
        result = await sampleStage(await start(partition, ''), 'fine', o.samples - coarseSamples, coarseSamples, report);
      } else {
        // Nothing to refine: the coarse grid keeps the whole budget (finer chunks would only dilute).
        partition = coarse;
        result = await sampleStage(first.run, 'coarse', o.samples, 0, report);
      }
    } else {
      result = await sampleStage(await start(fine, ''), 'fine', o.samples, 0, report);
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
  return {
    maps: names.map((name, t) => ({ target: name, data: levels[t].evidence })),
    layers: {
      retention: finals.map((f) => chunksToVoxels(partition, f.retention)),
      z: finals.map((f) => chunksToVoxels(partition, f.z)),
      significant: levels.map((l) => l.significant),
    },
    details: {
      method: 'mupax',
      parameters: { ...o, ...est, chunk: setup.chunk, chunkGrid: [fine.counts[2], fine.counts[1], fine.counts[0]], chunkCount: fine.count, baselineValue: est.baseline === 'blur' ? undefined : fill[0] },
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
      timing: { totalMs: performance.now() - report.t0, inferenceMs },
    },
    explainedInput: explained,
  };
}
