// MFABA (Zhu et al., AAAI 2024): boundary attribution along an adversarial path. From the input,
// gradient ascent on the loss (descent on the target's score) walks towards the decision boundary;
// each step's score change is split over the voxels with a second-order Taylor expansion
// (mfabaPath.ts). Unlike IG no baseline is chosen: the path's end, where the decision flips, is the
// reference, and it is usually reached in fewer passes than IG's 32-64. Each pass is one forward +
// backward run of the gradient model; its forward output serves the boundary check and the score.
import type { ExplainContext, JobProgress, MethodOutput } from '../method';
import { ExplainCancelled } from '../method';
import { gradientSession } from './gradientSession';
import { decisionOf } from './mfabaDecision';
import { mfabaOptionsSchema } from './mfabaOptions';
import { accumulateStep, stepAlongPath } from './mfabaPath';
import { pathScore } from './mfabaScore';
import { makeSeed } from './seed';

export async function runMfaba(
  ctx: ExplainContext,
  raw: Record<string, unknown>,
  progress: (p: JobProgress) => void,
  signal: AbortSignal,
): Promise<MethodOutput> {
  const o = mfabaOptionsSchema.parse(raw);
  const inputName = ctx.manifest.input.name;
  const outputName = ctx.manifest.output.name;
  const { key, gm } = await gradientSession(ctx, ctx.onnx, [inputName], []);
  const { seed, target, resolved } = await makeSeed(ctx, o.target);
  const gradName = gm.gradientOutputs[inputName];
  const x0 = ctx.input.data;
  let lo = Infinity;
  let hi = -Infinity;
  for (let v = 0; v < x0.length; v++) {
    lo = Math.min(lo, x0[v]);
    hi = Math.max(hi, x0[v]);
  }
  // A constant input has no range to scale steps by: take unit intensity.
  const range = hi > lo ? hi - lo : 1;
  const box = { lo: hi > lo ? lo : -Infinity, hi: hi > lo ? hi : Infinity, step: o.stepSize * range, radius: o.epsilon * range };
  const holds = decisionOf(ctx.manifest, resolved, seed);

  const path = pathScore(ctx.manifest, resolved, seed, o.score);

  // One point of the path: its output (a forward pass first when the seed depends on it) and the
  // gradient of the score there (one forward + backward pass of the gradient model).
  let passMs = 0;
  let forwardMs = 0;
  let passes = 0;
  let forwardPasses = 0;
  const point = async (x: Float32Array) => {
    if (signal.aborted) throw new ExplainCancelled();
    const feed = { data: x, dims: ctx.input.dims };
    let seedHere = seed.data;
    if (path.dynamic) {
      const fwd = await ctx.worker.run(ctx.session.key, { [inputName]: feed }, [outputName]);
      forwardMs += fwd.ms;
      forwardPasses++;
      seedHere = path.seed(fwd.outputs[outputName]);
    }
    const run = await ctx.worker.run(key, { [inputName]: feed, [gm.seedInput]: { data: seedHere, dims: seed.dims } }, [gradName, outputName]);
    passMs += run.ms;
    passes++;
    const out = run.outputs[outputName];
    const score = path.score(out);
    if (!Number.isFinite(score)) throw new Error(`MFABA: the model's output is not finite at step ${passes - 1} of the path`);
    return { g: run.outputs[gradName].data, out, score };
  };

  let at = Float32Array.from(x0);
  let here = await point(at);
  const startScore = here.score;
  const boundaryApplies = holds(here.out);
  const scores = [here.score];
  const acc = new Float64Array(x0.length);
  let stop: 'boundary' | 'steps' | 'vanished' = 'steps';
  for (let j = 0; j < o.steps; j++) {
    const next = new Float32Array(x0.length);
    if (!stepAlongPath(x0, at, here.g, o.direction, box, next)) {
      stop = 'vanished';
      break;
    }
    const there = await point(next);
    accumulateStep(acc, at, next, here.g, there.g, o.order);
    scores.push(there.score);
    at = next;
    here = there;
    progress({ done: j + 1, total: o.steps });
    if (o.earlyStop && boundaryApplies && !holds(here.out)) {
      stop = 'boundary';
      break;
    }
  }
  const attribution = new Float32Array(x0.length);
  let sum = 0;
  for (let v = 0; v < acc.length; v++) {
    attribution[v] = acc[v];
    sum += acc[v];
  }
  const scoreDifference = startScore - here.score;
  return {
    maps: [{ target, data: attribution }],
    details: {
      method: 'mfaba',
      parameters: { ...o, stepValue: box.step, epsilonValue: box.radius },
      target: { label: target, kind: resolved.kind, index: resolved.index, chosenBy: resolved.chosenBy },
      attributionSum: sum,
      // Steps walked, and why the path ended: at the boundary, at the step budget, or where the
      // gradient vanished. A class the model did not give at the input has no boundary here.
      path: { score: path.name, steps: scores.length - 1, stoppedBy: stop, boundaryApplies, scores },
      // Gradient passes (forward + backward) and, for a log-probability path, forward passes.
      passes,
      forwardPasses,
      timing: { gradientPassMs: passMs / passes, forwardPassMs: forwardPasses ? forwardMs / forwardPasses : null, passes, forwardPasses },
      // The shares sum to score(input) - score(path end) (the path's score, see path.score).
      completeness: { scoreDifference, relativeError: Math.abs(sum - scoreDifference) / Math.max(Math.abs(scoreDifference), 1e-12) },
    },
  };
}
