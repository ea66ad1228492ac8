// MUPAX parameters: every choice the paper leaves open is an option with a default (docs/mupax.md).
import { z } from 'zod';

export const mupaxOptionsSchema = z
  .object({
    /** Number of masked samples N (upper bound when early stopping). */
    samples: z.number().int().min(64).max(100_000).default(1024),
    /** Chunk size in model-grid voxels, [z, y, x] (z ignored for 2D models). Default by input rank. */
    chunk: z.tuple([z.number().int().min(1), z.number().int().min(1), z.number().int().min(1)]).optional(),
    /** W: accept samples whose error is at most this percentile of the sampled errors. */
    percentile: z.number().gt(0).max(100).default(20),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
    batchSize: z.number().int().min(1).max(64).default(8),
    /** Value of dropped chunks: the input's minimum after preprocessing (air, background), zero, or a number. */
    baseline: z.union([z.enum(['min', 'zero']), z.number()]).default('min'),
    /** Classification error; landmark models always use the radial error in mm. */
    error: z.enum(['cross-entropy', 'one-minus-p']).default('cross-entropy'),
    /** Class to explain: the predicted one, or an index. */
    target: z.union([z.literal('predicted'), z.number().int().min(0)]).default('predicted'),
    /** Landmark reference: ground truth when the study has it, else the unmasked prediction. */
    reference: z.enum(['auto', 'truth', 'prediction']).default('auto'),
    /** Strata per block of the stratified sampler: any multiple of it covers all mask densities. */
    stratificationBlock: z.number().int().min(1).max(4096).default(64),
    /** Convergence check (and partial map) every k samples. */
    checkEvery: z.number().int().min(8).default(64),
    /** Early stop when the map's max change between checks stays below this (0 = never stop early). */
    tolerance: z.number().min(0).default(0),
  })
  .strict();

export type MupaxOptions = z.infer<typeof mupaxOptionsSchema>;
