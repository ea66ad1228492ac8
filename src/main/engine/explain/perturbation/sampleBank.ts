// The masked samples of recent perturbation runs, kept so that RISE and the regression (and a
// MUPAX run with another acceptance rule) reuse the forward passes MUPAX already paid for. Keyed
// by everything that decides the samples: the loaded model, the model input (its hash), the
// sampler's seed and chunks, the fill, antithetic pairing, the target and its reference.
import { createHash } from 'node:crypto';
import type { ExplainContext } from '../method';
import type { MupaxOptions } from '../mupax/options';
import type { MupaxSampling } from '../mupax/sampling';

const CAPACITY = 4;
const bank = new Map<string, MupaxSampling>();
const inputHashes = new WeakMap<Float32Array, string>();

function inputHash(data: Float32Array): string {
  let h = inputHashes.get(data);
  if (!h) {
    h = createHash('sha256').update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)).digest('hex');
    inputHashes.set(data, h);
  }
  return h;
}

/** The key of the samples `o` draws on `ctx` (chunk and fill as resolved by the run). */
export function sampleKey(ctx: ExplainContext, o: MupaxOptions, resolved: { chunk: number[]; baseline: unknown; antithetic: boolean }): string {
  return JSON.stringify([
    ctx.session.key,
    inputHash(ctx.input.data),
    o.seed,
    resolved.chunk,
    resolved.baseline,
    resolved.antithetic,
    o.stratificationBlock,
    o.target,
    o.reference,
    o.error,
  ]);
}

export function takeSamples(key: string): MupaxSampling | undefined {
  const run = bank.get(key);
  if (run) {
    bank.delete(key); // re-inserted by putSamples: most recently used last
  }
  return run;
}

export async function putSamples(key: string, run: MupaxSampling): Promise<void> {
  await run.close(); // the worker's copy of the input is not kept; draw() sets it up again
  const old = bank.get(key);
  if (old && old !== run) bank.delete(key);
  bank.set(key, run);
  while (bank.size > CAPACITY) bank.delete(bank.keys().next().value!);
}
