// Seed agreement of MUPAX's significant region, per estimator, on a demo study, in a fresh process:
//   tsx bench/mupaxStability.ts <ct|ceph> <maxN> <fill:min|blur> <antithetic:0|1> [seeds=1,2,3] [checks=256,512,1024,2048]
// Draws maxN samples per seed once and reads the region at each N of `checks` (sample i is the same
// whatever N), for both acceptance rules and for RISE and the regression on the same samples (the
// landmark model's "any landmark" region: the joint test). Prints one JSON line: per estimator and N, the mean
// pairwise Jaccard across seeds, the region size, and whether the region hits the lesion (CT) or
// each landmark's true position (ceph). Also the wall time per seed.
import { openDemoContext } from './demoContext';
import type { Acceptance } from '../src/main/engine/explain/mupax/accumulator';
import { mupaxOptionsSchema } from '../src/main/engine/explain/mupax/options';
import { MupaxSampling, prepareMupax } from '../src/main/engine/explain/mupax/sampling';
import { jaccard } from '../src/main/engine/explain/mupax/significance';
import { jointTest } from '../src/main/engine/explain/mupax/joint';
import { densityAdjusted, regression, rise } from '../src/main/engine/explain/perturbation/estimators';
import { lesionMask } from '../src/main/engine/metrics/localization';

const [kind, maxText, fill, anti, seedText = '1,2,3', checkText = '256,512,1024,2048'] = process.argv.slice(2) as [string, string, string, string, string?, string?];
const maxN = Number(maxText);
const seeds = seedText.split(',').map(Number);
const checks = checkText.split(',').map(Number).filter((n) => n <= maxN);
const { ctx, truth, close } = await openDemoContext(kind as 'ct' | 'ceph');
try {
  const target = kind === 'ct' ? 'nodule' : 'predicted';
  // The landmark model's main region is "any landmark" (mupax.ts); the mean-error target is replaced by it here.
  // regions[acceptance][N][seed][target] = 0/1 per chunk
  const regions: Record<string, Record<number, Uint8Array[][]>> = { global: {}, stratum: {}, rise: {}, regression: {} };
  const seconds: number[] = [];
  let chunkOf: Int32Array | null = null;
  let targets: string[] = [];
  let hitMask: ((t: number) => Uint8Array) | null = null;
  for (const seed of seeds) {
    const o = mupaxOptionsSchema.parse({ samples: maxN, seed, target, baseline: fill === 'min' ? 'min' : fill, antithetic: anti === '1', stableChecks: 0, batchSize: 8 });
    const t0 = performance.now();
    const run = await MupaxSampling.start(ctx, await prepareMupax(ctx, o));
    chunkOf = run.partition.chunkOf;
    targets = run.setup.target.errorNames;
    if (!hitMask) {
      const grid = ctx.input.grid;
      if (kind === 'ct') {
        const lesions = lesionMask(grid, truth?.lesions ?? []);
        const chunks = new Uint8Array(run.partition.count);
        lesions.forEach((v, i) => v && (chunks[chunkOf![i]] = 1));
        hitMask = () => chunks;
      } else {
        hitMask = (t: number) => {
          const chunks = new Uint8Array(run.partition.count);
          const pts = t < targets.length - 1 ? [ctx.truthInGrid?.[t]] : ctx.truthInGrid ?? [];
          for (const p of pts) if (p) chunks[chunkOf![Math.round(p[1]) * grid.dimensions[0] + Math.round(p[0])]] = 1;
          return chunks;
        };
      }
    }
    for (const n of checks) {
      while (run.acc.count < n) await run.draw(Math.min(8, n - run.acc.count));
      const acc = run.acc.view(n);
      for (const acceptance of ['global', 'stratum'] as Acceptance[]) {
        const opts = { percentile: 20, acceptance, q: 0.05 };
        const per = targets.map((_, t) => (kind === 'ceph' && t === targets.length - 1 ? jointTest(acc, targets.slice(0, -1).map((_, i) => i), opts) : acc.test(t, opts)).significant);
        ((regions[acceptance][n] ??= [])).push(per);
      }
      const chunks = run.partition.count;
      const masks = acc.allMasks;
      const kept = Float64Array.from({ length: n }, (_, i) => acc.keptFraction(i));
      const scores = (t: number) => Float64Array.from(acc.errorsOf(t), (e) => (kind === 'ct' ? Math.exp(-e) : -e));
      ((regions.rise[n] ??= [])).push(targets.map((_, t) => rise(masks, chunks, densityAdjusted(scores(t), kept), 0.05).significant));
      if (n > chunks + 1) ((regions.regression[n] ??= [])).push(targets.map((_, t) => regression(masks, chunks, scores(t), 0.05).significant));
    }
    seconds.push((performance.now() - t0) / 1000);
    await run.close();
  }
  const out: Record<string, unknown>[] = [];
  for (const acceptance of ['global', 'stratum', 'rise', 'regression']) {
    for (const n of checks) {
      const bySeed = regions[acceptance][n];
      if (!bySeed) continue;
      const perTarget = targets.map((name, t) => {
        const js: number[] = [];
        for (let a = 0; a < bySeed.length; a++) for (let b = a + 1; b < bySeed.length; b++) js.push(jaccard(bySeed[a][t], bySeed[b][t]));
        const sizes = bySeed.map((s) => s[t].reduce((x, y) => x + y, 0));
        const hit = bySeed.map((s) => s[t].some((v, c) => v && hitMask!(t)[c])).filter(Boolean).length / bySeed.length;
        return { target: name, jaccard: js.reduce((x, y) => x + y, 0) / js.length, regionSize: sizes.reduce((x, y) => x + y, 0) / sizes.length, hit };
      });
      const mean = (k: 'jaccard' | 'regionSize' | 'hit') => perTarget.reduce((x, r) => x + r[k], 0) / perTarget.length;
      out.push({ acceptance, n, meanJaccard: mean('jaccard'), meanRegionSize: mean('regionSize'), meanHit: mean('hit'), perTarget: kind === 'ct' ? perTarget : perTarget.map((r) => [r.target, +r.jaccard.toFixed(2), r.regionSize, r.hit]) });
    }
  }
  process.stdout.write(JSON.stringify({ kind, fill, antithetic: anti === '1', seeds, secondsPerSeed: seconds, rows: out }) + '\n');
} finally {
  await close();
}
