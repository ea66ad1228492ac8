// Explicare's MUPAX against a plain numpy + onnxruntime implementation of the same algorithm
// (tools/mupax_peer.py), whole commands, in fresh processes:
//   tsx bench/mupaxPeer.ts <ct|ceph> <samples> [python]
// Both get the same model, the same model-grid input (exported from Explicare's preprocessing),
// the same chunk partition, N and batch size; Explicare runs `explain --method mupax --mode paper`
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
const batch = 8;
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
  const explicareSeconds = wall(() =>
    execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'explain', '--study', study, '--model', modelDir, '--method', 'mupax', '--mode', 'paper', '--samples', String(samples), '--batch', String(batch), '--chunk', chunk.join(','), '--target', kind === 'ct' ? '1' : 'all', '--out', out], {
      env: { ...process.env, EXPLICARE_CACHE_DIR: path.join(work, 'cache') },
      stdio: ['ignore', 'ignore', 'inherit'],
    }),
  );
  const timing = (JSON.parse(readFileSync(path.join(out, 'result.json'), 'utf8')).methods.mupax as { timing: { totalMs: number; inferenceMs: number } }).timing;
  let peer: { wallSeconds: number; inferenceSeconds: number } | null = null;
  let peerSeconds: number | null = null;
  let peerNote: string | undefined;
  try {
    const args = ['tools/mupax_peer.py', '--model', path.join(modelDir, 'model.onnx'), '--input', path.join(work, 'x.npy'), '--chunks', path.join(work, 'chunks.npy'), '--samples', String(samples), '--batch', String(batch)];
    if (kind === 'ct') args.push('--target', '1');
    else args.push('--landmarks', `${ctx.input.grid.spacing[0]},${ctx.input.grid.spacing[1]}`);
    let text = '';
    peerSeconds = wall(() => (text = execFileSync(python, args, { encoding: 'utf8' })));
    peer = JSON.parse(text.trim().split('\n').pop()!);
  } catch (err) {
    peerNote = `peer not run (${python} with numpy and onnxruntime is needed): ${(err as Error).message.split('\n')[0]}`;
  }
  process.stdout.write(
    JSON.stringify({
      kind,
      samples,
      batch,
      chunks: grid.count,
      explicareCommandSeconds: Number(explicareSeconds.toFixed(2)),
      explicareMupaxSeconds: Number((timing.totalMs / 1000).toFixed(2)),
      explicareInferenceSeconds: Number((timing.inferenceMs / 1000).toFixed(2)),
      mupaxOverOwnInference: Number((timing.totalMs / timing.inferenceMs).toFixed(3)),
      peerCommandSeconds: peerSeconds === null ? null : Number(peerSeconds.toFixed(2)),
      peerInferenceSeconds: peer ? Number(peer.inferenceSeconds.toFixed(2)) : null,
      explicareOverPeer: peerSeconds ? Number((explicareSeconds / peerSeconds).toFixed(3)) : null,
      peerNote,
    }) + '\n',
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
