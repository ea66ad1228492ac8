// MFABA's options (Zhu et al. 2024, "MFABA: A More Faithful and Accelerated Boundary-based
// Attribution Method for Deep Neural Networks", AAAI). Step sizes are fractions of the input's
// intensity range (max - min of the model input), so one setting fits CT windows, z-scored
// radiographs and [0, 1] images alike; the paper's values are for [0, 1] images.
import { z } from 'zod';
import { targetSpecSchema } from '../../../../shared/target';

export const mfabaOptionsSchema = z
  .object({
    /** What to explain: 'predicted' class, a class or landmark (index or name), 'all' landmarks. */
    target: targetSpecSchema.default('predicted'),
    /** Most gradient-ascent steps on the loss (the path stops earlier at the decision boundary). */
    steps: z.number().int().min(1).max(1024).default(32),
    /**
     * 'sign': every voxel moves by stepSize (the paper's MFABA-smooth, FGSM-like); 'normalized':
     * the step is the gradient scaled to an RMS of stepSize per voxel (MFABA-sharp).
     */
    direction: z.enum(['sign', 'normalized']).default('sign'),
    /** Step length per voxel as a fraction of the input's intensity range. */
    stepSize: z.number().positive().max(1).default(0.001),
    /** Largest distance of any voxel from the input (L-infinity ball), fraction of the range. */
    epsilon: z.number().positive().max(1).default(0.3),
    /**
     * 2: each step's gradient term plus the second-order Taylor term, its Hessian-vector product
     * taken from the difference of the gradients at both ends (trapezoidal rule; no extra pass).
     * 1: the first-order sum of the released code (gradient at the step's start).
     */
    order: z.union([z.literal(1), z.literal(2)]).default(2),
    /**
     * Classifiers: the score the path descends. 'log-probability' (the paper's loss, -cross-entropy)
     * crosses the boundary; 'logit' is IG's score and needs no forward pass per step. Landmark
     * models: the heatmap value at the input's peaks in either case.
     */
    score: z.enum(['log-probability', 'logit']).default('log-probability'),
    /** Stop at the first point where the explained decision no longer holds (the boundary). */
    earlyStop: z.boolean().default(true),
  })
  .strict();

export type MfabaOptions = z.infer<typeof mfabaOptionsSchema>;
