// Whole MUPAX runs (runMupax, as the app runs it) on a demo study, several seeds, in a fresh process:
//   tsx bench/mupaxRuns.ts <ct|ceph> '<options JSON>' [seeds=1,2,3]
// Prints one JSON line: per seed the samples used, seconds, whether it stopped as stable, and per
// target the significant region's voxel-level Jaccard across seeds (mean of pairs), its size and
// whether it hits the lesion (CT) or the landmark's true position (ceph).
import { openDemoContext } from './demoContext';
import { runMupax } from '../src/main/engine/explain/mupax/mupax';
import { jaccard } from '../src/main/engine/explain/mupax/significance';
import { mupaxOptionsSchema } from '../src/main/engine/explain/mupax/options';
import { lesionMask } from '../src/main/engine/metrics/localization';

const [kind, optionsText = '{}', seedText = '1,2,3'] = process.argv.slice(2) as [string, string?, string?];
const seeds = seedText.split(',').map(Number);
const { ctx, truth, close } = await openDemoContext(kind as 'ct' | 'ceph');

try {
  const extra = JSON.parse(optionsText) as Record<string, unknown>;
  const [gx] = ctx.input.grid.dimensions;
  const hitMask = (t: number, targets: number): Uint8Array => {
    if (kind === 'ct') return lesionMask(ctx.input.grid, truth?.lesions ?? []);
    const m = new Uint8Array(ctx.input.data.length);
    const landmarks = ctx.truthInGrid?.length ?? 0;
    const pts = t < landmarks ? [ctx.truthInGrid?.[t]] : (ctx.truthInGrid ?? []);
    for (const p of pts) if (p) m[Math.round(p[1]) * gx + Math.round(p[0])] = 1;
    return m;
  };
  const runs: { seed: number; samplesUsed: number; seconds: number; stable: boolean; regions: Float32Array[]; targets: string[] }[] = [];
  for (const seed of seeds) {
    const o = mupaxOptionsSchema.parse({ target: kind === 'ct' ? 'nodule' : 'predicted', ...extra, seed });
    const t0 = performance.now();
    const out = await runMupax(ctx, o, () => {}, new AbortController().signal);
    const d = out.details as { samplesUsed: number; stability: { stable: boolean } };
    runs.push({ seed, samplesUsed: d.samplesUsed, seconds: (performance.now() - t0) / 1000, stable: d.stability.stable, regions: out.layers!.significant, targets: out.maps.map((m) => m.target) });
  }
  const targets = runs[0].targets;
  const perTarget = targets.map((name, t) => {
    const js: number[] = [];
    for (let a = 0; a < runs.length; a++) for (let b = a + 1; b < runs.length; b++) js.push(jaccard(runs[a].regions[t], runs[b].regions[t]));
    const hit = hitMask(t, targets.length);
    const hits = runs.filter((r) => r.regions[t].some((v, i) => v > 0 && hit[i])).length;
    const sizes = runs.map((r) => r.regions[t].reduce((s, v) => s + (v > 0 ? 1 : 0), 0));
    return { target: name, jaccard: js.reduce((x, y) => x + y, 0) / js.length, empty: sizes.filter((s) => s === 0).length, meanVoxels: sizes.reduce((x, y) => x + y, 0) / sizes.length, hitRate: hits / runs.length };
  });
  const mean = (k: 'jaccard' | 'hitRate') => perTarget.reduce((s, r) => s + r[k], 0) / perTarget.length;
  process.stdout.write(
    JSON.stringify({
      kind,
      options: extra,
      seeds,
      runs: runs.map((r) => ({ seed: r.seed, samplesUsed: r.samplesUsed, seconds: Number(r.seconds.toFixed(1)), stable: r.stable })),
      meanJaccard: mean('jaccard'),
      meanHitRate: mean('hitRate'),
      perTarget: perTarget.map((r) => ({ ...r, jaccard: Number(r.jaccard.toFixed(3)) })),
    }) + '\n',
  );
} finally {
  await close();
}
