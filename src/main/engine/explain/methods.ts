// The explanation methods the engine runs, each behind the same interface: the descriptors in
// shared/explainMethods.ts (id, options, what it produces) joined to each option set's schema and
// each method's code.
import type { z } from 'zod';
import { EXPLAIN_METHODS, type MethodDescriptor, type MethodId, type OptionSet } from '../../../shared/explainMethods';
import type { ExplainContext, JobProgress, MethodOutput } from './method';
import { runMupax } from './mupax/mupax';
import { mupaxOptionsSchema } from './mupax/options';
import { gradcamOptionsSchema, makeGradcam } from './gradient/gradcam';
import { igOptionsSchema, makeIntegratedGradients } from './gradient/integratedGradients';
import { runMfaba } from './gradient/mfaba';
import { mfabaOptionsSchema } from './gradient/mfabaOptions';
import { makeEstimator } from './perturbation/runEstimator';

type Run = (ctx: ExplainContext, options: Record<string, unknown>, progress: (p: JobProgress) => void, signal: AbortSignal) => Promise<MethodOutput>;

export interface MethodEntry {
  /** Validates and completes user options (defaults filled in: they are part of the cache key). */
  parse(raw: unknown): Record<string, unknown>;
  run: Run;
}

/** The schema of each option set (shared/explainMethods.ts OPTION_SETS names their keys). */
export const OPTION_SCHEMAS: Record<OptionSet, z.ZodObject> = { sampling: mupaxOptionsSchema, layer: gradcamOptionsSchema, path: igOptionsSchema, boundary: mfabaOptionsSchema };

const RUNS: Record<MethodId, Run> = {
  mupax: (ctx, o, progress, signal) => runMupax(ctx, mupaxOptionsSchema.parse(o), progress, signal),
  // RISE and the regression read MUPAX's samples (same seed, chunks, fill): no extra forward passes.
  rise: (ctx, o, progress, signal) => makeEstimator('rise')(ctx, mupaxOptionsSchema.parse(o), progress, signal),
  regression: (ctx, o, progress, signal) => makeEstimator('regression')(ctx, mupaxOptionsSchema.parse(o), progress, signal),
  gradcam: makeGradcam('gradcam'),
  gradcampp: makeGradcam('gradcampp'),
  ig: makeIntegratedGradients('ig'),
  psig: makeIntegratedGradients('psig'),
  mfaba: runMfaba,
  gradient: makeIntegratedGradients('gradient'),
};

/** Absent options are the defaults; a method's own defaults go under what the user gave. */
function withDefaults(raw: unknown, defaults: Readonly<Record<string, unknown>> | undefined): unknown {
  if (raw === undefined || raw === null) return { ...defaults };
  return defaults && typeof raw === 'object' && !Array.isArray(raw) ? { ...defaults, ...raw } : raw;
}

function entry(descriptor: MethodDescriptor): MethodEntry {
  const schema = OPTION_SCHEMAS[descriptor.options];
  return { parse: (raw) => schema.parse(withDefaults(raw, descriptor.optionDefaults)) as Record<string, unknown>, run: RUNS[descriptor.id as MethodId] };
}

export const METHODS: Record<string, MethodEntry> = Object.fromEntries(EXPLAIN_METHODS.map((d) => [d.id, entry(d)]));

export const methodNames = (): string[] => Object.keys(METHODS);
