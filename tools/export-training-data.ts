// Training/evaluation data for the demo models, produced by the APP's own code so training sees
// exactly what inference will: seeded demo generator -> DICOM on disk -> Engine (parse, build
// volume) -> preprocess(manifest) -> .npy. The DICOM is deleted after each study.
//
//   npx tsx tools/export-training-data.ts --kind ct   --seeds 1000:1400 --out DIR [--reduced]
//   npx tsx tools/export-training-data.ts --kind ceph --seeds 900000:900060 --out DIR
//
// --seeds takes `a:b` (a..b-1) or a comma list. --reduced generates CTs at 256x256, 1.4 mm pixels,
// 60 slices of 5 mm (same field of view as the default 512x512 x 0.7 mm x 120 x 2.5 mm demo CT;
// ~8x faster). Held-out test sets must use the default resolution (omit --reduced). --demo keeps the
// generator's own lesion count (drawn from the seed, as in the bundled demo) instead of the
// balanced count of ctLesionCount.
//
// Per study: x_<seed>.npy (float32, the model input without the batch axis) and meta_<seed>.json.
// At the end: index.json (all metas) plus labels.npy (CT, int32 0/1) or landmarks.npy (ceph,
// float32 [N,19,2], model-grid (i, j) = (column, row) continuous index). Existing studies are
// kept, so an interrupted export resumes.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Engine } from '../src/main/engine/engine';
import { generateCeph, generateCtStudy } from '../src/main/engine/demo';
import { preprocess } from '../src/main/engine/inference/preprocess';
import { type Geometry, patientToIndex, reindex, type Vec3 } from '../src/shared/geometry';
import { type ModelManifest, modelManifestSchema } from '../src/shared/modelManifest';
import { writeNpy } from './npy';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

export const MODEL_DIRS = { ct: 'resources/models/ct-nodule-classifier', ceph: 'resources/models/ceph-landmarks' } as const;

export function loadManifest(kind: 'ct' | 'ceph'): ModelManifest {
  return modelManifestSchema.parse(JSON.parse(readFileSync(path.join(root, MODEL_DIRS[kind], 'model.json'), 'utf8')));
}

/** Balanced CT classes: even seeds have no nodule, odd seeds 1..3 nodules. */
export function ctLesionCount(seed: number): number {
  return seed % 2 === 0 ? 0 : 1 + (Math.floor(seed / 2) % 3);
}

export const REDUCED_CT = { rows: 256, columns: 256, pixelSpacingMm: 1.4, slices: 60, sliceThicknessMm: 5 } as const;

export interface CtMeta {
  seed: number;
  label: number;
  lesionCount: number;
  /** Lesion centres as continuous model-grid indices (i, j, k) = (x, y, z); diameters in mm. */
  lesions: { kind: string; centreIndex: Vec3; centreMm: Vec3; diameterMm: number }[];
  geometry: Geometry;
  grid: Geometry;
  resolution: 'default' | 'reduced';
}

export interface CephMeta {
  seed: number;
  /** Landmarks as continuous model-grid indices (i, j) = (column, row). */
  landmarksGrid: [number, number][];
  /** Ground-truth pixels of the original image (column, row), 0.1 mm pixels. */
  landmarksPixel: [number, number][];
  geometry: Geometry;
  grid: Geometry;
}

