// Cascading model-parameter randomization (Adebayo et al. 2018, "Sanity checks for saliency
// maps"): the model's weight layers, from the output down, are re-drawn one block at a time, so a
// method's map can be watched as the model it explains is destroyed. Works on any ONNX model: a
// "layer" is a node with a float weight initializer of rank >= 2 (Conv, ConvTranspose, Gemm,
// MatMul), together with its other float initializers (bias). Normalization parameters are kept:
// exported models fold them into the convolutions, and redrawing running statistics blows up
// activations instead of removing what the model learnt.
import { create } from '@bufbuild/protobuf';
import { TensorProtoSchema, type ModelProto, type TensorProto } from 'onnx-buf';
import { createRng } from '../random';
import { decodeModel, DT, encodeModel, tensorValue } from '../explain/autodiff/proto';

export interface ParameterLayer {
  /** The node's name (or its op and position when unnamed). */
  name: string;
  /** Its float initializers (weights first). */
  initializers: string[];
}

/** Weight layers in graph order (input side first). */
export function parameterLayers(model: ModelProto): ParameterLayer[] {
  const floats = new Map<string, TensorProto>();
  for (const t of model.graph!.initializer) if (t.dataType === DT.FLOAT && t.externalData.length === 0) floats.set(t.name, t);
  const claimed = new Set<string>();
  const layers: ParameterLayer[] = [];
  model.graph!.node.forEach((n, i) => {
    const own = n.input.filter((x) => floats.has(x) && !claimed.has(x));
    if (!own.some((x) => floats.get(x)!.dims.length >= 2)) return;
    own.sort((a, b) => floats.get(b)!.dims.length - floats.get(a)!.dims.length);
    own.forEach((x) => claimed.add(x));
    layers.push({ name: n.name || `${n.opType} #${i}`, initializers: own });
  });
  return layers;
}

/**
 * Why the model's parameters cannot be randomized, or null when they can: no weight layers, or
 * weight tensors that each hold one repeated value (nothing was learnt whose loss a map could show).
 */
export function whyNotRandomizable(model: ModelProto): string | null {
  const layers = parameterLayers(model);
  if (layers.length === 0) return 'the model has no weight layers (Conv, ConvTranspose, Gemm, MatMul with float weights) to randomize';
  const byName = new Map(model.graph!.initializer.map((t) => [t.name, t]));
  const constant = (name: string) => {
    const v = tensorValue(byName.get(name)!)?.data as Float32Array | undefined;
    return !!v && v.every((x) => x === v[0]);
  };
  if (layers.every((l) => constant(l.initializers[0])))
    return `every weight tensor of the model's ${layers.length} weight layer(s) holds one repeated value: there are no learnt weights whose destruction the map could follow`;
  return null;
}

/** Splits `n` layers (output side first) into at most `maxSteps` contiguous blocks of near-equal size. */
export function blocksOf(n: number, maxSteps: number): number[][] {
  const steps = Math.min(n, Math.max(1, maxSteps));
  return Array.from({ length: steps }, (_, s) => {
    const from = Math.floor((s * n) / steps);
    const to = Math.floor(((s + 1) * n) / steps);
    return Array.from({ length: to - from }, (_, k) => from + k);
  });
}

export interface RandomizedModel {
  /** Layers randomized so far (cumulative), output side first. */
  layers: string[];
  onnx: Uint8Array;
}

/**
 * The cascade: step k has the layers of blocks 0..k (output side first) redrawn from a normal
 * distribution with each tensor's own standard deviation (mean 0), seeded by `seed` and the
 * tensor's name, so a step's model is the same whatever the number of steps.
 */
export function* cascadingRandomization(onnx: Uint8Array, seed: number, maxSteps: number): Generator<RandomizedModel> {
  const model = decodeModel(onnx);
  const layers = parameterLayers(model).reverse();
  if (layers.length === 0) throw new Error('the model has no weight layers (Conv, Gemm, MatMul with float weights) to randomize');
  const byName = new Map(model.graph!.initializer.map((t, i) => [t.name, i]));
  const done: string[] = [];
  for (const block of blocksOf(layers.length, maxSteps)) {
    for (const l of block.map((i) => layers[i])) {
      for (const name of l.initializers) {
        const at = byName.get(name)!;
        model.graph!.initializer[at] = redrawn(model.graph!.initializer[at], seed);
      }
      done.push(l.name);
    }
    yield { layers: [...done], onnx: encodeModel(model) };
  }
}

function redrawn(t: TensorProto, seed: number): TensorProto {
  const values = tensorValue(t)!.data as Float32Array;
  let sum = 0;
  let sq = 0;
  for (const v of values) {
    sum += v;
    sq += v * v;
  }
  const mean = sum / Math.max(1, values.length);
  // A tensor of one repeated value (a zero bias) gets a small spread, or it would stay as learnt.
  const sd = Math.sqrt(Math.max(0, sq / Math.max(1, values.length) - mean * mean)) || 0.01;
  const rng = createRng(`sanity:${seed}:${t.name}`);
  const out = new Float32Array(values.length);
  for (let i = 0; i < out.length; i++) out[i] = rng.gaussian(0, sd);
  return create(TensorProtoSchema, { name: t.name, dims: t.dims, dataType: DT.FLOAT, rawData: new Uint8Array(out.buffer) });
}
