// The explanation methods the engine offers, each behind the same interface.
import type { ExplainContext, JobProgress, MethodOutput } from './method';
import { runMupax } from './mupax/mupax';
import { mupaxOptionsSchema } from './mupax/options';
import { gradcamOptionsSchema, makeGradcam } from './gradient/gradcam';
import { igOptionsSchema, makeIntegratedGradients } from './gradient/integratedGradients';
import { makeEstimator } from './perturbation/runEstimator';

export interface MethodEntry {
  /** Validates and completes user options (defaults filled in: they are part of the cache key). */
  parse(raw: unknown): Record<string, unknown>;
  run(ctx: ExplainContext, options: Record<string, unknown>, progress: (p: JobProgress) => void, signal: AbortSignal): Promise<MethodOutput>;
}

export const METHODS: Record<string, MethodEntry> = {
  mupax: {
    parse: (raw) => mupaxOptionsSchema.parse(raw ?? {}),
    run: (ctx, o, progress, signal) => runMupax(ctx, mupaxOptionsSchema.parse(o), progress, signal),
  },
  // RISE and the regression read MUPAX's samples (same seed, chunks, fill): no extra forward passes.
  rise: {
    parse: (raw) => mupaxOptionsSchema.parse(raw ?? {}),
    run: (ctx, o, progress, signal) => makeEstimator('rise')(ctx, mupaxOptionsSchema.parse(o), progress, signal),
  },
  regression: {
    parse: (raw) => mupaxOptionsSchema.parse(raw ?? {}),
    run: (ctx, o, progress, signal) => makeEstimator('regression')(ctx, mupaxOptionsSchema.parse(o), progress, signal),
  },
  gradcam: { parse: (raw) => gradcamOptionsSchema.parse(raw ?? {}), run: makeGradcam('gradcam') },
  gradcampp: { parse: (raw) => gradcamOptionsSchema.parse(raw ?? {}), run: makeGradcam('gradcampp') },
  ig: { parse: (raw) => igOptionsSchema.parse(raw ?? {}), run: makeIntegratedGradients('ig') },
  psig: { parse: (raw) => igOptionsSchema.parse(raw ?? {}), run: makeIntegratedGradients('psig') },
  gradient: { parse: (raw) => igOptionsSchema.parse({ steps: 1, ...(raw as object) }), run: makeIntegratedGradients('gradient') },
};

export const methodNames = (): string[] => Object.keys(METHODS);
