// The outputs of `evaluate` (CLI, queue, the app's cluster panel): evaluation.csv (one row per study and method), summary.json and
// summary.md (per method). Written after every study, so a long cohort run stopped early still
// leaves the studies it finished.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../io/atomic';
import { bootstrapMean, type MeanInterval } from '../metrics/bootstrap';

export interface Row {
  study: string;
  method: string;
  truth: string; // class name or 'landmarks'
  predicted: string;
  /** Class on the top-Q% input (binary models: kept while p(predicted) > 0.5). */
  predictedKeepTop: string;
  positive: string;
  unmasked: number; // p(predicted class) or MRE mm
  keepTop: number; // same measure on the top-Q% input
  deletionAuc: number;
  insertionAuc: number;
  /** The same curves with ROAD's noisy linear imputation instead of a constant (metrics/road.ts). */
  roadDeletionAuc: number;
  roadInsertionAuc: number;
  /** Pearson of attribution sums and score drops over random patch subsets (null: no variation). */
  faithfulnessCorrelation: number | null;
  pointingGame: string; // 'hit' | 'miss' | ''
  energyInside: number | null;
  lesionFraction: number | null; // share of the grid inside lesions: the chance level of energyInside
  relevanceMass: number | null;
  relevanceRank: number | null;
  sparseness: number | null;
  /** Only with EXPLICARE_MAX_SENSITIVITY=N (it reruns the method N times). */
  maxSensitivity: number | null;
  /** Jaccard of the significant regions of two seeds (stochastic methods with --seeds). */
  seedAgreement: number | null;
  /** Share of the model grid in the significant region (0: nothing significant); null for other methods. */
  regionFraction: number | null;
  seconds: number;
}

/** The per-study measures summarized with a bootstrap 95% interval, in the order of the table. */
export const INTERVAL_METRICS = [
  ['deletionAuc', 'deletion AUC'],
  ['roadDeletionAuc', 'ROAD deletion AUC'],
  ['insertionAuc', 'insertion AUC'],
  ['roadInsertionAuc', 'ROAD insertion AUC'],
  ['faithfulnessCorrelation', 'faithfulness correlation'],
  ['relevanceMass', 'relevance mass'],
  ['relevanceRank', 'relevance rank'],
  ['sparseness', 'sparseness (Gini)'],
  ['maxSensitivity', 'max-sensitivity'],
  ['seedAgreement', 'seed agreement'],
] as const satisfies readonly (readonly [keyof Row, string])[];

/** Mean and percentile-bootstrap 95% interval of each measure over the method's studies (null: never measured). */
export function metricIntervals(rows: Row[]): Record<(typeof INTERVAL_METRICS)[number][0], MeanInterval | null> {
  const out = {} as Record<(typeof INTERVAL_METRICS)[number][0], MeanInterval | null>;
  // One seed per measure: the intervals reproduce, and no two measures share resampling draws.
  INTERVAL_METRICS.forEach(([key], i) => {
    out[key] = bootstrapMean(rows.map((r) => r[key]).filter((v): v is number => typeof v === 'number'), { seed: i });
  });
  return out;
}

/** "0.123 [0.101, 0.140]" or an em dash. */
export const formatInterval = (ci: MeanInterval | null): string => (ci ? `${ci.mean.toFixed(3)} [${ci.lo.toFixed(3)}, ${ci.hi.toFixed(3)}]` : '—');

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

function f1(pairs: { truth: boolean; predicted: boolean }[]): { accuracy: number; f1: number } {
  const tp = pairs.filter((p) => p.truth && p.predicted).length;
  const fp = pairs.filter((p) => !p.truth && p.predicted).length;
  const fn = pairs.filter((p) => p.truth && !p.predicted).length;
  const correct = pairs.filter((p) => p.truth === p.predicted).length;
  return { accuracy: pairs.length ? correct / pairs.length : NaN, f1: tp ? (2 * tp) / (2 * tp + fp + fn) : 0 };
}

