// ONNX protobuf I/O (onnx-buf schema on @bufbuild/protobuf, which keeps unknown fields on re-encode)
// and conversions between TensorProto and plain typed arrays.
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import {
  ModelProtoSchema,
  TensorProtoSchema,
  TensorProto_DataType as DT,
  type ModelProto,
  type TensorProto,
} from 'onnx-buf';
import { GradientModelError } from './errors';

export { DT };

export function decodeModel(bytes: Uint8Array): ModelProto {
  const model = fromBinary(ModelProtoSchema, bytes);
  if (!model.graph) throw new GradientModelError('ONNX model has no graph');
  return model;
}

export function encodeModel(model: ModelProto): Uint8Array {
  return toBinary(ModelProtoSchema, model);
}

/** Version of the default (ai.onnx) opset the model imports. */
export function defaultOpset(model: ModelProto): number {
  const imp = model.opsetImport.find((o) => o.domain === '' || o.domain === 'ai.onnx');
  return imp ? Number(imp.version) : 1;
}

/** A small constant tensor in JS form; int64 values become numbers (shapes, axes, pads fit easily). */
export interface ConstTensor {
  dims: number[];
  dataType: number;
  data: Float32Array | Float64Array | number[];
}

function rawView(t: TensorProto): DataView {
  return new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength);
}

/** Decodes float/double/int tensors; returns undefined for other types or external data. */
export function tensorValue(t: TensorProto): ConstTensor | undefined {
  const dims = t.dims.map(Number);
  const count = dims.reduce((a, b) => a * b, 1);
  const raw = t.rawData.byteLength > 0;
  if (t.externalData.length > 0) return undefined;
  switch (t.dataType) {
    case DT.FLOAT: {
      if (!raw) return { dims, dataType: t.dataType, data: Float32Array.from(t.floatData) };
      const v = rawView(t);
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = v.getFloat32(i * 4, true);
      return { dims, dataType: t.dataType, data: out };
    }
    case DT.DOUBLE: {
      if (!raw) return { dims, dataType: t.dataType, data: Float64Array.from(t.doubleData) };
      const v = rawView(t);
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = v.getFloat64(i * 8, true);
      return { dims, dataType: t.dataType, data: out };
    }
    case DT.INT64: {
      if (!raw) return { dims, dataType: t.dataType, data: t.int64Data.map(Number) };
      const v = rawView(t);
      const out: number[] = [];
      for (let i = 0; i < count; i++) out.push(Number(v.getBigInt64(i * 8, true)));
      return { dims, dataType: t.dataType, data: out };
    }
    case DT.INT32:
    case DT.INT16:
    case DT.INT8:
    case DT.UINT8:
    case DT.BOOL: {
      if (!raw) return { dims, dataType: t.dataType, data: [...t.int32Data] };
      const v = rawView(t);
      const out: number[] = [];
      const size = t.dataType === DT.INT32 ? 4 : t.dataType === DT.INT16 ? 2 : 1;
      for (let i = 0; i < count; i++) {
        out.push(size === 4 ? v.getInt32(i * 4, true) : size === 2 ? v.getInt16(i * 2, true) : t.dataType === DT.INT8 ? v.getInt8(i) : v.getUint8(i));
      }
      return { dims, dataType: t.dataType, data: out };
    }
    default:
      return undefined;
  }
}

export function floatTensor(name: string, dims: number[], data: ArrayLike<number>): TensorProto {
  const f = Float32Array.from(data);
  return create(TensorProtoSchema, {
    name,
    dims: dims.map(BigInt),
    dataType: DT.FLOAT,
    rawData: new Uint8Array(f.buffer, f.byteOffset, f.byteLength),
  });
}

export function int64Tensor(name: string, dims: number[], data: readonly number[]): TensorProto {
  const a = BigInt64Array.from(data.map(BigInt));
  return create(TensorProtoSchema, {
    name,
    dims: dims.map(BigInt),
    dataType: DT.INT64,
    rawData: new Uint8Array(a.buffer, a.byteOffset, a.byteLength),
  });
}
