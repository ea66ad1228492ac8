// One stage of MUPAX sampling: draw (or replay banked) samples in batches, test the main target's
// region every `checkEvery` samples, stream the partial evidence map, and stop once the region has
// been the same for `stableChecks` checks or the stage's budget is spent.
import { ExplainCancelled, type JobProgress } from '../method';
import { correlation } from './accumulator';
import { chunksToVoxels } from './chunks';
import { jointTest } from './joint';
import type { MupaxSampling } from './sampling';
import { jaccard, type Significance } from './significance';

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

export interface StageResult {
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

/**
 * Samples `run` until its main region is stable or its accumulator holds `budget` samples. `setup`
 * is the calling method's own: a banked run was set up by whichever method drew it (the bank key
 * fixes the samples, not the estimator), so its acceptance, W, q and stopping rule are not this
 * method's. Testing with the run's would make MUPAX's paper mode stop where the default mode's
 * region settled, and report the default's convergence as its own.
 */
export async function sampleStage(
  run: MupaxSampling,
  setup: MupaxSampling['setup'],
  stage: ConvergencePoint['stage'],
  budget: number,
  before: number,
  report: { convergence: ConvergencePoint[]; progress: (p: JobProgress) => void; signal: AbortSignal; t0: number },
): Promise<StageResult> {
  const { partition } = run;
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
      // Draw ahead up to the budget: the next batches run while this one is tested.
      await run.fill(used + step, budget);
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
        stats: {
          acceptanceRate: point.acceptanceRate,
          samplesPerSecond: n / elapsed,
          etaSeconds: ((total - n) * elapsed) / n,
          regionSize: point.regionSize,
          jaccardWithPrevious: point.jaccardWithPrevious,
          splitHalfJaccard: point.splitHalfJaccard,
        },
        partial: chunksToVoxels(partition, evidenceOf(now)),
      });
    }
  }
  return { run, acc, stableAt, reused: Math.min(banked, used), inferenceMs: run.workerInferenceMs - inferenceBefore };
}

