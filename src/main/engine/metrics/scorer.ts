// What a faithfulness metric measures on a (perturbed) input: the job's own Target, i.e. the
// probability of the explained class for classifiers, the radial error (mm) of the explained
// landmark (or the mean over all) against the reference for landmark models.
import type { TargetSpec } from '../../../shared/target';
import type { ExplainContext } from '../explain/method';
import { resolveTarget, type Target } from '../explain/target';
import type { TensorData } from '../inference/protocol';

export interface Scorer {
  /** 'probability': higher is better; 'radial-error-mm': lower is better. */
  kind: Target['scoreKind'];
  score(inputs: Float32Array[]): Promise<number[]>;
  /** What is scored: the class or landmark label, and the landmark reference. */
  target: string;
}

/**
 * `signal`: once it aborts, every later score call throws its reason instead of running the model,
 * so a stopped metrics run ends at its next curve point (at most one forward pass later).
 */
export async function makeScorer(ctx: ExplainContext, spec: TargetSpec, signal?: AbortSignal): Promise<Scorer> {
  const { manifest, input, worker, session } = ctx;
  // One input per run: perturbed 3D inputs are large, and curves need only ~40 runs.
  const run = async (x: Float32Array): Promise<TensorData> => {
    signal?.throwIfAborted();
    return (await worker.run(session.key, { [manifest.input.name]: { data: x, dims: input.dims } }, [manifest.output.name])).outputs[manifest.output.name];
  };
  const [gx, gy] = input.grid.dimensions;
  const target = resolveTarget(
    { manifest, gridSize: [gx, gy], spacing: [input.grid.spacing[0], input.grid.spacing[1]], truthInGrid: ctx.truthInGrid },
    spec,
    await run(input.data),
  );
  return {
    kind: target.scoreKind,
    target: target.kind === 'class' ? target.label : `${target.label} vs ${target.reference}`,
    score: async (xs) => {
      const out: number[] = [];
      for (const x of xs) out.push(target.score(target.decodeOutput(await run(x))));
      return out;
    },
  };
}

/** The target a finished job explained, as a spec the scorer resolves the same way. */
export function jobTargetSpec(details: Record<string, unknown>, mainIsMean: boolean): TargetSpec {
  const t = (details.parameters as { target?: TargetSpec } | undefined)?.target ?? 'predicted';
  // MUPAX on landmark models shows every landmark; its main map is the mean error.
  return mainIsMean ? 'mean' : t;
}
