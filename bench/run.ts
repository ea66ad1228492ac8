// `npm run bench`: speed and memory figures, written to bench/results.json (medians of repeated runs).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateCtStudy } from '../src/main/engine/demo';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
interface OpenCtRun {
  files: number;
  dimensions: number[];
  voxelType: string;
  [figure: string]: number | number[] | string;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function benchOpenCt(): Promise<Record<string, unknown>> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'explicare-bench-'));
  const dir = path.join(work, 'ct400');
  try {
    const tGen = performance.now();
    await generateCtStudy({ seed: 42, outDir: dir, slices: 400, sliceThicknessMm: 1 });
    const generateMs = performance.now() - tGen;
    const runs: OpenCtRun[] = [];
    for (let i = 0; i < RUNS; i++) {
      const out = execFileSync(process.execPath, ['--import', 'tsx', 'bench/openCt.ts', dir, path.join(work, 'cache')], { encoding: 'utf8' });
      runs.push(JSON.parse(out.trim().split('\n').pop()!));
    }
    const pick = (k: string) => median(runs.map((r) => r[k] as number));
    return {
      study: `generated CT ${runs[0].dimensions.join('x')} (${runs[0].voxelType}), ${runs[0].files} files`,
      runs: RUNS,
      generateMs: Math.round(generateMs),
      scanMs: Math.round(pick('scanMs')),
      timeToFirstSliceMs: Math.round(pick('firstSliceMs')),
      timeToFullVolumeMs: Math.round(pick('fullVolumeMs')),
      voxelMB: Math.round(pick('voxelMB')),
      peakRssMB: Math.round(pick('peakRssMB')),
      peakAboveBaselineInVolumeCopies: Number(pick('peakAboveBaselineInVolumeCopies').toFixed(2)),
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function benchInference(modelDir: string): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for (const threads of [1, 2]) {
    for (const batch of [1, 4, 8]) {
      for (const arena of [false, true]) {
        const out = execFileSync(process.execPath, ['--import', 'tsx', 'bench/inferenceRun.ts', modelDir, String(batch), String(threads), arena ? '1' : '0', String(Math.max(5, 40 / batch))], { encoding: 'utf8' });
        const row = JSON.parse(out.trim().split('\n').pop()!);
        for (const k of ['msPerBatch', 'msPerSample', 'samplesPerSecond', 'peakRssMB']) row[k] = Number(row[k].toFixed(1));
        rows.push(row);
      }
    }
  }
  return rows;
}

/** One JSON line from a bench script run in a fresh process. */
const runJson = (script: string, args: string[], env: Record<string, string> = {}) =>
  JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', script, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!);

/**
 * MUPAX trust and speed ([G]): seed agreement of the significant region per estimator and N (3
 * seeds), time and samples to a stable region with the defaults, and the whole command against a
 * plain numpy + onnxruntime implementation of the paper's algorithm (tools/mupax_peer.py).
 */
function benchMupax(): Record<string, unknown> {
  const maxN = process.env.BENCH_MUPAX_MAX_N ?? '2048';
  const peerN = process.env.BENCH_MUPAX_PEER_N ?? '1024';
  const out: Record<string, unknown> = {
    note: 'Jaccard: mean over seed pairs of the significant regions (two empty regions agree: see regionSize); hit: share of seeds whose region touches the lesion (CT, target nodule) or the landmark (ceph). global = paper acceptance, stratum = default. Peer: explicareOverPeer is whole-command wall time, Explicare from DICOM (reads the study, writes NIfTI), the peer from the exported model input.',
  };
  for (const kind of ['ct', 'ceph']) {
    out[kind] = {
      stability: runJson('bench/mupaxStability.ts', [kind, maxN, 'min', '0']),
      untilStable: runJson('bench/mupaxRuns.ts', [kind, '{"samples":1024}']),
      peer: runJson('bench/mupaxPeer.ts', [kind, peerN]),
    };
  }
  return out;
}

/** results.json key of the large export; its `before` figures (the float32 writer) are kept across runs. */
const EXPORT_KEY = 'reportExportCt512x512x400';

/**
 * The DICOM export of a 400-slice 512x512 demo CT with two maps ([I] 1): `report --dicom` (open the
 * series, read the NIfTI maps, write key images, Parametric Maps, SEG, SR) in a fresh process, its
 * wall time, peak RSS and object sizes. Targets: <= 60 MB per Parametric Map, <= 1.2 GB peak.
 */
function benchExportLarge(): Record<string, unknown> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'explicare-bench-export-'));
  const cli = (args: string[]) => execFileSync(process.execPath, ['scripts/cli.mjs', ...args], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, EXPLICARE_CACHE_DIR: path.join(work, 'cache') } });
  try {
    const [study, results] = [path.join(work, 'ct'), path.join(work, 'results')];
    cli(['generate', '--kind', 'ct', '--seed', '1', '--slices', '400', '--out', study]);
    cli(['explain', '--study', study, '--model', 'ct-nodule-classifier', '--method', 'gradcam,gradcampp', '--out', results]);
    const figures = runJson('bench/exportLarge.ts', [study, results, path.join(work, 'out'), path.join(work, 'cache')]);
    return { study: 'demo CT (generate --kind ct --seed 1 --slices 400), 512x512x400, maps: gradcam, gradcampp', date: new Date().toISOString(), ...figures };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

// `npm run bench -- --only export`: rerun the large export alone and merge it into results.json.
if (process.argv.includes('--only') && process.argv.includes('export')) {
  const previous = existsSync('bench/results.json') ? JSON.parse(readFileSync('bench/results.json', 'utf8')) : {};
  const merged = { ...previous, [EXPORT_KEY]: { ...previous[EXPORT_KEY], after: benchExportLarge() } };
  writeFileSync('bench/results.json', JSON.stringify(merged, null, 2) + '\n');
  console.log(JSON.stringify(merged[EXPORT_KEY], null, 2));
  process.exit(0);
}

// `npm run bench -- --only mupax`: rerun the MUPAX section alone and merge it into results.json.
if (process.argv.includes('--only') && process.argv.includes('mupax')) {
  const previous = existsSync('bench/results.json') ? JSON.parse(readFileSync('bench/results.json', 'utf8')) : {};
  // Merged into the previous section: figures measured by other scripts (the cohort) stay.
  const merged = { ...previous, mupax: { ...previous.mupax, date: new Date().toISOString(), ...benchMupax() } };
  writeFileSync('bench/results.json', JSON.stringify(merged, null, 2) + '\n');
  console.log(JSON.stringify(merged.mupax, null, 2));
  process.exit(0);
}

// `npm run bench -- --only cluster`: distributed evaluation ([M], bench/cluster.ts) alone, merged into results.json.
if (process.argv.includes('--only') && process.argv.includes('cluster')) {
  const previous = existsSync('bench/results.json') ? JSON.parse(readFileSync('bench/results.json', 'utf8')) : {};
  const merged = { ...previous, cluster: { date: new Date().toISOString(), ...runJson('bench/cluster.ts', []) } };
  writeFileSync('bench/results.json', JSON.stringify(merged, null, 2) + '\n');
  console.log(JSON.stringify(merged.cluster, null, 2));
  process.exit(0);
}

/**
 * MFABA against IG ([H] 3, bench/mfaba.ts): passes, seconds and completeness per target on each demo
 * model, and the seconds of one sanity check (6 steps) per method (BENCH_SANITY_METHODS; MUPAX, RISE
 * and the regression at BENCH_SANITY_SAMPLES, default 1024).
 */
function benchMfaba(): Record<string, unknown> {
  const sanity = process.env.BENCH_SANITY_METHODS ?? 'gradcam,gradcampp,gradient,ig,psig,mfaba,mupax,rise,regression';
  return { date: new Date().toISOString(), ct: runJson('bench/mfaba.ts', ['ct', sanity]), ceph: runJson('bench/mfaba.ts', ['ceph', sanity]) };
}

// `npm run bench -- --only mfaba`: rerun the MFABA section alone and merge it into results.json.
if (process.argv.includes('--only') && process.argv.includes('mfaba')) {
  const previous = existsSync('bench/results.json') ? JSON.parse(readFileSync('bench/results.json', 'utf8')) : {};
  const fresh = benchMfaba() as Record<string, unknown> & Record<'ct' | 'ceph', { sanity?: Record<string, unknown> }>;
  // Sanity seconds of methods this run left out (BENCH_SANITY_METHODS) stay from the previous run.
  for (const kind of ['ct', 'ceph'] as const) fresh[kind].sanity = { ...previous.mfaba?.[kind]?.sanity, ...fresh[kind].sanity };
  const merged = { ...previous, mfaba: fresh };
  writeFileSync('bench/results.json', JSON.stringify(merged, null, 2) + '\n');
  console.log(JSON.stringify(merged.mfaba, null, 2));
  process.exit(0);
}

const models: Record<string, unknown> = {};
for (const name of ['ct-nodule-classifier', 'ceph-landmarks']) {
  const dir = path.join('resources/models', name);
  if (existsSync(path.join(dir, 'model.onnx'))) models[name] = await benchInference(dir);
}

const explanations: Record<string, unknown> = {};
for (const kind of ['ct', 'ceph'] as const) {
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'bench/explainRun.ts', kind, process.env.BENCH_MUPAX_SAMPLES ?? '2000'], { encoding: 'utf8', env: { ...process.env, EXPLICARE_CACHE_DIR: path.join(os.tmpdir(), 'explicare-bench-cache') } });
  explanations[kind] = JSON.parse(out.trim().split('\n').pop()!);
}

const viewer = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', 'bench/ui.ts'], { encoding: 'utf8' }).trim().split('\n').pop()!);

const results: Record<string, unknown> = {
  machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
  date: new Date().toISOString(),
  openCt512x512x400: await benchOpenCt(),
  inference: { note: 'CPU execution provider; medians after 2 warm-up passes; RSS of a fresh process per row', models },
  viewer,
  explanations: {
    note: 'MUPAX (paper mode, all N samples) over its own ONNX inference time (target <= 1.05); Grad-CAM and input gradient over one forward pass',
    ...explanations,
  },
  mupax: benchMupax(),
  mfaba: benchMfaba(),
  cluster: runJson('bench/cluster.ts', []),
  [EXPORT_KEY]: { ...(existsSync('bench/results.json') ? JSON.parse(readFileSync('bench/results.json', 'utf8'))[EXPORT_KEY] : {}), after: benchExportLarge() },
};
if (!existsSync('bench')) mkdirSync('bench');
writeFileSync('bench/results.json', JSON.stringify(results, null, 2) + '\n');
console.log(JSON.stringify(results, null, 2));
