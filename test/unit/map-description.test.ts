// The words a map carries: target with probability, negative-class caveat, samples or steps, and
// significance; the positive class from the manifest or, for two classes, from an "absence" name.
import { describe, expect, it } from 'vitest';
import type { JobStatus, PredictionResult } from '../../src/shared/api';
import { describeMap, mapLabel, positiveClassOf } from '../../src/renderer/mapDescription';

const grid = { dimensions: [1, 1, 1], spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] } as unknown as NonNullable<
  JobStatus['result']
>['grid'];

function job(method: string, targets: string[], details: Record<string, unknown>): JobStatus {
  return {
    id: 'job-1',
    label: `${method} · model`,
    state: 'done',
    done: 1,
    total: 1,
    partialVersion: 0,
    startedAt: 0,
    elapsedMs: 1,
    fromCache: false,
    seriesUid: '1.2',
    modelId: 'm',
    method,
    result: { targets, grid, details },
  };
}

const prediction = (predicted: number, positiveClass?: number): PredictionResult =>
  ({
    modelId: 'm',
    classification: { classes: ['no nodule', 'nodule'], probabilities: [0.64, 0.36], predicted, positiveClass },
  }) as unknown as PredictionResult;

describe('positiveClassOf', () => {
  it('takes the manifest positive class', () => {
    expect(positiveClassOf({ classes: ['a', 'b', 'c'], positiveClass: 2 })).toBe(2);
  });
  it('finds the finding class of two when one is named as an absence', () => {
    expect(positiveClassOf({ classes: ['no nodule', 'nodule'] })).toBe(1);
    expect(positiveClassOf({ classes: ['fracture', 'normal'] })).toBe(0);
    expect(positiveClassOf({ classes: ['Background', 'Lesion'] })).toBe(0 + 1);
  });
  it('does not guess when neither or both names say absence, or with more classes', () => {
    expect(positiveClassOf({ classes: ['cat', 'dog'] })).toBeNull();
    expect(positiveClassOf({ classes: ['no a', 'no b'] })).toBeNull();
    expect(positiveClassOf({ classes: ['no a', 'b', 'c'] })).toBeNull();
  });
});

describe('describeMap', () => {
  it('names the class and its probability; two classes read differently', () => {
    const a = describeMap(job('gradcam', ['nodule'], { target: { kind: 'class', index: 1, label: 'nodule' } }), prediction(0, 1));
    const b = describeMap(job('gradcam', ['no nodule'], { target: { kind: 'class', index: 0, label: 'no nodule' } }), prediction(0, 1));
    expect(mapLabel(a)).toBe('Grad-CAM · "nodule" (p = 0.36)');
    expect(mapLabel(b)).toBe('Grad-CAM · "no nodule" (p = 0.64)');
    // The finding class of a negative prediction: "where would it see a nodule?", said as such.
    expect(a.caveat).toBe('"nodule" is not the predicted class ("no nodule")');
    expect(b.caveat).toContain('negative class');
    const positivePrediction = describeMap(job('gradcam', ['nodule'], { target: { kind: 'class', index: 1, label: 'nodule' } }), prediction(1, 1));
    expect(positivePrediction.caveat).toBeNull();
  });
  it('says when the explained class was not predicted (no positive class known)', () => {
    const c = { modelId: 'm', classification: { classes: ['cat', 'dog'], probabilities: [0.2, 0.8], predicted: 1 } } as unknown as PredictionResult;
    const d = describeMap(job('gradcam', ['cat'], { target: { kind: 'class', index: 0, label: 'cat' } }), c);
    expect(d.caveat).toBe('"cat" is not the predicted class ("dog")');
  });
  it('leaves out the probability of another model\'s prediction', () => {
    const other = { ...prediction(0, 1), modelId: 'other' } as PredictionResult;
    expect(describeMap(job('gradcam', ['nodule'], { target: { kind: 'class', index: 1, label: 'nodule' } }), other).target).toBe('"nodule"');
  });
  it('carries samples and the significance level of the shown landmark', () => {
    const details = { target: { kind: 'landmarks', index: null, label: 'all landmarks' }, samplesUsed: 1024, significance: [{ q: 0.05 }, { q: 0.1 }] };
    const j = job('mupax', ['Gonion', 'any landmark'], details);
    expect(mapLabel(describeMap(j, null, 0))).toBe('MUPAX · landmark "Gonion" · 1024 samples · significant at q = 0.05');
    expect(mapLabel(describeMap(j, null))).toBe('MUPAX · any landmark · 1024 samples · significant at q = 0.1');
  });
  it('gives IG its steps and a running job the target it was started for', () => {
    expect(describeMap(job('ig', ['nodule'], { target: { kind: 'class', index: 1 }, parameters: { steps: 32 } }), null).amount).toBe('32 steps');
    const running: JobStatus = { ...job('mupax', [], {}), state: 'running', total: 512, result: undefined };
    expect(mapLabel(describeMap(running, null, undefined, { name: '"nodule"' }))).toBe('MUPAX · "nodule" · 512 samples');
  });
  it('gives MFABA the steps its path walked before the boundary, never "samples"', () => {
    const done = job('mfaba', ['nodule'], { target: { kind: 'class', index: 1 }, parameters: { steps: 32 }, path: { steps: 4 } } as never);
    expect(describeMap(done, null).amount).toBe('4 of 32 steps');
    const all = job('mfaba', ['nodule'], { target: { kind: 'class', index: 1 }, parameters: { steps: 32 }, path: { steps: 32 } } as never);
    expect(describeMap(all, null).amount).toBe('32 steps');
    const running: JobStatus = { ...job('mfaba', [], {}), state: 'running', total: 32, result: undefined };
    expect(describeMap(running, null).amount).toBe('32 steps');
  });
});
