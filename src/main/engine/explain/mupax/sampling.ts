// One MUPAX sampling run. prepareMupax validates the parameters, resolves the target on the
// unmasked input and builds the fill; a MupaxSampling draws samples on one partition of the input
// (the chunk grid, or a coarse-to-fine mix) into an accumulator on request. runMupax drives it;
// benchmarks drive it too, to read maps at several N.
import type { MaskedResult } from '../../inference/pool';
import type { ExplainContext } from '../method';
import { resolveTarget, type Target } from '../target';
import { MupaxAccumulator } from './accumulator';
import { chunkGrid, type ChunkGrid, MupaxParameterError, type Partition } from './chunks';
import { fillVolume } from './fill';
import { estimatorOf, type MupaxOptions } from './options';
import { MaskSampler } from './sampler';
import { upperTail } from './significance';

let baseCounter = 0;

export interface MupaxSetup {
  options: MupaxOptions;
  estimator: ReturnType<typeof estimatorOf>;
  /** [z, y, x] voxels: the finest chunk of the result. */
  chunk: [number, number, number];
  fine: ChunkGrid;
  target: Target;
  fill: Float32Array;
}

export async function prepareMupax(ctx: ExplainContext, o: MupaxOptions): Promise<MupaxSetup> {
  const { manifest, input, worker, session } = ctx;
  const est = estimatorOf(o);
  const is3d = manifest.input.layout === 'NCDHW';
  const [gx, gy, gz] = input.grid.dimensions;
  const chunk = (o.chunk ?? (is3d ? [8, 16, 16] : [1, 32, 32])) as [number, number, number];
  const fine = chunkGrid([gx, gy, gz], [chunk[2], chunk[1], is3d ? chunk[0] : 1]);
  if (o.samples < 4 * o.stratificationBlock && o.samples < 256) {
    throw new MupaxParameterError(`samples: N = ${o.samples} is too few for ${fine.count} chunks (use at least 256)`);
  }
  const acceptedAtN = Math.floor((o.percentile / 100) * o.samples);
  if (acceptedAtN < 10)
    throw new MupaxParameterError(
      `percentile: W at the ${o.percentile}th percentile of ${o.samples} samples accepts only ${acceptedAtN}: raise the percentile or N`,
    );
  // The strongest possible evidence (a chunk kept in every accepted sample, kept fraction 1/2)
  // gives z = sqrt(accepted); when that cannot pass q/n, no chunk can ever be significant.
  if (upperTail(Math.sqrt(acceptedAtN)) > o.fdr / fine.count) {
    let need = acceptedAtN;
    while (upperTail(Math.sqrt(need)) > o.fdr / fine.count) need++;
    throw new MupaxParameterError(
      `samples: N = ${o.samples} cannot show any significant chunk at fdr ${o.fdr} among ${fine.count} chunks (needs at least ${Math.ceil((need * 100) / o.percentile)} samples)`,
    );
  }
  const fill = fillVolume(input.data, [gx, gy, gz], fine.size, est.baseline);
  // Unmasked run: what the target is (the predicted class, the landmark reference).
  const plain = (await worker.run(session.key, { [manifest.input.name]: { data: input.data, dims: input.dims } }, [manifest.output.name])).outputs[
    manifest.output.name
  ];
  const target = resolveTarget(
    {
      manifest,
      gridSize: [gx, gy],
      spacing: [input.grid.spacing[0], input.grid.spacing[1]],
      truthInGrid: ctx.truthInGrid,
      reference: o.reference,
      classError: o.error,
    },
    o.target,
    plain,
  );
  return { options: o, estimator: est, chunk, fine, target, fill };
}

interface InFlight {
  count: number;
  masks: Uint8Array;
  result: Promise<MaskedResult>;
}

/**
 * Draws masks in order and keeps up to two batches per inference thread in flight, so the threads
 * never wait for the engine (tests, progress) or for each other; results enter the accumulator in
 * draw order, so the samples, and every map, are the same whatever the threads and batch timing.
 */
export class MupaxSampling {
  private inferenceMs = 0;
  readonly acc: MupaxAccumulator;
  private readonly sampler: MaskSampler;
  private readonly inFlight: InFlight[] = [];

