// The one place that says what an explanation explains (a class, one landmark, all landmarks /
// their mean error) and turns model outputs into what methods and metrics need: the score metrics
// read, the errors MUPAX accepts on, and the gradient seed (score = sum(seed * output)).
// Methods and metrics receive a resolved Target; nothing else interprets a TargetSpec.
import type { ModelManifest } from '../../../shared/modelManifest';
import type { TargetSpec } from '../../../shared/target';
import { decodeHeatmaps } from '../inference/decodeLandmarks';
import type { MaskedDecode, TensorData } from '../inference/protocol';
import { classificationError, type ClassificationError, landmarkErrorsMm, probabilities } from './mupax/errors';
import { ExplainOptionError } from './optionError';

export interface Target {
  /** 'class': one class; 'landmark': one landmark; 'landmarks': all of them (their mean error). */
  kind: 'class' | 'landmark' | 'landmarks';
  /** What the map explains, in words: "nodule", "Sella", "all landmarks". */
  label: string;
  /** Class or landmark index; null for all landmarks. */
  index: number | null;
  /** How the target was chosen, for legends: "predicted class", "chosen class", "chosen landmark". */
  chosenBy: string;
  /** 'probability': higher is better; 'radial-error-mm': lower is better. */
  scoreKind: 'probability' | 'radial-error-mm';
  /** What the inference worker returns per masked sample (logits, or decoded peaks). */
  decode: MaskedDecode;
  /** One full output tensor decoded the way the worker decodes masked samples. */
  decodeOutput(out: TensorData): Float32Array;
  /** The score metrics read, from decoded values (one sample at `offset`). */
  score(decoded: ArrayLike<number>, offset?: number): number;
  /** Names of the quantities `errors` returns: the class; or every landmark, then the mean error. */
  errorNames: string[];
  /** Index in `errorNames` of this target's own error. */
  errorIndex: number;
  /** MUPAX's per-sample errors mu, one per `errorNames` entry. */
  errors(decoded: ArrayLike<number>, offset?: number): Float64Array;
  /** Gradient seed over the raw output: score = sum(seed * output). */
  seed(out: TensorData): Float32Array;
  /** Reference of landmark errors, or the class probability on the unmasked input. */
  reference: string;
}

export interface TargetContext {
  manifest: ModelManifest;
  /** Model-grid size [x, y] and pixel spacing [x, y] mm (landmark models). */
  gridSize: [number, number];
  spacing: [number, number];
  /** Ground-truth landmarks in model-grid pixels, in manifest order, if known. */
  truthInGrid?: ([number, number] | null)[];
  /** Landmark error reference: ground truth when complete ('auto'), or forced. */
  reference?: 'auto' | 'truth' | 'prediction';
  classError?: ClassificationError;
}

const norm = (s: string) => s.trim().toLowerCase();

/** `count` values of one sample at `offset`: a view when the values are a typed array (MUPAX's per-sample hot path). */
const slice = (v: ArrayLike<number>, offset: number, count: number): ArrayLike<number> =>
  v instanceof Float32Array ? v.subarray(offset, offset + count) : Array.from({ length: count }, (_, i) => v[offset + i]);

/** Checks a spec against the model without running it (names, indices, keywords). */
export function checkTargetSpec(manifest: ModelManifest, spec: TargetSpec): void {
  const d = manifest.output.decoding;
  const names = d.type === 'classification' ? d.classes : d.landmarks.map((l) => `${l.name} (${l.abbreviation})`);
  const what = d.type === 'classification' ? 'class' : 'landmark';
  const list = `${names.map((n, i) => `${i} ${n}`).join(', ')}`;
  if (typeof spec === 'number') {
    if (spec >= names.length) throw new ExplainOptionError(`target ${spec}: the model has no ${what} ${spec} (its ${what}es: ${list})`);
    return;
  }
  if (spec === 'predicted') return;
  if (spec === 'all' || spec === 'mean') {
    if (d.type === 'classification') throw new ExplainOptionError(`target "${spec}" applies to landmark models; this model's classes: ${list}`);
    return;
  }
  if (indexByName(manifest, spec) < 0) throw new ExplainOptionError(`target "${spec}" is not a ${what} of this model (its ${what}es: ${list})`);
}

