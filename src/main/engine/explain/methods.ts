// The explanation methods the engine offers, each behind the same interface.
import type { ExplainContext, JobProgress, MethodOutput } from './method';
import { runMupax } from './mupax/mupax';
import { mupaxOptionsSchema } from './mupax/options';

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
};

export const methodNames = (): string[] => Object.keys(METHODS);