  private constructor(
    private readonly ctx: ExplainContext,
    readonly setup: MupaxSetup,
    readonly partition: Partition,
    private baseId: string | null,
    stream: string,
  ) {
    const o = setup.options;
    this.sampler = new MaskSampler(o.seed, partition.count, o.stratificationBlock, setup.estimator.antithetic, stream);
    this.acc = new MupaxAccumulator(partition.count, setup.target.errorNames.length, Math.min(o.samples, 4096));
  }

  /** Sampling on `partition` (default: the chunk grid); `stream` separates the stages' random draws. */
  static async start(ctx: ExplainContext, setup: MupaxSetup, partition: Partition = setup.fine, stream = ''): Promise<MupaxSampling> {
    const baseId = `mupax-${process.pid}-${++baseCounter}`;
    await ctx.worker.setMaskBase(baseId, { input: ctx.input.data, baseline: setup.fill, chunkOf: partition.chunkOf, chunkCount: partition.count });
    return new MupaxSampling(ctx, setup, partition, baseId, stream);
  }

  /** Samples drawn: in the accumulator or in flight. */
  private get drawn(): number {
    return this.acc.count + this.inFlight.reduce((n, f) => n + f.count, 0);
  }

  /**
   * Fills the accumulator up to `total` samples, drawing ahead (at most up to `limit`) so the next
   * batches are already running when this returns.
   */
  async fill(total: number, limit = total): Promise<void> {
    limit = Math.max(limit, total);
    const depth = 2 * Math.max(1, this.ctx.worker.replicasOf(this.ctx.session.key));
    const batch = this.setup.options.batchSize;
    while (this.acc.count < total) {
      while (this.inFlight.length < depth && this.drawn < limit) await this.launch(Math.min(batch, limit - this.drawn));
      await this.settleNext();
    }
    while (this.inFlight.length < depth && this.drawn < limit) await this.launch(Math.min(batch, limit - this.drawn));
  }

  /** Draws `count` more samples into the accumulator (nothing ahead). */
  async draw(count: number): Promise<void> {
    await this.fill(this.acc.count + count, this.acc.count + count);
  }

  private async launch(count: number): Promise<void> {
    const { manifest, worker, session, input } = this.ctx;
    if (this.baseId === null) {
      // Reopened (a banked run drawing more): hand the workers the masking base again.
      this.baseId = `mupax-${process.pid}-${++baseCounter}`;
      await worker.setMaskBase(this.baseId, {
        input: input.data,
        baseline: this.setup.fill,
        chunkOf: this.partition.chunkOf,
        chunkCount: this.partition.count,
      });
    }
    const units = this.partition.count;
    const masks = new Uint8Array(count * units);
    for (let i = 0; i < count; i++) this.sampler.next(masks, i * units);
    const result = worker.runMasked({
      key: session.key,
      baseId: this.baseId,
      inputName: manifest.input.name,
      sampleDims: input.dims.slice(1),
      masks,
      output: manifest.output.name,
      decode: this.setup.target.decode,
    });
    result.catch(() => undefined); // awaited in order later; a failure must not go unhandled meanwhile
    this.inFlight.push({ count, masks, result });
  }

  private async settleNext(): Promise<void> {
    const next = this.inFlight.shift()!;
    const res = await next.result;
    this.inferenceMs += res.ms;
    const units = this.partition.count;
    const target = this.setup.target;
    for (let i = 0; i < next.count; i++) this.acc.add(next.masks, i * units, target.errors(res.values, i * res.perSample));
  }

  get workerInferenceMs(): number {
    return this.inferenceMs;
  }

  /**
   * Waits for the batches still running (their samples are kept: a banked run hands them on), then
   * frees the workers' copy of the masking base; `fill` sets it up again if needed.
   */
  async close(): Promise<void> {
    while (this.inFlight.length > 0) await this.settleNext().catch(() => (this.inFlight.length = 0));
    if (this.baseId === null) return;
    const id = this.baseId;
    this.baseId = null;
    await this.ctx.worker.dropMaskBase(id).catch(() => undefined);
  }
}
