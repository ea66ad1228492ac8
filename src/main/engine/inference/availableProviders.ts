// What this onnxruntime-node binary can run here: its bundled execution providers, CUDA only when
// its separately installed provider library is present. Used by the inference worker (to plan a
// load) and by the settings view (to list what the user may choose on this machine).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as ort from 'onnxruntime-node';

/** The CUDA provider ships separately (npm install onnxruntime-node --onnxruntime-node-install=cuda12). */
function cudaProviderInstalled(): boolean {
  const binDir = path.join(path.dirname(createRequire(import.meta.url).resolve('onnxruntime-node')), '..', 'bin', 'napi-v6', process.platform, process.arch);
  return existsSync(path.join(binDir, process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so'));
}

export function availableProviders(): Set<string> {
  const list = ort.listSupportedBackends().filter((b) => b.bundled || (b.name === 'cuda' && cudaProviderInstalled()));
  return new Set(list.map((b) => b.name));
}
