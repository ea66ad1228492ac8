// MUPAX (Multidimensional Problem-Agnostic eXplainable AI): stratified random chunk masks, the
// frozen model on each masked input, rejection of samples whose error exceeds the W-th percentile,
// inverse-error weighting of the accepted masks. Seeded and deterministic; convergence is tracked.
import type { MaskedDecode } from '../../inference/protocol';
import { ExplainCancelled, type ExplainContext, type JobProgress, type MethodOutput } from '../method';
import { correlation, MupaxAccumulator } from './accumulator';
import { chunkGrid, chunksToVoxels, MupaxParameterError } from './chunks';
import { classificationError, landmarkErrorsMm, probabilities } from './errors';
import type { MupaxOptions } from './options';
import { MaskSampler } from './sampler';

export interface ConvergencePoint {
  samples: number;
  maxChange: number; // L-infinity change of the map since the previous check
  splitHalfCorrelation: number; // maps of even vs odd samples
  acceptanceRate: number;
}

let baseCounter = 0;

function baselineValue(input: Float32Array, spec: MupaxOptions['baseline']): number {
  if (spec === 'zero') return 0;
  if (typeof spec === 'number') return spec;
  let min = Infinity;
  for (const v of input) if (v < min) min = v;
  return min;
}

export async function runMupax(ctx: ExplainContext, o: MupaxOptions, progress: (p: JobProgress) => void, signal: AbortSignal): Promise<MethodOutput> {
  const { manifest, input, worker, session } = ctx;
  const decoding = manifest.output.decoding;
  const is3d = manifest.input.layout === 'NCDHW';
  const [gx, gy, gz] = input.grid.dimensions;
  const chunk = o.chunk ?? (is3d ? [8, 16, 16] : [1, 32, 32]);
  const grid = chunkGrid([gx, gy, gz], [chunk[2], chunk[1], is3d ? chunk[0] : 1]);
  if (o.samples < 4 * o.stratificationBlock && o.samples < 256) {
    throw new MupaxParameterError(`N = ${o.samples} samples is too few for ${grid.count} chunks (use at least 256)`);
  }
  const accepted = Math.floor((o.percentile / 100) * o.samples);
  if (accepted < 10) throw new MupaxParameterError(`W at the ${o.percentile}th percentile of ${o.samples} samples accepts only ${accepted}: raise the percentile or N`);

  const sampleDims = input.dims.slice(1);
  const baseline = new Float32Array(input.data.length).fill(baselineValue(input.data, o.baseline));

  // Unmasked run: the class to explain, or the landmark reference.
  const plain = await worker.run(session.key, { [manifest.input.name]: { data: input.data, dims: input.dims } }, [manifest.output.name]);
  const out = plain.outputs[manifest.output.name];
  let decode: MaskedDecode;
  let targets: string[];
  let errorsOf: (values: Float32Array, offset: number) => ArrayLike<number>;
  let reference = '';
  if (decoding.type === 'classification') {
    const p = probabilities(out.data, decoding.activation);
    const target = o.target === 'predicted' ? p.indexOf(Math.max(...p)) : o.target;
    if (target >= decoding.classes.length) throw new MupaxParameterError(`target class ${target} does not exist (the model has ${decoding.classes.length})`);
    targets = [decoding.classes[target]];
    decode = { type: 'raw' };
    const n = decoding.classes.length;
    errorsOf = (v, off) => [classificationError(probabilities(v.subarray(off, off + n), decoding.activation), target, o.error)];
    reference = `class "${decoding.classes[target]}" (${o.target === 'predicted' ? 'predicted' : 'chosen'}), p = ${p[target].toFixed(4)}`;
  } else {
    const [, channels, h, w] = out.dims;
    decode = { type: 'heatmapPeaks', inputSize: [gx, gy], refinement: decoding.refinement };
    const { decodeHeatmaps } = await import('../../inference/decodeLandmarks');
    const predicted = decodeHeatmaps(out.data, channels, h, w, [gx, gy], decoding.refinement).flatMap((p) => [p.x, p.y]);
    const truth = ctx.truthInGrid;
    const useTruth = o.reference === 'truth' || (o.reference === 'auto' && truth?.every((t) => t !== null));
    if (o.reference === 'truth' && !truth?.every((t) => t !== null)) throw new MupaxParameterError('reference "truth" needs ground truth for every landmark');
    const ref = Float64Array.from(useTruth ? truth!.flatMap((t) => t!) : predicted);
    reference = useTruth ? 'ground-truth landmarks' : 'the unmasked prediction';
    targets = [...decoding.landmarks.map((l) => l.name), 'mean landmark error'];
    const spacing: [number, number] = [input.grid.spacing[0], input.grid.spacing[1]];
    errorsOf = (v, off) => landmarkErrorsMm(v.subarray(off, off + 2 * channels), ref, spacing);
  }
  const main = targets.length - 1; // classification: the class; landmarks: the mean error

  const baseId = `mupax-${process.pid}-${++baseCounter}`;
  await worker.setMaskBase(baseId, { input: input.data, baseline, chunkOf: grid.chunkOf, chunkCount: grid.count });
  const sampler = new MaskSampler(o.seed, grid.count, o.stratificationBlock);
  const acc = new MupaxAccumulator(grid.count, targets.length, o.samples);
  const convergence: ConvergencePoint[] = [];
  let previous: Float64Array | null = null;
  let calm = 0;
  let stopAt = o.samples;
  const t0 = performance.now();
  let inferenceMs = 0;
  try {
    while (acc.count < stopAt) {
      if (signal.aborted) throw new ExplainCancelled();
      const b = Math.min(o.batchSize, stopAt - acc.count);
      const masks = new Uint8Array(b * grid.count);
      for (let i = 0; i < b; i++) sampler.next(masks, i * grid.count);
      const res = await worker.runMasked({ key: session.key, baseId, inputName: manifest.input.name, sampleDims, masks, output: manifest.output.name, decode });
      inferenceMs += res.ms;
      for (let i = 0; i < b; i++) {
        acc.add(masks, i * grid.count, errorsOf(res.values, i * res.perSample));
        // Checks happen at fixed sample counts, so early stopping does not depend on the batch size.
        if (acc.count % o.checkEvery !== 0) continue;
        const n = acc.count;
        const now = acc.map(main, o.percentile);
        const maxChange = previous ? Math.max(...now.values.map((v, c) => Math.abs(v - previous![c]))) : Infinity;
        const split = correlation(acc.map(main, o.percentile, (s) => s % 2 === 0).values, acc.map(main, o.percentile, (s) => s % 2 === 1).values);
        convergence.push({ samples: n, maxChange: Number.isFinite(maxChange) ? maxChange : 1, splitHalfCorrelation: split, acceptanceRate: now.accepted / n });
        previous = now.values;
        calm = maxChange < o.tolerance ? calm + 1 : 0;
        const elapsed = (performance.now() - t0) / 1000;
        progress({
          done: n,
          total: stopAt,
          stats: { acceptanceRate: now.accepted / n, samplesPerSecond: n / elapsed, etaSeconds: ((stopAt - n) * elapsed) / n, maxChange: convergence.at(-1)!.maxChange, splitHalfCorrelation: split },
          partial: chunksToVoxels(grid, now.values),
        });
        if (o.tolerance > 0 && calm >= 2) stopAt = n;
      }
      if (acc.count > stopAt) break;
    }
  } finally {
    await worker.dropMaskBase(baseId).catch(() => undefined);
  }

  const finals = targets.map((_, t) => acc.map(t, o.percentile, (s) => s < stopAt));
  if (finals[main].accepted === 0) throw new MupaxParameterError('no sample was accepted: W is too strict for these errors');
  const mainMap = chunksToVoxels(grid, finals[main].values);
  // The paper's "explained input": the weighted average of the accepted masked inputs.
  const explained = new Float32Array(mainMap.length);
  for (let v = 0; v < explained.length; v++) explained[v] = mainMap[v] * input.data[v] + (1 - mainMap[v]) * baseline[v];
  return {
    maps: targets.map((target, t) => ({ target, data: t === main ? mainMap : chunksToVoxels(grid, finals[t].values) })),
    details: {
      method: 'mupax',
      parameters: { ...o, chunk, chunkGrid: [grid.counts[2], grid.counts[1], grid.counts[0]], chunkCount: grid.count, baselineValue: baseline[0] },
      reference,
      samplesUsed: Math.min(stopAt, acc.count),
      earlyStopped: stopAt < o.samples,
      acceptance: finals.map((f, t) => ({ target: targets[t], threshold: f.threshold, accepted: f.accepted })),
      convergence,
      timing: { totalMs: performance.now() - t0, inferenceMs },
    },
    explainedInput: explained,
  };
}
