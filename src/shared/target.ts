// What an explanation explains, as a user or a caller names it: the predicted class, a class or
// landmark by index or by name, all landmarks, or the mean landmark error. One schema for the CLI,
// the API and every method; the engine resolves it against the model once (engine/explain/target.ts).
import { z } from 'zod';

export const targetSpecSchema = z.union([
  z.literal('predicted'),
  z.literal('all'),
  z.literal('mean'),
  z.number().int().min(0).max(100_000),
  // A class or landmark name (or abbreviation), matched case-insensitively.
  z.string().min(1).max(128),
]);

export type TargetSpec = z.infer<typeof targetSpecSchema>;

/** A CLI or query-string value: a whole number is an index, anything else a keyword or name. */
export function parseTargetSpec(text: string): TargetSpec {
  const t = text.trim();
  return /^\d+$/.test(t) ? Number(t) : t;
}
