// Writes MUPAX's samples (selection vectors and errors per target) for offline statistics
// (tools/mupax_region_statistics.py), without stopping, with the default options otherwise:
//   tsx bench/mupaxDumpSamples.ts <ct|ceph|study dir> <model name> <N> <seeds, e.g. 1,2,3> <out prefix>
// Per seed: PREFIX-s<seed>.masks (N x chunks bytes, sample-major), PREFIX-s<seed>.errors (float64,
// targets x N), PREFIX-s<seed>.json (N, chunks, target names, main target, the chunks that touch a lesion).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Engine } from '../src/main/engine/engine';
import { MupaxSampling, prepareMupax } from '../src/main/engine/explain/mupax/sampling';
import { mupaxOptionsSchema } from '../src/main/engine/explain/mupax/options';
import { bundledModelsDir } from '../src/main/engine/paths';
import { lesionMask } from '../src/main/engine/metrics/localization';

const [studyArg, modelName, samplesText, seedText, outPrefix] = process.argv.slice(2);
const work = mkdtempSync(path.join(os.tmpdir(), 'explicare-dump-'));
const engine = new Engine({ cacheDir: work, bundledModelsDir: bundledModelsDir() });
try {
  const report = studyArg === 'ct' || studyArg === 'ceph' ? await engine.openDemo(studyArg) : await engine.openPaths([studyArg]);
  const model = await engine.importModel(path.join(bundledModelsDir(), modelName));
  const series = report.studies.flatMap((s) => s.series).find((s) => report.openedSeries.includes(s.seriesUid) && model.modality.includes(s.modality));
  if (!series) throw new Error(`${studyArg}: no series for ${modelName}`);
  const ctx = await engine.explainContextFor(series.seriesUid, model.id);
  const truth = await engine.getGroundTruth(series.seriesUid);
  // Classifiers: the positive class (the app's default); landmark models: every landmark.
  const decoding = ctx.manifest.output.decoding;
  const target = decoding.type === 'classification' && decoding.positiveClass !== undefined ? decoding.positiveClass : 'predicted';
  for (const seed of seedText.split(',').map(Number)) {
    const setup = await prepareMupax(ctx, mupaxOptionsSchema.parse({ seed, samples: Number(samplesText), stableChecks: 0, target }));
    const run = await MupaxSampling.start(ctx, setup);
    await run.draw(Number(samplesText));
    await run.close();
    const { acc } = run;
    const chunks = setup.fine.count;
    const names = setup.target.errorNames;
    const errors = new Float64Array(acc.count * names.length);
    names.forEach((_, t) => errors.set(acc.errorsOf(t), t * acc.count));
    const lesion = truth?.lesions?.length ? lesionMask(ctx.input.grid, truth.lesions) : null;
    const lesionChunks = new Set<number>();
    if (lesion) for (let v = 0; v < lesion.length; v++) if (lesion[v]) lesionChunks.add(setup.fine.chunkOf[v]);
    writeFileSync(`${outPrefix}-s${seed}.masks`, acc.allMasks);
    writeFileSync(`${outPrefix}-s${seed}.errors`, new Uint8Array(errors.buffer));
    const main = setup.target.kind === 'landmarks' ? 'any' : setup.target.errorIndex;
    writeFileSync(`${outPrefix}-s${seed}.json`, JSON.stringify({ n: acc.count, chunks, targets: names, main, lesionChunks: [...lesionChunks].sort((a, b) => a - b) }));
    process.stderr.write(`seed ${seed}: ${acc.count} samples\n`);
  }
} finally {
  await engine.dispose();
  rmSync(work, { recursive: true, force: true });
}
