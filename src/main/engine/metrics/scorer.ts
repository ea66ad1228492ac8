// What a faithfulness metric measures on a (perturbed) input: the probability of the explained
// class for classifiers, the mean radial error (mm) against the reference for landmark models.
import { decodeHeatmaps } from '../inference/decodeLandmarks';
import type { TensorData } from '../inference/protocol';
import type { ExplainContext } from '../explain/method';
import { landmarkErrorsMm, probabilities } from '../explain/mupax/errors';

export interface Scorer {
  /** 'probability': higher is better; 'radial-error-mm': lower is better. */
  kind: 'probability' | 'radial-error-mm';
  score(inputs: Float32Array[]): Promise<number[]>;
  /** The explained class (classification) or landmark reference description. */
  target: string;
}

export async function makeScorer(ctx: ExplainContext): Promise<Scorer> {
  const { manifest, input, worker, session } = ctx;
  const decoding = manifest.output.decoding;
  // One input per run: perturbed 3D inputs are large, and curves need only ~40 runs.
  const run = async (x: Float32Array): Promise<TensorData> =>
    (await worker.run(session.key, { [manifest.input.name]: { data: x, dims: input.dims } }, [manifest.output.name])).outputs[manifest.output.name];
  const each = async <T>(xs: Float32Array[], f: (o: TensorData) => T): Promise<T[]> => {
    const out: T[] = [];
    for (const x of xs) out.push(f(await run(x)));
    return out;
  };
  if (decoding.type === 'classification') {
    const p = probabilities((await run(input.data)).data, decoding.activation);
    const target = p.indexOf(Math.max(...p));
    return {
      kind: 'probability',
      target: decoding.classes[target],
      score: (xs) => each(xs, (o) => probabilities(o.data, decoding.activation)[target]),
    };
  }
  const [gx, gy] = input.grid.dimensions;
  const n = decoding.landmarks.length;
  const peaks = (o: TensorData) => decodeHeatmaps(o.data, n, o.dims[2], o.dims[3], [gx, gy], decoding.refinement).flatMap((p) => [p.x, p.y]);
  const truth = ctx.truthInGrid;
  const useTruth = !!truth && truth.every((t) => t !== null);
  const ref = Float64Array.from(useTruth ? truth!.flatMap((t) => t!) : peaks(await run(input.data)));
  const spacing: [number, number] = [input.grid.spacing[0], input.grid.spacing[1]];
  return {
    kind: 'radial-error-mm',
    target: useTruth ? 'ground-truth landmarks' : 'unmasked prediction',
    score: (xs) => each(xs, (o) => landmarkErrorsMm(peaks(o), ref, spacing)[n]),
  };
}
