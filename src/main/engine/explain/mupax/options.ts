// MUPAX parameters: every choice the paper leaves open is an option with a default (docs/mupax.md).
// `mode` picks the estimator: 'paper' is the published algorithm exactly (one acceptance percentile
// over all samples, dropped chunks filled with the input's minimum); 'explicare' is the variant that
// won the measurements in docs/mupax.md. Single options override what the mode implies.
import { z } from 'zod';
import { targetSpecSchema } from '../../../../shared/target';

export const mupaxOptionsSchema = z
  .object({
    mode: z.enum(['paper', 'explicare']).default('explicare'),
    /** Number of masked samples N (upper bound when stopping once stable). */
    samples: z.number().int().min(64).max(100_000).default(1024),
    /** Chunk size in model-grid voxels, [z, y, x] (z ignored for 2D models). Default by input rank. */
    chunk: z.tuple([z.number().int().min(1), z.number().int().min(1), z.number().int().min(1)]).optional(),
    /** W: accept samples whose error is at most this percentile of the sampled errors. */
    percentile: z.number().gt(0).max(100).default(20),
    /** Where the percentile is taken: over all samples (paper) or within each mask-density stratum. */
    acceptance: z.enum(['global', 'stratum']).optional(),
    /** Value of dropped chunks: the input's minimum (air, background), zero, a blurred copy of the input, or a number. */
    baseline: z.union([z.enum(['min', 'zero', 'blur']), z.number().finite()]).optional(),
    /** Coarse-to-fine: sample on chunks twice as large first, then split the significant ones down to `chunk`. */
    refine: z.boolean().optional(),
    /** Pair every mask with its complement (antithetic sampling). */
    antithetic: z.boolean().optional(),
    /** False discovery rate of the significant region. */
    fdr: z.number().gt(0).lt(1).default(0.05),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
    /** Masked inputs per inference call; at most 16, so ONNX Runtime's memory arena stays small. */
    batchSize: z.number().int().min(1).max(16).default(8),
    /** Classification error; landmark models always use the radial error in mm. */
    error: z.enum(['cross-entropy', 'one-minus-p']).default('cross-entropy'),
    /** What to explain: the predicted class, a class index or name; landmark models explain every landmark. */
    target: targetSpecSchema.default('predicted'),
    /** Landmark reference: ground truth when the study has it, else the unmasked prediction. */
    reference: z.enum(['auto', 'truth', 'prediction']).default('auto'),
    /** Strata per block of the stratified sampler: any multiple of it covers all mask densities. */
    stratificationBlock: z.number().int().min(1).max(4096).default(64),
    /** Significance check (and partial map) every k samples. */
    checkEvery: z.number().int().min(8).max(100_000).default(128),
    /** Stop once the significant region has been the same (Jaccard >= stableJaccard) for this many checks; 0 = use all N samples. */
    stableChecks: z.number().int().min(0).max(100).default(3),
    stableJaccard: z.number().gt(0).max(1).default(0.9),
  })
  .strict();

export type MupaxOptions = z.infer<typeof mupaxOptionsSchema>;

/** The estimator a mode implies, with single options overriding it. */
export function estimatorOf(o: MupaxOptions): {
  acceptance: 'global' | 'stratum';
  baseline: 'min' | 'zero' | 'blur' | number;
  antithetic: boolean;
  refine: boolean;
} {
  const paper = o.mode === 'paper';
  return {
    acceptance: o.acceptance ?? (paper ? 'global' : 'stratum'),
    baseline: o.baseline ?? 'min',
    antithetic: o.antithetic ?? false,
    // Coarse-to-fine wins on evidence smaller than a chunk but splits the budget: on the demo CT it
    // lost seed agreement at N <= 2048 (docs/mupax.md), so it is an option, not the default.
    refine: o.refine ?? false,
  };
}
