// The landmark peaks found inside the ONNX graph (inference/peakGraph.ts) must be the peaks the JS
// decoder finds on the whole heatmaps, bit for bit: MUPAX's same-seed results may not change.
// Reference: decodePeak/decodeHeatmaps on the heatmaps the plain model returns.
import { readFileSync } from 'node:fs';
import { create, toBinary } from '@bufbuild/protobuf';
import { afterAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import {
  ModelProtoSchema,
  GraphProtoSchema,
  NodeProtoSchema,
  OperatorSetIdProtoSchema,
  TensorProto_DataType as DT,
  TensorShapeProto_DimensionSchema,
  TensorShapeProtoSchema,
  TypeProto_TensorSchema,
  TypeProtoSchema,
  ValueInfoProtoSchema,
} from 'onnx-buf';
import { decodeHeatmaps, decodePeak, decodePeakWindow } from '../../src/main/engine/inference/decodeLandmarks';
import { PEAK_OUTPUTS, PEAK_WINDOW, withPeakOutputs } from '../../src/main/engine/inference/peakGraph';
import { InferencePool } from '../../src/main/engine/inference/pool';

/** A model whose "heatmaps" output is its input: any crafted map goes through the peak graph. */
function identityModel(opset: number): Uint8Array {
  const value = (name: string) =>
    create(ValueInfoProtoSchema, {
      name,
      type: create(TypeProtoSchema, {
        value: {
          case: 'tensorType',
          value: create(TypeProto_TensorSchema, {
            elemType: DT.FLOAT,
            shape: create(TensorShapeProtoSchema, {
              dim: ['n', 'c', 'h', 'w'].map((d) => create(TensorShapeProto_DimensionSchema, { value: { case: 'dimParam', value: d } })),
            }),
          }),
        },
      }),
    });
  const graph = create(GraphProtoSchema, {
    name: 'identity',
    node: [create(NodeProtoSchema, { name: 'id', opType: 'Identity', input: ['input'], output: ['heatmaps'] })],
    input: [value('input')],
    output: [value('heatmaps')],
  });
  return toBinary(ModelProtoSchema, create(ModelProtoSchema, { irVersion: 8n, opsetImport: [create(OperatorSetIdProtoSchema, { version: BigInt(opset) })], graph }));
}

describe('heatmap peaks inside the graph', () => {
  it('equal the JS decoder on crafted maps: peaks on edges and corners, ties, flat maps, every refinement', async () => {
    const [n, c, h, w] = [2, 5, 7, 9];
    const maps = new Float32Array(n * c * h * w);
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < maps.length; i++) maps[i] = Math.round(rand() * 20) / 4; // coarse values: ties happen
    const set = (b: number, ch: number, x: number, y: number, v: number) => (maps[((b * c + ch) * h + y) * w + x] = v);
    set(0, 0, 0, 0, 99); // corner
    set(0, 1, w - 1, h - 1, 99); // opposite corner
    set(0, 2, w - 1, 3, 99); // right edge
    set(0, 3, 4, 1, 99); // one row from the top
    set(0, 3, 6, 5, 99); // a tie: the first in scan order wins
    maps.fill(1, (1 * c + 4) * h * w, (1 * c + 5) * h * w); // flat map: the first pixel
    const session = await ort.InferenceSession.create(withPeakOutputs(identityModel(17), 'heatmaps')!);
    const out = await session.run({ input: new ort.Tensor('float32', maps, [n, c, h, w]) });
    expect(Array.from(out[PEAK_OUTPUTS.shape].data as BigInt64Array, Number)).toEqual([n, c, h, w]);
    const index = out[PEAK_OUTPUTS.index].data as BigInt64Array;
    const window = out[PEAK_OUTPUTS.window].data as Float32Array;
    for (const refinement of ['none', 'quadratic', 'softargmax'] as const) {
      for (let i = 0; i < n * c; i++) {
        const map = maps.subarray(i * h * w, (i + 1) * h * w);
        const fromGraph = decodePeakWindow(Number(index[i]), window.subarray(i * PEAK_WINDOW, (i + 1) * PEAK_WINDOW), w, h, refinement);
        expect(fromGraph).toEqual(decodePeak(map, w, h, refinement));
      }
    }
    expect(Number(index[3])).toBe(1 * w + 4); // the tie went to the earlier pixel
    await session.release();
  });

  it('is not built for opsets without int64 Min/Max, or for an output the model lacks', () => {
    expect(withPeakOutputs(identityModel(11), 'heatmaps')).toBeNull();
    expect(withPeakOutputs(identityModel(17), 'logits')).toBeNull();
  });

  describe('through the inference pool on the bundled ceph model', () => {
    const pool = new InferencePool(2);
    afterAll(() => pool.terminate());

    it('masked runs give the landmarks decoded from the whole heatmaps, to the bit', async () => {
      const onnx = new Uint8Array(readFileSync('resources/models/ceph-landmarks/model.onnx'));
      await pool.load('ceph', onnx, { threads: 1 });
      const [hh, ww] = [320, 256];
      const input = Float32Array.from({ length: hh * ww }, (_, i) => Math.sin(i / 97) + Math.cos(i / 1013));
      const baseline = new Float32Array(hh * ww).fill(-1);
      const chunkOf = Int32Array.from({ length: hh * ww }, (_, i) => Math.floor(Math.floor(i / ww) / 32) * 8 + Math.floor((i % ww) / 32));
      await pool.setMaskBase('b', { input, baseline, chunkOf, chunkCount: 80 });
      const masks = Uint8Array.from({ length: 3 * 80 }, (_, i) => ((i * 37) % 5 < 3 ? 1 : 0));
      const res = await pool.runMasked({ key: 'ceph', baseId: 'b', inputName: 'input', sampleDims: [1, hh, ww], masks, output: 'heatmaps', decode: { type: 'heatmapPeaks', inputSize: [ww, hh], refinement: 'quadratic' } });
      // Reference: the plain model's heatmaps for the same three masked inputs, decoded in JS.
      const batch = new Float32Array(3 * hh * ww);
      for (let b = 0; b < 3; b++) for (let v = 0; v < hh * ww; v++) batch[b * hh * ww + v] = masks[b * 80 + chunkOf[v]] ? input[v] : baseline[v];
      const raw = await pool.run('ceph', { input: { data: batch, dims: [3, 1, hh, ww] } }, ['heatmaps']);
      const [, channels] = raw.outputs.heatmaps.dims;
      const expected: number[] = [];
      for (let b = 0; b < 3; b++) {
        const per = channels * hh * ww;
        const peaks = decodeHeatmaps(raw.outputs.heatmaps.data.subarray(b * per, (b + 1) * per), channels, hh, ww, [ww, hh], 'quadratic');
        peaks.forEach((p) => expected.push(Math.fround(p.x), Math.fround(p.y)));
      }
      expect(res.perSample).toBe(channels * 2);
      expect(Array.from(res.values)).toEqual(expected);
      await pool.dropMaskBase('b');
    });
  });
});
