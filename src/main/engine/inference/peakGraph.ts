// A landmark model with its heatmap peaks found inside the graph. MUPAX needs only each heatmap's
// argmax and the few values around it (sub-pixel refinement), but the plain model returns every
// heatmap: 19 x 320 x 256 floats per sample on the demo ceph, 50 MB per batch of 8 copied out of
// ONNX Runtime and scanned in JS. Appending ArgMax and a 5x5 GatherElements to the graph returns
// 26 numbers per landmark instead; decodeLandmarks.ts turns them into the same peaks, bit for bit.
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import {
  AttributeProto_AttributeType as AT,
  AttributeProtoSchema,
  ModelProtoSchema,
  NodeProtoSchema,
  TensorProto_DataType as DT,
  TensorProtoSchema,
  TypeProto_TensorSchema,
  TypeProtoSchema,
  ValueInfoProtoSchema,
} from 'onnx-buf';

/** Half the side of the window returned around each peak (5x5: what softargmax reads). */
export const PEAK_RADIUS = 2;
export const PEAK_WINDOW = (2 * PEAK_RADIUS + 1) ** 2;

/** Output names of the derived graph. */
export const PEAK_OUTPUTS = { index: 'explicare_peak_index', window: 'explicare_peak_window', shape: 'explicare_heatmap_shape' } as const;

/**
 * The model with `heatmaps` ([N, C, H, W]) replaced by three outputs: the flat argmax of every
 * heatmap ([N, C, 1] int64, first maximum like the JS scan), the 5x5 window around it ([N, C, 25]
 * float; positions off the map read a clamped neighbour and are ignored by the decoder) and the
 * heatmaps' shape ([4] int64). Returns null when the model cannot take these ops (opset < 12:
 * int64 Min/Max) or has no such output, and the caller decodes whole heatmaps instead.
 */
export function withPeakOutputs(onnx: Uint8Array, heatmaps: string): Uint8Array | null {
  const model = fromBinary(ModelProtoSchema, onnx);
  const graph = model.graph;
  const opset = model.opsetImport.find((o) => o.domain === '' || o.domain === 'ai.onnx');
  if (!graph || !opset || Number(opset.version) < 12) return null;
  if (!graph.output.some((o) => o.name === heatmaps)) return null;
  const taken = new Set([...graph.node.flatMap((n) => n.output), ...graph.initializer.map((t) => t.name), ...graph.input.map((i) => i.name)]);
  if (Object.values(PEAK_OUTPUTS).some((n) => taken.has(n))) return null;
  const name = (s: string) => `explicare_peaks/${s}`;

  const ints = (n: string, values: number[], scalar = false) => {
    const a = BigInt64Array.from(values.map(BigInt));
    graph.initializer.push(
      create(TensorProtoSchema, { name: name(n), dims: scalar ? [] : [BigInt(values.length)], dataType: DT.INT64, rawData: new Uint8Array(a.buffer) }),
    );
    return name(n);
  };
  const node = (opType: string, input: string[], output: string, attrs: Record<string, number> = {}) => {
    graph.node.push(
      create(NodeProtoSchema, {
        name: name(`${opType}_${output}`),
        opType,
        input,
        output: [output],
        attribute: Object.entries(attrs).map(([k, v]) => create(AttributeProtoSchema, { name: k, type: AT.INT, i: BigInt(v) })),
      }),
    );
    return output;
  };
  const offsets = Array.from({ length: PEAK_WINDOW }, (_, i) => i);
  const dy = ints('dy', offsets.map((i) => Math.floor(i / (2 * PEAK_RADIUS + 1)) - PEAK_RADIUS));
  const dx = ints('dx', offsets.map((i) => (i % (2 * PEAK_RADIUS + 1)) - PEAK_RADIUS));

  const shape = node('Shape', [heatmaps], PEAK_OUTPUTS.shape);
  const width = node('Gather', [shape, ints('three', [3], true)], name('width'), { axis: 0 });
  const height = node('Gather', [shape, ints('two', [2], true)], name('height'), { axis: 0 });
  const last = node('Sub', [node('Mul', [height, width], name('area')), ints('one', [1], true)], name('last'));
  const flat = node('Reshape', [heatmaps, ints('flat_shape', [0, 0, -1])], name('flat'));
  const index = node('ArgMax', [flat], PEAK_OUTPUTS.index, { axis: 2, keepdims: 1 });
  const step = node('Add', [node('Mul', [dy, width], name('row_offsets')), dx], name('offsets'));
  const around = node('Add', [index, step], name('around'));
  const inside = node('Max', [node('Min', [around, last], name('below_end')), ints('zero', [0], true)], name('inside'));
  node('GatherElements', [flat, inside], PEAK_OUTPUTS.window, { axis: 2 });

  const output = (n: string, elemType: number) =>
    create(ValueInfoProtoSchema, { name: n, type: create(TypeProtoSchema, { value: { case: 'tensorType', value: create(TypeProto_TensorSchema, { elemType }) } }) });
  graph.output.splice(0, graph.output.length, output(PEAK_OUTPUTS.index, DT.INT64), output(PEAK_OUTPUTS.window, DT.FLOAT), output(PEAK_OUTPUTS.shape, DT.INT64));
  return toBinary(ModelProtoSchema, model);
}
