// Reads and checks an explain run's result.json (what `explain` writes), with one-line errors.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

export class ReportError extends Error {}

const vec3 = z.tuple([z.number(), z.number(), z.number()]);
const geometry = z.object({ dimensions: vec3, spacing: vec3, origin: vec3, direction: z.array(z.number()).length(9) });
const curve = z.object({ fractions: z.array(z.number()), scores: z.array(z.number()), auc: z.number() });

const methodSchema = z
  .object({
    files: z.record(z.string(), z.string()),
    targets: z.array(z.string()),
    fromCache: z.boolean().optional(),
    convergence: z.array(z.object({ samples: z.number() }).passthrough()).optional(),
    metrics: z
      .object({
        faithfulness: z.object({ scoreKind: z.string(), target: z.string(), deletion: curve, insertion: curve }).passthrough(),
        localization: z.record(z.string(), z.unknown()).nullable().optional(),
      })
      .passthrough()
      .optional(),
  })
  .passthrough();

const landmarkErrors = z.object({
  spacingMm: z.tuple([z.number(), z.number()]),
  spacingSource: z.string(),
  perLandmark: z.array(z.object({ name: z.string(), errorMm: z.number().nullable() })),
  meanRadialErrorMm: z.number().nullable(),
  stdRadialErrorMm: z.number().nullable(),
  successDetectionRate: z.array(z.object({ radiusMm: z.number(), rate: z.number() })),
  count: z.number(),
});

export const resultSchema = z.object({
  software: z.string(),
  created: z.string(),
  study: z.object({ seriesUid: z.string(), modality: z.string(), geometry }),
  model: z
    .object({ id: z.string(), name: z.string(), version: z.string(), card: z.object({ intendedUse: z.string().optional() }).passthrough().optional() })
    .passthrough(),
  prediction: z
    .object({
      provider: z.string(),
      gpuNote: z.string().optional(),
      task: z.string(),
      classification: z
        .object({ classes: z.array(z.string()), probabilities: z.array(z.number()), predicted: z.number() })
        .passthrough()
        .optional(),
      landmarks: z
        .object({
          points: z.array(z.object({ name: z.string(), abbreviation: z.string(), pixel: z.tuple([z.number(), z.number()]), peak: z.number() }).passthrough()),
          errors: landmarkErrors.nullable(),
          truthSource: z.string().nullable(),
        })
        .optional(),
    })
    .passthrough(),
  methods: z.record(z.string(), methodSchema),
});

export type ExplainResult = z.infer<typeof resultSchema>;
export type MethodResult = z.infer<typeof methodSchema>;

/** Keys of a method entry that are bookkeeping, not parameters of the run. */
const NOT_PARAMETERS = new Set(['files', 'layerFiles', 'targets', 'fromCache', 'modelGrid', 'convergence', 'metrics', 'acceptance', 'significance', 'sanity']);

/** The parameters a method ran with (seed, samples, chunk, percentile, ...), flattened to text. */
export function methodParameters(m: MethodResult): [string, string][] {
  const out: [string, string][] = [];
  const add = (key: string, v: unknown) => {
    if (v === undefined || v === null) return;
    if (Array.isArray(v) && v.every((x) => typeof x !== 'object')) out.push([key, v.join(' x ')]);
    else if (typeof v === 'object') for (const [k, x] of Object.entries(v as Record<string, unknown>)) add(`${key}.${k}`, x);
    else out.push([key, typeof v === 'number' ? String(Number(v.toPrecision(6))) : String(v)]);
  };
  for (const [k, v] of Object.entries(m)) if (!NOT_PARAMETERS.has(k)) add(k, v);
  return out;
}

/** The main map file of a method (the one `explain` names <method>.nii.gz), as an absolute path. */
export function mainMapFile(resultsDir: string, method: string, m: MethodResult): string {
  const preferred = Object.values(m.files).find((f) => f === `${method}.nii.gz`);
  const file = preferred ?? m.files[m.targets[m.targets.length - 1]];
  if (!file || file.includes('/') || file.includes('\\')) throw new ReportError(`result.json: method ${method} names no map file`);
  const full = path.join(resultsDir, file);
  if (!existsSync(full)) throw new ReportError(`map ${file} of method ${method} is missing from ${resultsDir}`);
  return full;
}

export async function loadResult(resultsDir: string): Promise<ExplainResult> {
  const file = path.join(resultsDir, 'result.json');
  if (!existsSync(file)) throw new ReportError(`no result.json in ${resultsDir} (run explain --out ${resultsDir} first)`);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new ReportError(`${file} is not valid JSON: ${err instanceof Error ? err.message : err}`);
  }
  const parsed = resultSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ReportError(`${file} is not an explain result: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  if (Object.keys(parsed.data.methods).length === 0) throw new ReportError(`${file} has no explanation methods`);
  return parsed.data;
}
