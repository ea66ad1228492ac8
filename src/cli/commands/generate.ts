// `generate --kind ct|ceph --seed N --out DIR [--slices N] [--count K]`: writes demo studies;
// with --count K, K studies with seeds N..N+K-1 into DIR/<kind>-<seed>/.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { generateCeph, generateCtStudy } from '../../main/engine/demo';
import { type Command, UsageError } from '../command';

function integer(name: string, text: string | undefined, fallback: number | undefined, min: number, max: number): number {
  if (text === undefined) {
    if (fallback === undefined) throw new UsageError(`--${name} is required`);
    return fallback;
  }
  if (!/^\d+$/.test(text)) throw new UsageError(`--${name} must be a whole number, got "${text}"`);
  const value = Number(text);
  if (value < min || value > max) throw new UsageError(`--${name} must be in ${min}..${max}, got ${value}`);
  return value;
}

export const generateCommand: Command = {
  summary: 'write seeded synthetic demo studies (chest CT or lateral cephalogram) with ground truth',
  usage: 'generate --kind ct|ceph --seed N --out DIR [--slices N] [--count K]',
  async run(args) {
    const { values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        kind: { type: 'string' },
        seed: { type: 'string' },
        out: { type: 'string' },
        slices: { type: 'string' },
        count: { type: 'string' },
      },
    });
    const kind = values.kind;
    if (kind !== 'ct' && kind !== 'ceph') throw new UsageError(`--kind must be "ct" or "ceph"${kind ? `, got "${kind}"` : ''}`);
    const seed = integer('seed', values.seed, undefined, 0, 2 ** 31 - 1);
    if (!values.out) throw new UsageError('--out is required');
    const count = integer('count', values.count, 1, 1, 100_000);
    if (seed + count - 1 > 2 ** 31 - 1) throw new UsageError('--seed plus --count runs past the largest seed');
    if (kind === 'ceph' && values.slices !== undefined) throw new UsageError('--slices applies to --kind ct only');
    const slices = integer('slices', values.slices, 120, 1, 2000);
    for (let s = seed; s < seed + count; s++) {
      const outDir = count === 1 ? path.resolve(values.out) : path.resolve(values.out, `${kind}-${s}`);
      const started = performance.now();
      const summary =
        kind === 'ct'
          ? await generateCtStudy({ seed: s, outDir, slices }).then((r) => `${r.files.length} slices, ${r.groundTruth.lesions.length} lesion(s)`)
          : await generateCeph({ seed: s, outDir }).then((r) => `${r.groundTruth.landmarks.length} landmarks`);
      process.stdout.write(`${kind} seed ${s}: ${outDir} (${summary}, ${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
    }
  },
};
