// The method descriptors (shared/explainMethods.ts) and the engine's registry agree: every method has
// code, every option set's names are its schema's keys, method defaults go under the user's options.
import { describe, expect, it } from 'vitest';
import { METHODS, OPTION_SCHEMAS } from '../../src/main/engine/explain/methods';
import { EXPLAIN_METHODS, OPTION_SETS, methodDescriptor, methodLabel, progressUnit } from '../../src/shared/explainMethods';

describe('method descriptors', () => {
  it('name exactly the methods the engine runs', () => {
    expect(Object.keys(METHODS)).toEqual(EXPLAIN_METHODS.map((m) => m.id));
    for (const m of EXPLAIN_METHODS) expect(typeof METHODS[m.id].run).toBe('function');
  });

  it('list each option set by its schema keys', () => {
    for (const [set, names] of Object.entries(OPTION_SETS))
      expect([...names].sort()).toEqual(Object.keys(OPTION_SCHEMAS[set as keyof typeof OPTION_SETS].shape).sort());
  });

  it('fill method defaults under the user options and still refuse what the schema refuses', () => {
    expect(METHODS.gradient.parse(undefined)).toMatchObject({ steps: 1, target: 'predicted' });
    expect(METHODS.gradient.parse({ steps: 4 })).toMatchObject({ steps: 4 });
    expect(METHODS.ig.parse({})).toMatchObject({ steps: 32 });
    expect(() => METHODS.gradient.parse([1])).toThrow();
    expect(() => METHODS.gradcam.parse({ samples: 64 })).toThrow(); // a sampling option on a layer method
    expect(METHODS.mupax.parse(null)).toMatchObject({ samples: 1024, mode: 'explicare' });
  });

  it('keep variants that the option set accepts', () => {
    for (const m of EXPLAIN_METHODS)
      for (const preset of Object.values(('variants' in m && m.variants) || {})) expect(() => METHODS[m.id].parse(preset)).not.toThrow();
  });

  it('know no prototype member as a method and label unknown ids by themselves', () => {
    expect(methodDescriptor('constructor')).toBeUndefined();
    expect(Object.hasOwn(METHODS, 'constructor')).toBe(false);
    expect(methodLabel('gradcampp')).toBe('Grad-CAM++');
    expect(methodLabel('future-method')).toBe('future-method');
  });

  it('count progress in what each method does: samples, steps, or the stages of one pass', () => {
    expect(['mupax', 'rise', 'regression'].map(progressUnit)).toEqual(['samples', 'samples', 'samples']);
    expect(['ig', 'psig', 'mfaba'].map(progressUnit)).toEqual(['steps', 'steps', 'steps']);
    expect(['gradcam', 'gradcampp'].map(progressUnit)).toEqual(['stages', 'stages']);
  });
});
