// Explicare's MUPAX against a plain numpy + onnxruntime implementation of the same algorithm
// (tools/mupax_peer.py), whole commands, in fresh processes:
//   tsx bench/mupaxPeer.ts <ct|ceph> <samples> [python] [repetitions, default 3]
// The two commands alternate, `repetitions` times each, and the medians are compared: on a shared
// 2-core machine single runs of the same command differ by up to 2x.
// Both get the same model, the same model-grid input (exported from Explicare's preprocessing),
// the same chunk partition, N and batch size, all cores (the peer: one session with as many threads;
// Explicare: its inference pool); Explicare runs `npm run cli -- explain --method mupax --mode paper`
// from the DICOM study (so it also reads DICOM and writes its NIfTI maps). Prints one JSON line.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateCeph, generateCtStudy } from '../src/main/engine/demo';
import { Engine } from '../src/main/engine/engine';
import { chunkGrid } from '../src/main/engine/explain/mupax/chunks';
import { bundledModelsDir } from '../src/main/engine/paths';
import { encodeNpy } from '../tools/npy';

const kind = process.argv[2] as 'ct' | 'ceph';
const samples = Number(process.argv[3] ?? 2000);
const python = process.argv[4] ?? process.env.EXPLICARE_PEER_PYTHON ?? 'python3';
const repetitions = Number(process.argv[5] ?? 3);
const batch = 8;
const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (v: number, d = 2) => Number(v.toFixed(d));
const work = mkdtempSync(path.join(os.tmpdir(), 'explicare-bench-peer-'));
try {
  const study = path.join(work, 'study');
  if (kind === 'ct') await generateCtStudy({ seed: 1, outDir: study });
  else await generateCeph({ seed: 1, outDir: study });
  // The model-grid input and the chunk partition, exactly as Explicare's MUPAX sees them.
  const engine = new Engine({ cacheDir: path.join(work, 'cache-export'), bundledModelsDir: bundledModelsDir() });
  const report = await engine.openPaths([study]);
  const uid = report.openedSeries[0];
  const model = (await engine.listModels()).find((m) => m.modality.includes(kind === 'ct' ? 'CT' : 'DX'))!;
  const ctx = await engine.explainContextFor(uid, model.id);
  await engine.dispose();
  const [gx, gy, gz] = ctx.input.grid.dimensions;
  const chunk = kind === 'ct' ? [8, 16, 16] : [1, 32, 32];
  const grid = chunkGrid([gx, gy, gz], [chunk[2], chunk[1], kind === 'ct' ? chunk[0] : 1]);
  writeFileSync(path.join(work, 'x.npy'), encodeNpy(ctx.input.data, ctx.input.dims));
  writeFileSync(path.join(work, 'chunks.npy'), encodeNpy(grid.chunkOf, [grid.chunkOf.length]));
  const modelDir = path.join(bundledModelsDir(), kind === 'ct' ? 'ct-nodule-classifier' : 'ceph-landmarks');

  const wall = (f: () => void) => {
    const t0 = performance.now();
    f();
    return (performance.now() - t0) / 1000;
  };
  const out = path.join(work, 'out');
  const explicare = () => {
    rmSync(out, { recursive: true, force: true });
    const seconds = wall(() =>
      execFileSync(process.execPath, ['scripts/cli.mjs', 'explain', '--study', study, '--model', modelDir, '--method', 'mupax', '--mode', 'paper', '--samples', String(samples), '--batch', String(batch), '--chunk', chunk.join(','), '--target', kind === 'ct' ? '1' : 'all', '--out', out], {
        env: { ...process.env, EXPLICARE_CACHE_DIR: path.join(work, `cache-${Math.random()}`) },
        stdio: ['ignore', 'ignore', 'inherit'],
      }),
    );
    const m = JSON.parse(readFileSync(path.join(out, 'result.json'), 'utf8')).methods.mupax as { samplesUsed: number; timing: { totalMs: number; inferenceMs: number; inferenceWallMs: number } };
    return { seconds, mupax: m.timing.totalMs / 1000, inference: m.timing.inferenceMs / 1000, inferenceWall: m.timing.inferenceWallMs / 1000, samplesUsed: m.samplesUsed };
  };
  // The peer's session gets every core explicitly: ONNX Runtime's default (0, "physical cores") ran
  // one thread on some of these machines, 1.2-1.8x slower per sample than two (measured).
  const args = ['tools/mupax_peer.py', '--model', path.join(modelDir, 'model.onnx'), '--input', path.join(work, 'x.npy'), '--chunks', path.join(work, 'chunks.npy'), '--samples', String(samples), '--batch', String(batch), '--threads', String(os.availableParallelism())];
  if (kind === 'ct') args.push('--target', '1');
  else args.push('--landmarks', `${ctx.input.grid.spacing[0]},${ctx.input.grid.spacing[1]}`);
  const peer = () => {
    let text = '';
    const seconds = wall(() => (text = execFileSync(python, args, { encoding: 'utf8' })));
    return { seconds, inference: (JSON.parse(text.trim().split('\n').pop()!) as { inferenceSeconds: number }).inferenceSeconds };
  };
  const ours: ReturnType<typeof explicare>[] = [];
  const theirs: ReturnType<typeof peer>[] = [];
  let peerNote: string | undefined;
  for (let r = 0; r < repetitions; r++) {
    ours.push(explicare());
    if (peerNote) continue;
    try {
      theirs.push(peer());
    } catch (err) {
      peerNote = `peer not run (${python} with numpy and onnxruntime is needed): ${(err as Error).message.split('\n')[0]}`;
    }
  }
  const oursCommand = median(ours.map((o) => o.seconds));
  const peerCommand = theirs.length ? median(theirs.map((t) => t.seconds)) : null;
  process.stdout.write(
    JSON.stringify({
      kind,
      samples,
      batch,
      chunks: grid.count,
      repetitions,
      explicareSamplesUsed: ours.map((o) => o.samplesUsed),
      explicareCommandSeconds: round(oursCommand),
      explicareCommandRuns: ours.map((o) => round(o.seconds)),
      explicareMupaxSeconds: round(median(ours.map((o) => o.mupax))),
      explicareInferenceSeconds: round(median(ours.map((o) => o.inference))),
      explicareInferenceWallSeconds: round(median(ours.map((o) => o.inferenceWall))),
      // MUPAX's wall time over the time in which at least one of its forward passes was running.
      mupaxOverOwnInference: round(median(ours.map((o) => o.mupax / o.inferenceWall)), 3),
      peerCommandSeconds: peerCommand === null ? null : round(peerCommand),
      peerCommandRuns: theirs.map((t) => round(t.seconds)),
      peerInferenceSeconds: theirs.length ? round(median(theirs.map((t) => t.inference))) : null,
      explicareOverPeer: peerCommand ? round(oursCommand / peerCommand, 3) : null,
      peerNote,
    }) + '\n',
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
