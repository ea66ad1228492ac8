// The seed that chooses what a gradient explains: score = sum(seed * output), from the one Target
// (a class logit for classifiers; the value at a landmark's heatmap peak, one landmark or all).
import type { TargetSpec } from '../../../../shared/target';
import type { TensorData } from '../../inference/protocol';
import type { ExplainContext } from '../method';
import { resolveTarget, type Target } from '../target';

export interface Seed {
  seed: TensorData;
  target: string;
  resolved: Target;
}

export async function makeSeed(ctx: ExplainContext, spec: TargetSpec): Promise<Seed> {
  const { manifest, input, worker, session } = ctx;
  const out = (await worker.run(session.key, { [manifest.input.name]: { data: input.data, dims: input.dims } }, [manifest.output.name])).outputs[
    manifest.output.name
  ];
  const [gx, gy] = input.grid.dimensions;
  const resolved = resolveTarget(
    { manifest, gridSize: [gx, gy], spacing: [input.grid.spacing[0], input.grid.spacing[1]], truthInGrid: ctx.truthInGrid },
    spec,
    out,
  );
  return { seed: { data: resolved.seed(out), dims: out.dims }, target: resolved.label, resolved };
}
