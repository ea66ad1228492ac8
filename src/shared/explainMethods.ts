// The explanation methods, described once: id, the name and one line users see, the options each
// takes and what it produces. The engine's registry (main/engine/explain/methods.ts) runs them, the
// app lists them (renderer/methods.ts) and the CLI picks their flags from the same entries, so a
// method is added here and in its registry line, nowhere else.
import type { MapLayer } from './api';

/**
 * The option sets, by the option names each accepts (the engine validates them with a zod schema per
 * set; a unit test keeps these names equal to that schema's keys).
 */
export const OPTION_SETS = {
  /** MUPAX's sampler (RISE and the regression read MUPAX's samples: same seed, chunks, fill). */
  sampling: [
    'mode',
    'samples',
    'chunk',
    'percentile',
    'acceptance',
    'baseline',
    'refine',
    'antithetic',
    'fdr',
    'seed',
    'batchSize',
    'error',
    'target',
    'reference',
    'stratificationBlock',
    'checkEvery',
    'stableChecks',
    'stableJaccard',
  ],
  /** A class-activation map of one layer. */
  layer: ['target', 'layer'],
  /** Gradients along a path from a baseline. */
  path: ['target', 'steps', 'baseline', 'sampling', 'power'],
  /** Gradient ascent on the loss to the decision boundary (MFABA). */
  boundary: ['target', 'steps', 'direction', 'stepSize', 'epsilon', 'order', 'score', 'earlyStop'],
} as const;

export type OptionSet = keyof typeof OPTION_SETS;

export interface MethodDescriptor {
  id: string;
  label: string;
  /** One line on what the method computes (the app's tooltip). */
  title: string;
  options: OptionSet;
  /** Defaults that differ from the option set's own (filled in before validation). */
  optionDefaults?: Readonly<Record<string, unknown>>;
  /** Named option presets, `<id>:<variant>` on the CLI (evaluate). */
  variants?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Random masks, a seed and a sample budget: its significant region can be compared across seeds. */
  stochastic: boolean;
  /** What it produces besides its main map (one per target): the layers getExplanationMap serves. */
  layers: readonly Exclude<MapLayer, 'map'>[];
}

export const EXPLAIN_METHODS = [
  {
    id: 'mupax',
    label: 'MUPAX',
    title: 'Perturbation: chunked random masks, rejection by error, inverse-error weights',
    options: 'sampling',
    // The published algorithm exactly: one acceptance percentile over all samples, no early stop.
    variants: { paper: { mode: 'paper', stableChecks: 0 } },
    stochastic: true,
    layers: ['retention', 'z', 'significant'],
  },
  {
    id: 'rise',
    label: 'RISE',
    title: "Score when a chunk is kept minus when it is dropped, from MUPAX's samples (no extra model runs)",
    options: 'sampling',
    stochastic: true,
    layers: ['value', 'z', 'significant'],
  },
  {
    id: 'regression',
    label: 'Linear regression',
    title: "Least-squares weight of each chunk on the score (LIME/KernelSHAP-style), from MUPAX's samples",
    options: 'sampling',
    stochastic: true,
    layers: ['value', 'z', 'significant'],
  },
  { id: 'gradcam', label: 'Grad-CAM', title: 'Gradient-weighted class activation map of the target layer', options: 'layer', stochastic: false, layers: [] },
  { id: 'gradcampp', label: 'Grad-CAM++', title: 'Grad-CAM with higher-order channel weights', options: 'layer', stochastic: false, layers: [] },
  { id: 'ig', label: 'Integrated Gradients', title: 'Path integral of input gradients from a baseline', options: 'path', stochastic: false, layers: [] },
  { id: 'psig', label: 'PS-IG', title: 'Path-sampled IG: expectation over baselines along the path', options: 'path', stochastic: false, layers: [] },
  {
    id: 'mfaba',
    label: 'MFABA',
    title: 'Input gradients along an adversarial path to the decision boundary, second-order Taylor sum',
    options: 'boundary',
    // The paper's MFABA-sharp (normalized gradient steps, its RMS step on 224x224 RGB) and the
    // released code's first-order sum.
    variants: { sharp: { direction: 'normalized', stepSize: 0.0003 }, 'first-order': { order: 1 } },
    stochastic: false,
    layers: [],
  },
  // One step of the path: the plain gradient at the input.
  {
    id: 'gradient',
    label: 'Input gradient',
    title: 'Gradient of the score with respect to the input',
    options: 'path',
    optionDefaults: { steps: 1 },
    stochastic: false,
    layers: [],
  },
] as const satisfies readonly MethodDescriptor[];

export type MethodId = (typeof EXPLAIN_METHODS)[number]['id'];

export const METHOD_IDS: readonly MethodId[] = EXPLAIN_METHODS.map((m) => m.id);

/** The descriptor of a method id; undefined for ids no method has ("constructor" included). */
export function methodDescriptor(id: string | undefined): MethodDescriptor | undefined {
  return EXPLAIN_METHODS.find((m) => m.id === id);
}

/**
 * What a job's progress counts, by option set: masked samples, path steps, or the stages of one
 * forward and backward pass (a Grad-CAM "2 / 2 samples" read as if it had sampled).
 */
const PROGRESS_UNITS: Readonly<Record<OptionSet, string>> = { sampling: 'samples', path: 'steps', boundary: 'steps', layer: 'stages' };
export const progressUnit = (id: string | undefined): string => PROGRESS_UNITS[methodDescriptor(id)?.options ?? 'layer'];

/** The display name of a method id (the id itself for methods this list does not know). */
export const methodLabel = (id: string | undefined): string => methodDescriptor(id)?.label ?? id ?? '';
