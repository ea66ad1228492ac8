// Grad-CAM, Grad-CAM++, IG and PS-IG maps against torch references computed by the methods'
// definitions (tools/make_gradient_references.py: Grad-CAM++ from the higher derivatives of
// exp(score), PS-IG as an expectation over sampled baselines), on fixture models whose PyTorch
// definition that tool holds. The app's method runs on the stored input and grid as they are.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Geometry } from '../../src/shared/geometry';
import type { ExplainContext } from '../../src/main/engine/explain/method';
import { METHODS } from '../../src/main/engine/explain/methods';
import { InferencePool } from '../../src/main/engine/inference/pool';
import { parseManifest } from '../../src/main/engine/models/readPackage';

interface Reference {
  model: string;
  inputDims: number[];
  grid: Geometry;
  input: number[];
  cases: { method: string; options: Record<string, unknown>; resolvedTarget: number | string; map: number[] }[];
}

// Torch runs in float64, ONNX Runtime in float32: the maps agree to ~2e-7 of their largest value.
const TOLERANCE = 1e-5;

const worker = new InferencePool(1);
afterAll(() => worker.terminate());

async function context(ref: Reference): Promise<ExplainContext> {
  const dir = path.resolve('test/fixtures/models', ref.model);
  const onnx = readFileSync(path.join(dir, 'model.onnx'));
  const session = await worker.load(`gradient-reference-${ref.model}`, onnx, { threads: 1, provider: 'cpu' });
  return {
    worker,
    session,
    manifest: parseManifest(readFileSync(path.join(dir, 'model.json'))),
    onnx,
    input: { data: Float32Array.from(ref.input), dims: ref.inputDims, grid: ref.grid },
  };
}

/** Largest difference relative to the reference map's largest magnitude, and where. */
function worstDifference(actual: Float32Array, expected: number[]): { relative: number; index: number } {
  let scale = 0;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  let worst = { relative: 0, index: -1 };
  for (let i = 0; i < expected.length; i++) {
    const relative = Math.abs(actual[i] - expected[i]) / scale;
    if (!(relative <= worst.relative)) worst = { relative, index: i };
  }
  return worst;
}

for (const name of ['pooled-ct-classifier', 'tiny-landmarks']) {
  describe(`gradient methods on ${name} match torch`, () => {
    const ref = JSON.parse(readFileSync(path.resolve('test/fixtures/gradient-reference', `${name}.json`), 'utf8')) as Reference;
    let ctx: ExplainContext;
    beforeAll(async () => {
      ctx = await context(ref);
    });

    for (const c of ref.cases) {
      it(`${c.method} ${JSON.stringify(c.options)}`, async () => {
        const method = METHODS[c.method];
        const out = await method.run(ctx, method.parse(c.options), () => {}, new AbortController().signal);
        const map = out.maps[0].data;
        expect(map.length).toBe(c.map.length);
        const resolved = (out.details.target as { index: number | null }).index;
        expect(resolved ?? 'all').toBe(c.resolvedTarget);
        // A reference of zeros would make any map pass: each case has evidence (a landmark: its 5x5 receptive field).
        expect(c.map.filter((v) => v !== 0).length).toBeGreaterThanOrEqual(16);
        const worst = worstDifference(map, c.map);
        console.log(`${ref.model} ${c.method} ${JSON.stringify(c.options)}: worst relative difference ${worst.relative.toExponential(2)}`);
        expect(worst.relative, `worst at ${worst.index}: app ${map[worst.index]}, torch ${c.map[worst.index]}`).toBeLessThan(TOLERANCE);
      });
    }
  });
}
