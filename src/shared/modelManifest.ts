// model.json: what a model package says about its model. Validated at import, explained in docs/models.md.
import { z } from 'zod';

// Bounds: a schema-valid but absurd manifest (a window width of 5e-324, ranges of 1e308, a batch
// of 1e20) would otherwise reach preprocessing or ONNX Runtime and give saturated or meaningless
// results. Every number is finite and within what any imaging model uses.
/** Intensities after rescale (HU, raw detector values) and the values a model is fed. */
const intensity = z.number().min(-1e7).max(1e7);
/** A model input axis: 65,536 voxels is far beyond any imaging model. */
const dimension = z.number().int().min(1).max(65536);
/** Voxels per sample: 2^28 float32 values are 1 GiB per input. */
const MAX_SAMPLE_VOXELS = 2 ** 28;

export const intensitySchema = z.discriminatedUnion('type', [
  // Clip to [center - width/2, center + width/2] (HU for CT) and scale linearly to [min, max].
  z.object({ type: z.literal('window'), center: intensity, width: z.number().min(1e-3).max(1e7), output: z.tuple([intensity, intensity]).default([0, 1]) }),
  // Per-image z-score: (v - mean) / std.
  z.object({ type: z.literal('zscore') }),
  // Per-image min-max to [0, 1].
  z.object({ type: z.literal('minmax') }),
]);

export const gridSchema = z.discriminatedUnion('mode', [
  // Stretch the whole volume (its voxel edges) onto the model grid, axis by axis.
  z.object({ mode: z.literal('fit'), interpolation: z.enum(['linear', 'area', 'nearest']).default('linear') }),
  // Keep the aspect ratio (isotropic in-plane pixels), centre, pad the margins: 2D images.
  z.object({ mode: z.literal('letterbox'), interpolation: z.enum(['linear', 'area', 'nearest']).default('area'), padValue: intensity.default(0) }),
]);

const landmarkNameSchema = z.object({ name: z.string().min(1).max(200), abbreviation: z.string().min(1).max(32) });

export const decodingSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('classification'),
    activation: z.enum(['softmax', 'sigmoid']),
    classes: z.array(z.string().min(1).max(200)).min(1).max(10000),
    /** The class a "finding present" statement refers to (e.g. lesion). */
    positiveClass: z.number().int().nonnegative().max(9999).optional(),
  }),
  z.object({
    type: z.literal('heatmaps'),
    landmarks: z.array(landmarkNameSchema).min(1).max(1000),
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
    description: z.string().max(20000).default(''),
    /** sha256 (hex) of model.onnx, written by `npm run cli -- package`: a damaged file is refused. */
    sha256: z.string().regex(/^[a-f0-9]{64}$/, 'must be the 64 hex digits of the sha256 of model.onnx').optional(),
    input: z.object({
      name: z.string().min(1).max(200),
      layout: z.enum(['NCHW', 'NCDHW']),
      shape: z.array(dimension).min(4).max(5),
    }),
    preprocessing: z.object({ intensity: intensitySchema, grid: gridSchema }),
    output: z.object({ name: z.string().min(1).max(200), decoding: decodingSchema }),
    /** Tensor whose activations Grad-CAM uses; found automatically when absent. */
    gradcamTarget: z.string().optional(),
    card: z
      .object({
        trainingData: z.string().default(''),
        intendedUse: z.string().default(''),
        limitations: z.string().default(''),
        metrics: z.record(z.string().max(200), z.union([z.number().min(-1e12).max(1e12), z.string().max(2000)])).default({}),
        evaluation: z.string().default(''),
      })
      .default({ trainingData: '', intendedUse: '', limitations: '', metrics: {}, evaluation: '' }),
  })
  .superRefine((m, ctx) => {
    const rank = m.input.layout === 'NCHW' ? 4 : 5;
    if (m.input.shape.length !== rank)
      ctx.addIssue({ code: 'custom', path: ['input', 'shape'], message: `layout ${m.input.layout} needs ${rank} dimensions, got ${m.input.shape.length}` });
    if (m.input.shape[0] > 4096)
      ctx.addIssue({ code: 'custom', path: ['input', 'shape', 0], message: `a batch of ${m.input.shape[0]} is beyond any use (at most 4096)` });
    const voxels = m.input.shape.slice(2).reduce((a, b) => a * b, 1);
    if (voxels > MAX_SAMPLE_VOXELS)
      ctx.addIssue({ code: 'custom', path: ['input', 'shape'], message: `${voxels} voxels per sample is above the ${MAX_SAMPLE_VOXELS} limit` });
    if (m.preprocessing.intensity.type === 'window' && m.preprocessing.intensity.output[0] === m.preprocessing.intensity.output[1]) {
      ctx.addIssue({ code: 'custom', path: ['preprocessing', 'intensity', 'output'], message: 'the output range is empty (both ends are equal)' });
    }
    if (m.input.shape[1] !== 1)
      ctx.addIssue({ code: 'custom', path: ['input', 'shape'], message: 'only single-channel inputs are supported (shape[1] must be 1)' });
    const decoding = m.output.decoding.type;
    if ((m.task === 'classification') !== (decoding === 'classification')) {
      ctx.addIssue({ code: 'custom', path: ['output', 'decoding', 'type'], message: `task "${m.task}" cannot use "${decoding}" decoding` });
    }
    if (m.task === 'landmarks' && m.input.layout !== 'NCHW')
      ctx.addIssue({ code: 'custom', path: ['input', 'layout'], message: 'landmark models take 2D images (NCHW)' });
  });

export type ModelManifest = z.infer<typeof modelManifestSchema>;
