// Forward-pass time of an ONNX model in onnxruntime-node (CPU, 2 intra-op threads): median of 20
// runs after warm-up. Usage: npx tsx tools/bench-model.ts MODEL.onnx [runs] [threads] [batch]
// batch fills a dynamic first axis (MUPAX runs its masked passes in batches of 8); perSampleMs is
// the median divided by the batch.
import * as ort from 'onnxruntime-node';

async function main(): Promise<void> {
  const [file, runsArg, threadsArg, batchArg] = process.argv.slice(2);
  if (!file) throw new Error('usage: bench-model.ts MODEL.onnx [runs=20] [threads=2] [batch=1]');
  const runs = Number(runsArg ?? 20);
  const threads = Number(threadsArg ?? 2);
  const batch = Number(batchArg ?? 1);
  if (!Number.isInteger(batch) || batch < 1) throw new Error(`bench-model.ts: batch must be a positive integer, got ${batchArg}`);
  const session = await ort.InferenceSession.create(file, { intraOpNumThreads: threads, interOpNumThreads: 1, executionProviders: ['cpu'] });
  const name = session.inputNames[0];
  const meta = session.inputMetadata[0] as { shape?: (number | string)[] };
  const shape = (meta.shape ?? []).map((d, i) => (typeof d === 'number' ? d : i === 0 ? batch : 1));
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = (Math.sin(i * 12.9898) * 43758.5453) % 1;
  const feeds = { [name]: new ort.Tensor('float32', data, shape) };
  for (let i = 0; i < 3; i++) await session.run(feeds);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await session.run(feeds);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  console.log(
    JSON.stringify({
      file,
      input: name,
      shape,
      outputs: session.outputNames,
      threads,
      runs,
      batch,
      medianMs: +median.toFixed(2),
      perSampleMs: +(median / shape[0]).toFixed(2),
      minMs: +times[0].toFixed(2),
      maxMs: +times[times.length - 1].toFixed(2),
    }),
  );
}

main().catch((e) => { console.error(e); process.exit(1); });
