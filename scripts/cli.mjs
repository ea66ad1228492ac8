// `npm run cli -- <command>`: the CLI from an esbuild bundle of src/ (out/cli/bundle/), rebuilt
// when a source file is newer than it. Under tsx every start transpiled and resolved ~400 modules
// through loader hooks, in the main thread and again in every worker thread: 1-2 s of CPU per
// command, a tenth of a MUPAX run. Packages stay external (node_modules loads as usual: native
// onnxruntime, wasm codecs next to their own files).
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Three levels below the root, like src/main/engine/paths.ts, whose sourceRoot() is '../../..'.
const bundleDir = path.join(root, 'out', 'cli', 'bundle');
const entry = path.join(bundleDir, 'main.js');

function newestSource(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return newest;
}

async function buildIfStale() {
  const sources = Math.max(newestSource(path.join(root, 'src')), statSync(path.join(root, 'package-lock.json')).mtimeMs);
  if (existsSync(entry) && statSync(entry).mtimeMs >= sources) return;
  const { build } = await import('esbuild');
  // Built beside, then renamed into place: a second CLI starting meanwhile never loads half a bundle.
  const staging = `${bundleDir}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  await build({
    entryPoints: {
      main: path.join(root, 'src/cli/main.ts'),
      // The names the bundled engine looks for beside itself (inference/workerUrl.ts, dicom/pixels/decodeWorkerUrl.ts,
      // metrics/imputationWorkerUrl.ts).
      inferenceWorker: path.join(root, 'src/main/engine/inference/worker.ts'),
      pixelDecodeWorker: path.join(root, 'src/main/engine/dicom/pixels/decodeWorker.ts'),
      imputationWorker: path.join(root, 'src/main/engine/metrics/imputationWorker.ts'),
      // The queue worker's engine thread (cluster/caseThreadHost.ts).
      caseThread: path.join(root, 'src/cli/cluster/caseThread.ts'),
    },
    outdir: staging,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked', // beside, for NODE_OPTIONS=--enable-source-maps; inline it was parsed on every start
    logLevel: 'error',
  });
  rmSync(bundleDir, { recursive: true, force: true });
  try {
    renameSync(staging, bundleDir);
  } catch {
    rmSync(staging, { recursive: true, force: true }); // another CLI put its (same) build there first
  }
}

await buildIfStale();
const { main } = await import(pathToFileURL(entry).href);
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 2;
  },
);
