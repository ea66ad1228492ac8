// buildGradientModel: parse, analyse, append the backward pass, expose gradients and activations.
import { create } from '@bufbuild/protobuf';
import {
  TensorShapeProtoSchema,
  TensorShapeProto_DimensionSchema,
  TypeProtoSchema,
  TypeProto_TensorSchema,
  ValueInfoProtoSchema,
  type ValueInfoProto,
} from 'onnx-buf';
import { appendBackward } from './backward';
import { Emitter } from './emitter';
import { GradientModelError } from './errors';
import { GraphIndex } from './graph';
import { decodeModel, DT, encodeModel } from './proto';
import { ShapeInfo, type Shape } from './shapes';
import type { GradientModel, GradientRequest } from './types';

function floatValueInfo(name: string, shape: Shape | undefined): ValueInfoProto {
  const dims = shape?.map((d) =>
    create(TensorShapeProto_DimensionSchema, {
      value: typeof d === 'number' ? { case: 'dimValue', value: BigInt(d) } : typeof d === 'string' ? { case: 'dimParam', value: d } : { case: undefined },
    }),
  );
  return create(ValueInfoProtoSchema, {
    name,
    type: create(TypeProtoSchema, {
      value: {
        case: 'tensorType',
        value: create(TypeProto_TensorSchema, { elemType: DT.FLOAT, shape: dims ? create(TensorShapeProtoSchema, { dim: dims }) : undefined }),
      },
    }),
  });
}

function elemType(g: GraphIndex, name: string): number | undefined {
  const v = [...g.graph.input, ...g.graph.output, ...g.graph.valueInfo].find((x) => x.name === name);
  return v?.type?.value.case === 'tensorType' ? v.type.value.value.elemType : undefined;
}

export function buildGradientModel(onnx: Uint8Array, req: GradientRequest): GradientModel {
  const model = decodeModel(onnx);
  const g = new GraphIndex(model);
  for (const t of [req.output, ...req.wrt, ...(req.keepActivations ?? [])]) {
    if (!g.hasTensor(t)) throw new GradientModelError(`tensor "${t}" is not in the model`);
  }
  const outType = elemType(g, req.output);
  if (outType !== undefined && outType !== DT.FLOAT) throw new GradientModelError(`output "${req.output}" is not float32`);
  const shapes = new ShapeInfo(g);
  const e = new Emitter(g);

  const seedInput = g.fresh(`${req.output}_grad_seed`);
  g.graph.input.push(floatValueInfo(seedInput, shapes.get(req.output)));

  const { grads } = appendBackward(g, shapes, e, req.output, seedInput, req.wrt);

  const gradientOutputs: Record<string, string> = {};
  for (const t of req.wrt) {
    const name = g.fresh(`${t}_grad`);
    const grad = grads.get(t) ?? e.zerosLike(t); // the output does not depend on t
    e.identityTo(grad, name);
    g.graph.output.push(floatValueInfo(name, shapes.get(t)));
    gradientOutputs[t] = name;
  }
  const activationOutputs: Record<string, string> = {};
  for (const t of req.keepActivations ?? []) {
    const name = g.fresh(`${t}_activation`);
    e.identityTo(t, name);
    g.graph.output.push(floatValueInfo(name, shapes.get(t)));
    activationOutputs[t] = name;
  }
  return { model: encodeModel(model), seedInput, gradientOutputs, activationOutputs };
}
