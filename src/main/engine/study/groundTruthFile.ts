// Schema of groundtruth.json, the sidecar the demo generator writes beside a study.
import { z } from 'zod';

const vec3 = z.tuple([z.number(), z.number(), z.number()]);

export const groundTruthFileSchema = z.object({
  seriesUid: z.string(),
  landmarks: z.array(
    z.object({ name: z.string(), abbreviation: z.string(), pixel: z.tuple([z.number(), z.number()]), patient: vec3 }),
  ),
  lesions: z.array(z.object({ kind: z.enum(['solid', 'ground-glass']), centre: vec3, diameterMm: z.number().positive() })),
  source: z.string(),
});