function indexByName(manifest: ModelManifest, name: string): number {
  const d = manifest.output.decoding;
  const n = norm(name);
  if (d.type === 'classification') return d.classes.findIndex((c) => norm(c) === n);
  return d.landmarks.findIndex((l) => norm(l.name) === n || norm(l.abbreviation) === n);
}

function argmax(data: ArrayLike<number>, from: number, to: number): number {
  let best = from;
  for (let i = from + 1; i < to; i++) if (data[i] > data[best]) best = i;
  return best;
}

/** Resolves `spec` against the model and its output on the unmasked input (`plain`). */
export function resolveTarget(ctx: TargetContext, spec: TargetSpec, plain: TensorData): Target {
  checkTargetSpec(ctx.manifest, spec);
  const d = ctx.manifest.output.decoding;
  if (d.type === 'classification') {
    const n = d.classes.length;
    if (plain.data.length !== n) throw new Error(`the model returned ${plain.data.length} scores but model.json lists ${n} classes`);
    const p = probabilities(plain.data, d.activation);
    const cls = spec === 'predicted' ? argmax(p, 0, n) : typeof spec === 'number' ? spec : indexByName(ctx.manifest, spec);
    const kind = ctx.classError ?? 'cross-entropy';
    return {
      kind: 'class',
      label: d.classes[cls],
      index: cls,
      chosenBy: spec === 'predicted' ? 'predicted class' : 'chosen class',
      scoreKind: 'probability',
      decode: { type: 'raw' },
      decodeOutput: (out) => Float32Array.from(out.data),
      score: (v, off = 0) => probabilities(slice(v, off, n), d.activation)[cls],
      errorNames: [d.classes[cls]],
      errorIndex: 0,
      errors: (v, off = 0) => Float64Array.of(classificationError(probabilities(slice(v, off, n), d.activation), cls, kind)),
      seed: (out) => {
        const s = new Float32Array(out.data.length);
        s[cls] = 1; // the class logit (pre-activation), as in Grad-CAM
        return s;
      },
      reference: `p(${d.classes[cls]}) = ${p[cls].toFixed(4)} on the unmasked input`,
    };
  }
  const [, channels, h, w] = plain.dims;
  const n = d.landmarks.length;
  if (plain.dims.length !== 4 || channels !== n)
    throw new Error(`the model returned heatmaps of shape [${plain.dims.join(', ')}]; model.json lists ${n} landmarks`);
  const decodeOutput = (out: TensorData) =>
    Float32Array.from(decodeHeatmaps(out.data, n, out.dims[2], out.dims[3], ctx.gridSize, d.refinement).flatMap((p) => [p.x, p.y]));
  const truth = ctx.truthInGrid;
  const complete = !!truth && truth.length === n && truth.every((t) => t !== null);
  const mode = ctx.reference ?? 'auto';
  if (mode === 'truth' && !complete) throw new ExplainOptionError('reference "truth" needs ground truth for every landmark');
  const useTruth = mode === 'truth' || (mode === 'auto' && complete);
  const ref = Float64Array.from(useTruth ? truth!.flatMap((t) => t!) : decodeOutput(plain));
  const one = typeof spec === 'number' ? spec : spec === 'predicted' || spec === 'all' || spec === 'mean' ? null : indexByName(ctx.manifest, spec);
  const errors = (v: ArrayLike<number>, off = 0) => landmarkErrorsMm(slice(v, off, 2 * n), ref, ctx.spacing);
  const errorIndex = one ?? n;
  return {
    kind: one === null ? 'landmarks' : 'landmark',
    label: one === null ? (spec === 'mean' ? 'mean landmark error' : 'all landmarks') : d.landmarks[one].name,
    index: one,
    chosenBy: one === null ? 'all landmarks' : 'chosen landmark',
    scoreKind: 'radial-error-mm',
    decode: { type: 'heatmapPeaks', inputSize: ctx.gridSize, refinement: d.refinement },
    decodeOutput,
    score: (v, off = 0) => errors(v, off)[errorIndex],
    errorNames: [...d.landmarks.map((l) => l.name), 'mean landmark error'],
    errorIndex,
    errors,
    seed: (out) => {
      const s = new Float32Array(out.data.length);
      const plane = h * w;
      for (let c = 0; c < n; c++) if (one === null || c === one) s[argmax(out.data, c * plane, (c + 1) * plane)] = 1;
      return s;
    },
    reference: useTruth ? 'ground-truth landmarks' : 'the unmasked prediction',
  };
}