/** One study through the app: generate, open with the Engine, preprocess. */
export async function exportStudy(kind: 'ct' | 'ceph', seed: number, manifest: ModelManifest, opts: { reduced?: boolean; demo?: boolean; workDir: string }) {
  const dir = mkdtempSync(path.join(opts.workDir, `${kind}-${seed}-`));
  try {
    const studyDir = path.join(dir, 'study');
    const gen = kind === 'ct'
      ? await generateCtStudy({ seed, outDir: studyDir, ...(opts.demo ? {} : { lesionCount: ctLesionCount(seed) }), ...(opts.reduced ? REDUCED_CT : {}) })
      : await generateCeph({ seed, outDir: studyDir });
    const engine = new Engine({ cacheDir: path.join(dir, 'cache'), volumeCacheSize: 1 });
    const report = await engine.openPaths([studyDir]);
    if (report.openedSeries.length !== 1) throw new Error(`seed ${seed}: expected one series, got ${report.openedSeries.length}`);
    const uid = report.openedSeries[0];
    const info = await engine.loadVolume(uid);
    const voxels = await engine.getVoxels(uid);
    const input = preprocess(manifest, info.geometry, voxels);
    const gt = await engine.getGroundTruth(uid);
    if (!gt) throw new Error(`seed ${seed}: no ground truth beside the study`);
    if (kind === 'ct') {
      const meta: CtMeta = {
        seed,
        label: gt.lesions.length > 0 ? 1 : 0,
        lesionCount: gt.lesions.length,
        lesions: gt.lesions.map((l) => ({ kind: l.kind, centreIndex: patientToIndex(input.grid, l.centre), centreMm: l.centre, diameterMm: l.diameterMm })),
        geometry: info.geometry,
        grid: input.grid,
        resolution: opts.reduced ? 'reduced' : 'default',
      };
      return { input, meta, generated: gen.geometry };
    }
    const meta: CephMeta = {
      seed,
      landmarksGrid: gt.landmarks.map((l) => {
        const [i, j] = reindex(info.geometry, input.grid, [l.pixel[0], l.pixel[1], 0]);
        return [i, j];
      }),
      landmarksPixel: gt.landmarks.map((l) => l.pixel),
      geometry: info.geometry,
      grid: input.grid,
    };
    return { input, meta, generated: gen.geometry };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function parseSeeds(spec: string): number[] {
  if (spec.includes(':')) {
    const [a, b] = spec.split(':').map(Number);
    return Array.from({ length: b - a }, (_, i) => a + i);
  }
  return spec.split(',').map(Number);
}

function sameGeometry(a: Geometry, b: Geometry): boolean {
  const flat = (g: Geometry) => [...g.dimensions, ...g.spacing, ...g.origin, ...g.direction];
  return flat(a).every((v, i) => Math.abs(v - flat(b)[i]) < 1e-4);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (name: string): string | undefined => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const kind = flag('kind');
  const out = flag('out');
  const seedSpec = flag('seeds');
  if ((kind !== 'ct' && kind !== 'ceph') || !out || !seedSpec) {
    throw new Error('usage: export-training-data.ts --kind ct|ceph --seeds A:B|s1,s2 --out DIR [--reduced] [--demo]');
  }
  const reduced = args.includes('--reduced');
  const demo = args.includes('--demo');
  if (reduced && kind !== 'ct') throw new Error('--reduced applies to CT only');
  const manifest = loadManifest(kind);
  const seeds = parseSeeds(seedSpec);
  mkdirSync(out, { recursive: true });
  const workDir = mkdtempSync(path.join(tmpdir(), 'explicare-export-'));
  const inputShape = manifest.input.shape.slice(1);
  const t0 = Date.now();
  try {
    for (const [n, seed] of seeds.entries()) {
      const xFile = path.join(out, `x_${seed}.npy`);
      const metaFile = path.join(out, `meta_${seed}.json`);
      if (existsSync(xFile) && existsSync(metaFile)) continue;
      const t = Date.now();
      const { input, meta, generated } = await exportStudy(kind, seed, manifest, { reduced, demo, workDir });
      if (!sameGeometry(generated, meta.geometry)) console.warn(`seed ${seed}: engine geometry differs from the generator's`, generated, meta.geometry);
      writeNpy(xFile, input.data, inputShape);
      writeFileSync(metaFile, JSON.stringify(meta));
      const summary = kind === 'ct' ? `label ${(meta as CtMeta).label} (${(meta as CtMeta).lesionCount} lesions)` : '19 landmarks';
      console.log(`[${n + 1}/${seeds.length}] seed ${seed}: ${summary}, ${((Date.now() - t) / 1000).toFixed(1)} s (total ${((Date.now() - t0) / 60000).toFixed(1)} min)`);
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  // Index over every study in the folder (this run's and earlier ones), in seed order.
  const metas = seeds.map((s) => JSON.parse(readFileSync(path.join(out, `meta_${s}.json`), 'utf8')) as CtMeta | CephMeta);
  writeFileSync(path.join(out, 'index.json'), JSON.stringify({ kind, manifest: MODEL_DIRS[kind], reduced, demo, inputShape, seeds, metas }));
  if (kind === 'ct') {
    writeNpy(path.join(out, 'labels.npy'), Int32Array.from(metas.map((m) => (m as CtMeta).label)), [metas.length]);
  } else {
    const lm = new Float32Array(metas.length * 19 * 2);
    metas.forEach((m, s) => (m as CephMeta).landmarksGrid.forEach(([i, j], l) => { lm[(s * 19 + l) * 2] = i; lm[(s * 19 + l) * 2 + 1] = j; }));
    writeNpy(path.join(out, 'landmarks.npy'), lm, [metas.length, 19, 2]);
  }
  writeNpy(path.join(out, 'seeds.npy'), Int32Array.from(seeds), [seeds.length]);
  console.log(`wrote ${seeds.length} ${kind} studies to ${out} in ${((Date.now() - t0) / 60000).toFixed(1)} min`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
