// One inference measurement in a fresh process (so peak RSS is this setting's alone):
//   tsx bench/inferenceRun.ts <modelDir> <batch> <threads> <arena 0|1> <passes>
// Prints JSON: ms per batch and per sample (median), samples/s, peak RSS.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseManifest } from '../src/main/engine/models/readPackage';
import { InferencePool, runBatch } from '../src/main/engine/inference/pool';

const [dir, batchText, threadsText, arenaText, passesText] = process.argv.slice(2);
const batch = Number(batchText);
const manifest = parseManifest(readFileSync(path.join(dir, 'model.json')));
const worker = new InferencePool();
await worker.load('m', readFileSync(path.join(dir, 'model.onnx')), { threads: Number(threadsText), provider: 'cpu', memoryArena: arenaText === '1' });
const sampleDims = manifest.input.shape.slice(1);
const size = sampleDims.reduce((a, b) => a * b, 1);
const inputs = Array.from({ length: batch }, (_, b) => Float32Array.from({ length: size }, (_, i) => ((i * 7 + b * 13) % 97) / 97));
const times: number[] = [];
for (let i = 0; i < Number(passesText) + 2; i++) {
  const t0 = performance.now();
  await runBatch(worker, 'm', manifest.input.name, sampleDims, inputs, [manifest.output.name], batch);
  if (i >= 2) times.push(performance.now() - t0); // two warm-up passes
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
// The worker is a thread of this process: process RSS includes ORT's arena.
const peakRssMB = process.resourceUsage().maxRSS / 1024;
console.log(JSON.stringify({ batch, threads: Number(threadsText), arena: arenaText === '1', msPerBatch: median, msPerSample: median / batch, samplesPerSecond: (1000 * batch) / median, peakRssMB }));
await worker.terminate();
