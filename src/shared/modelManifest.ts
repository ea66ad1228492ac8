// model.json: what a model package says about its model. Validated at import, explained in docs/models.md.
import { z } from 'zod';

const positiveInt = z.number().int().positive();

export const intensitySchema = z.discriminatedUnion('type', [
  // Clip to [center - width/2, center + width/2] (HU for CT) and scale linearly to [min, max].
  z.object({ type: z.literal('window'), center: z.number(), width: z.number().positive(), output: z.tuple([z.number(), z.number()]).default([0, 1]) }),
  // Per-image z-score: (v - mean) / std.
  z.object({ type: z.literal('zscore') }),
  // Per-image min-max to [0, 1].
  z.object({ type: z.literal('minmax') }),
]);

export const gridSchema = z.discriminatedUnion('mode', [
  // Stretch the whole volume (its voxel edges) onto the model grid, axis by axis.
  z.object({ mode: z.literal('fit'), interpolation: z.enum(['linear', 'area', 'nearest']).default('linear') }),
  // Keep the aspect ratio (isotropic in-plane pixels), centre, pad the margins: 2D images.
  z.object({ mode: z.literal('letterbox'), interpolation: z.enum(['linear', 'area', 'nearest']).default('area'), padValue: z.number().default(0) }),
]);

const landmarkNameSchema = z.object({ name: z.string().min(1), abbreviation: z.string().min(1) });

export const decodingSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('classification'),
    activation: z.enum(['softmax', 'sigmoid']),
    classes: z.array(z.string().min(1)).min(1),
    /** The class a "finding present" statement refers to (e.g. lesion). */
    positiveClass: z.number().int().nonnegative().optional(),
  }),
  z.object({
    type: z.literal('heatmaps'),
    landmarks: z.array(landmarkNameSchema).min(1),
    /** Sub-pixel refinement of each heatmap's peak. */
    refinement: z.enum(['none', 'quadratic', 'softargmax']).default('quadratic'),
  }),
]);

export const modelManifestSchema = z
  .object({
    format: z.literal('explicare-model/1'),
    name: z.string().min(1).max(200),
    version: z.string().min(1).max(50),
    task: z.enum(['classification', 'landmarks']),
    modality: z.array(z.string().regex(/^[A-Z]{2,4}$/)).min(1),
    description: z.string().default(''),
    input: z.object({
      name: z.string().min(1),
      layout: z.enum(['NCHW', 'NCDHW']),
      shape: z.array(positiveInt).min(4).max(5),
    }),
    preprocessing: z.object({ intensity: intensitySchema, grid: gridSchema }),
    output: z.object({ name: z.string().min(1), decoding: decodingSchema }),
    /** Tensor whose activations Grad-CAM uses; found automatically when absent. */
    gradcamTarget: z.string().optional(),
    card: z
      .object({
        trainingData: z.string().default(''),
        intendedUse: z.string().default(''),
        limitations: z.string().default(''),
        metrics: z.record(z.string(), z.union([z.number(), z.string()])).default({}),
        evaluation: z.string().default(''),
      })
      .default({ trainingData: '', intendedUse: '', limitations: '', metrics: {}, evaluation: '' }),
  })
  .superRefine((m, ctx) => {
    const rank = m.input.layout === 'NCHW' ? 4 : 5;
    if (m.input.shape.length !== rank) ctx.addIssue({ code: 'custom', path: ['input', 'shape'], message: `layout ${m.input.layout} needs ${rank} dimensions, got ${m.input.shape.length}` });
    if (m.input.shape[1] !== 1) ctx.addIssue({ code: 'custom', path: ['input', 'shape'], message: 'only single-channel inputs are supported (shape[1] must be 1)' });
    const decoding = m.output.decoding.type;
    if ((m.task === 'classification') !== (decoding === 'classification')) {
      ctx.addIssue({ code: 'custom', path: ['output', 'decoding', 'type'], message: `task "${m.task}" cannot use "${decoding}" decoding` });
    }
    if (m.task === 'landmarks' && m.input.layout !== 'NCHW') ctx.addIssue({ code: 'custom', path: ['input', 'layout'], message: 'landmark models take 2D images (NCHW)' });
  });

export type ModelManifest = z.infer<typeof modelManifestSchema>;
