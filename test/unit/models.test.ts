// Model packages: every broken package is refused at import with a message naming the problem;
// good ones run in the inference worker and their outputs are decoded onto the study.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/engine/engine';
import { pydicomFile } from './dicom-test-helpers';

const FIXTURES = path.resolve('test/fixtures/models');
let work: string;
let engine: Engine;

function pkg(name: string, edit?: (manifest: Record<string, any>) => void, onnx?: Buffer | null): string {
  const dir = path.join(work, name);
  mkdirSync(dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(path.join(FIXTURES, 'tiny-ct-classifier/model.json'), 'utf8'));
  edit?.(manifest);
  writeFileSync(path.join(dir, 'model.json'), JSON.stringify(manifest));
  if (onnx !== null) writeFileSync(path.join(dir, 'model.onnx'), onnx ?? readFileSync(path.join(FIXTURES, 'tiny-ct-classifier/model.onnx')));
  return dir;
}

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'explicare-models-'));
  engine = new Engine({ cacheDir: path.join(work, 'cache'), bundledModelsDir: path.join(work, 'no-bundled') });
});
afterAll(async () => {
  await engine.dispose();
  rmSync(work, { recursive: true, force: true });
});

describe('model import refuses broken packages with a clear message', () => {
  const cases: [string, () => string, RegExp][] = [
    ['not ONNX', () => pkg('not-onnx', undefined, Buffer.from('this is not a model')), /model\.onnx is not an ONNX model/],
    [
      'corrupt ONNX',
      () => pkg('corrupt', undefined, Buffer.concat([Buffer.from([0x08, 0x07]), Buffer.alloc(64, 0xff)])),
      /could not be loaded by ONNX Runtime|not a valid ONNX protobuf/,
    ],
    [
      'manifest missing',
      () => {
        const d = path.join(work, 'no-manifest');
        mkdirSync(d, { recursive: true });
        copyFileSync(path.join(FIXTURES, 'tiny-ct-classifier/model.onnx'), path.join(d, 'model.onnx'));
        return d;
      },
      /has no model\.json/,
    ],
    [
      'manifest not JSON',
      () => {
        const d = pkg('bad-json');
        writeFileSync(path.join(d, 'model.json'), '{ "name": ');
        return d;
      },
      /model\.json is not valid JSON/,
    ],
    ['manifest field wrong', () => pkg('bad-task', (m) => (m.task = 'segmentation')), /model\.json is invalid: task: /],
    ['rank does not match layout', () => pkg('bad-rank', (m) => (m.input.shape = [1, 1, 16, 16])), /input\.shape: layout NCDHW needs 5 dimensions/],
    ['input name missing', () => pkg('bad-input', (m) => (m.input.name = 'image')), /input "image" is not in the model \(it has: input\)/],
    [
      'input shape differs',
      () => pkg('bad-shape', (m) => (m.input.shape = [1, 1, 8, 16, 32])),
      /input "input" axis 4 is 16 in the model but 32 in model\.json/,
    ],
    ['output missing', () => pkg('bad-output', (m) => (m.output.name = 'probs')), /output "probs" is not in the model \(it has: logits\)/],
    ['task/decoding mismatch', () => pkg('mismatch', (m) => (m.task = 'landmarks')), /task "landmarks" cannot use "classification" decoding/],
  ];
  for (const [label, make, message] of cases) {
    it(label, async () => {
      await expect(engine.importModel(make())).rejects.toThrow(message);
    });
  }

  it('leaves the library unchanged after failed imports', async () => {
    expect(await engine.listModels()).toEqual([]);
  });
});

describe('model import and inference', () => {
  it('imports a zip package, lists it with its card, and runs it on a CT', async () => {
    const zip = zipSync({
      'tiny/model.json': readFileSync(path.join(FIXTURES, 'tiny-ct-classifier/model.json')),
      'tiny/model.onnx': readFileSync(path.join(FIXTURES, 'tiny-ct-classifier/model.onnx')),
    });
    const zipPath = path.join(work, 'tiny.zip');
    writeFileSync(zipPath, zip);
    const model = await engine.importModel(zipPath);
    expect(model.task).toBe('classification');
    expect((await engine.listModels()).map((m) => m.id)).toEqual([model.id]);

    const report = await engine.openPaths([pydicomFile('CT_small.dcm')]);
    const result = await engine.runModel(report.openedSeries[0], model.id);
    expect(result.provider).toBe('cpu');
    expect(result.classification!.probabilities).toHaveLength(2);
    expect(result.classification!.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(result.modelGrid.dimensions).toEqual([16, 16, 8]);
  });

  it('refuses to run a CT model on an MR series, naming both', async () => {
    const model = (await engine.listModels())[0];
    const report = await engine.openPaths([pydicomFile('MR_small.dcm')]);
    await expect(engine.runModel(report.openedSeries[0], model.id)).rejects.toThrow(/this model is for CT images; the series is MR/);
  });

  it('decodes landmark heatmaps onto image pixels, with errors against loaded ground truth', async () => {
    const model = await engine.importModel(path.join(FIXTURES, 'tiny-landmarks'));
    const report = await engine.openPaths([pydicomFile('CT_small.dcm')]);
    const uid = report.openedSeries[0];
    await engine.importLandmarks(uid, [{ name: 'gt.csv', data: new TextEncoder().encode('name,x,y\nSella,10,20\nNasion,100,30\n').buffer as ArrayBuffer }]);
    const result = await engine.runModel(uid, model.id);
    const points = result.landmarks!.points;
    expect(points.map((p) => p.abbreviation)).toEqual(['S', 'N', 'Or']);
    for (const p of points) {
      expect(p.pixel[0]).toBeGreaterThanOrEqual(-0.5);
      expect(p.pixel[0]).toBeLessThanOrEqual(127.5);
    }
    const errors = result.landmarks!.errors!;
    expect(errors.count).toBe(2);
    expect(errors.perLandmark[2].errorMm).toBeNull();
    // CT_small has 0.661 mm pixels: errors are in mm, not pixels.
    const dx = (points[0].pixel[0] - 10) * 0.661468;
    const dy = (points[0].pixel[1] - 20) * 0.661468;
    expect(errors.perLandmark[0].errorMm).toBeCloseTo(Math.hypot(dx, dy), 3);
  });

  it('refuses landmark files that do not fit the image', async () => {
    const report = await engine.openPaths([pydicomFile('CT_small.dcm')]);
    await expect(
      engine.importLandmarks(report.openedSeries[0], [{ name: 'gt.csv', data: new TextEncoder().encode('name,x,y\nSella,500,20\n').buffer as ArrayBuffer }]),
    ).rejects.toThrow(/Sella lie outside the 128x128 image/);
  });
});