/** Writes the three files for `rows`; returns the markdown table. */
export async function writeEvaluation(outDir: string, keep: number, rows: Row[]): Promise<string> {
  const summary = [...new Set(rows.map((r) => r.method))].map((method) => {
    const rs = rows.filter((r) => r.method === method);
    const classification = rs[0]?.predicted !== 'landmarks';
    const agreement = rs.filter((r) => r.seedAgreement !== null).map((r) => r.seedAgreement!);
    const regions = rs.filter((r) => r.regionFraction !== null);
    const base = {
      method,
      studies: rs.length,
      emptyRegions: regions.length ? regions.filter((r) => r.regionFraction === 0).length : null,
      deletionAuc: mean(rs.map((r) => r.deletionAuc)),
      insertionAuc: mean(rs.map((r) => r.insertionAuc)),
      seedAgreement: agreement.length ? mean(agreement) : null,
      secondsPerStudy: mean(rs.map((r) => r.seconds)),
      intervals: metricIntervals(rs),
    };
    if (!classification) return { ...base, mreUnmaskedMm: mean(rs.map((r) => r.unmasked)), mreKeepTopMm: mean(rs.map((r) => r.keepTop)) };
    const labelled = rs.filter((r) => r.truth);
    const score = (masked: boolean) =>
      f1(labelled.map((r) => ({ truth: r.truth === r.positive, predicted: (masked ? r.predictedKeepTop : r.predicted) === r.positive })));
    const loc = rs.filter((r) => r.pointingGame);
    return {
      ...base,
      unmasked: score(false),
      keepTop: score(true),
      pointingGame: loc.length ? loc.filter((r) => r.pointingGame === 'hit').length / loc.length : null,
      energyInside: loc.length ? mean(loc.map((r) => r.energyInside!)) : null,
      energyChance: loc.length ? mean(loc.map((r) => r.lesionFraction!)) : null,
    };
  });
  await mkdir(outDir, { recursive: true });
  const header = Object.keys(rows[0] ?? { study: '' }) as (keyof Row)[];
  const csv =
    [
      header.join(','),
      ...rows.map((r) => header.map((h) => (typeof r[h] === 'number' ? (r[h] as number).toFixed(5) : `"${String(r[h] ?? '').replace(/"/g, '""')}"`)).join(',')),
    ].join('\n') + '\n';
  await writeFileAtomic(path.join(outDir, 'evaluation.csv'), csv);
  await writeFileAtomic(path.join(outDir, 'summary.json'), JSON.stringify({ keepTopFraction: keep, summary }, null, 2) + '\n');
  const md = [
    '| method | studies | empty regions | deletion AUC | insertion AUC | unmasked | top-' +
      keep * 100 +
      '% only | pointing game | energy in lesions (chance) | seed agreement | s/study |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ]
    .concat(
      summary.map((s) => {
        const fmt = (v: unknown) => (typeof v === 'number' ? v.toFixed(3) : v === null || v === undefined ? '—' : String(v));
        const perf = (p: unknown) =>
          p && typeof p === 'object' ? `acc ${fmt((p as { accuracy: number }).accuracy)}, F1 ${fmt((p as { f1: number }).f1)}` : `MRE ${fmt(p)} mm`;
        const u = 'unmasked' in s ? perf(s.unmasked) : perf((s as { mreUnmaskedMm: number }).mreUnmaskedMm);
        const k = 'keepTop' in s ? perf(s.keepTop) : perf((s as { mreKeepTopMm: number }).mreKeepTopMm);
        return `| ${s.method} | ${s.studies} | ${s.emptyRegions ?? '—'} | ${fmt(s.deletionAuc)} | ${fmt(s.insertionAuc)} | ${u} | ${k} | ${fmt((s as { pointingGame?: number | null }).pointingGame)} | ${fmt((s as { energyInside?: number | null }).energyInside)}${'energyChance' in s && s.energyChance !== null ? ` (${(s.energyChance as number).toFixed(4)})` : ''} | ${fmt(s.seedAgreement)} | ${fmt(s.secondsPerStudy)} |`;
      }),
    )
    .join('\n');
  const ciTable = [
    `| method | studies | ${INTERVAL_METRICS.map(([, label]) => label).join(' | ')} |`,
    `|---|---|${INTERVAL_METRICS.map(() => '---|').join('')}`,
    // A measure some studies lack (no positive relevance, an empty region) says over how many it ran.
    ...summary.map(
      (s) =>
        `| ${s.method} | ${s.studies} | ${INTERVAL_METRICS.map(([key]) => {
          const ci = s.intervals[key];
          return formatInterval(ci) + (ci && ci.n < s.studies ? ` (n ${ci.n})` : '');
        }).join(' | ')} |`,
    ),
  ].join('\n');
  const both = `${md}\n\nMean [95% CI, percentile bootstrap over studies, 2000 resamples]:\n\n${ciTable}`;
  await writeFileAtomic(path.join(outDir, 'summary.md'), both + '\n');
  return both;
}
