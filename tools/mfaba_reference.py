"""Torch references for MFABA (test/unit/mfaba.test.ts).

  /work/venv/bin/python tools/mfaba_reference.py     (torch, numpy, onnx)

The fixture models and inputs of tools/make_gradient_references.py (their torch definitions are
imported from it; the pooled CT classifier's weights are read from its committed model.onnx, so
this tool never rewrites a model). MFABA is computed here in float64 with torch autograd, from the
method's definition (Zhu et al., AAAI 2024), not from the app's code:
- score S: a classifier's log-softmax of the class (the paper's loss L = cross-entropy = -S;
  score 'log-probability') or its logit (score 'logit', sum(seed * output) as IG); a landmark's
  heatmap value at its peak on the input (sum(seed * output)); the path descends S;
- path: x_{j+1} = clip(x_j - a d_j) with d_j = sign(dS/dx) ('sign') or dS/dx over its RMS
  ('normalized'); a = stepSize * (max - min of the input); clipped to the L-infinity ball of
  radius epsilon * range around the input and to the input's [min, max];
- it stops after `steps` steps, or (earlyStop) at the first point whose decision differs from the
  input's: another class is argmax, or every explained heatmap peaks elsewhere;
- attribution: sum over steps of dS/dx(x_j) * (x_j - x_{j+1}) (order 1), plus the second-order
  Taylor term 1/2 (x_{j+1} - x_j)^T H_j (x_{j+1} - x_j) with H_j (x_{j+1} - x_j) taken as
  dS/dx(x_{j+1}) - dS/dx(x_j) (order 2). ReLU networks have a zero Hessian almost everywhere, so
  the difference of gradients, not an exact Hessian-vector product, is what carries curvature.
Each case stores the map, the number of steps, why the path stopped and the scores along it.
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
from make_gradient_references import PooledCt, TinyLandmarks, class_seed, f32, onnx_weights, peak_seed  # noqa: E402

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), '..'))
OUT = os.path.join(ROOT, 'test', 'fixtures', 'mfaba-reference')
torch.set_default_dtype(torch.float64)

# The app's defaults (mfabaOptions.ts); the test checks that they still agree.
DEFAULTS = {'target': 'predicted', 'steps': 32, 'direction': 'sign', 'stepSize': 0.001, 'epsilon': 0.3, 'order': 2, 'score': 'log-probability', 'earlyStop': True}


def class_holds(cls):
    return lambda out: int(out[0].argmax()) == cls


def peaks_hold(seed):
    peaks = [tuple(i) for i in seed[0].nonzero().tolist()]  # (channel, y, x)
    def holds(out):
        for c, y, x in peaks:
            plane = out[0, c].reshape(-1)
            if int(plane.argmax()) == y * out.shape[3] + x:
                return True
        return False
    return holds


def mfaba(model, x, seed, holds, o, classifier):
    lo, hi = float(x.min()), float(x.max())
    rng = hi - lo
    a, radius = o['stepSize'] * rng, o['epsilon'] * rng

    def at(p):
        p = p.clone().requires_grad_(True)
        out = model(p)
        if classifier and o['score'] == 'log-probability':
            s = torch.log_softmax(out, dim=1)[seed != 0].sum()  # seed: one-hot of the class
        else:
            s = (seed * out).sum()
        g, = torch.autograd.grad(s, p)
        return g.detach(), out.detach(), float(s.detach())

    xj = x.clone()
    g, out, s = at(xj)
    applies = holds(out)
    scores = [s]
    attribution = torch.zeros_like(x)
    stopped = 'steps'
    for _ in range(o['steps']):
        d = g.sign() if o['direction'] == 'sign' else g / g.pow(2).mean().sqrt()
        nxt = torch.maximum(torch.minimum(xj - a * d, x + radius), x - radius).clamp(lo, hi)
        g2, out2, s2 = at(nxt)
        share = g if o['order'] == 1 else 0.5 * (g + g2)
        attribution += share * (xj - nxt)
        scores.append(s2)
        xj, g = nxt, g2
        if o['earlyStop'] and applies and not holds(out2):
            stopped = 'boundary'
            break
    return attribution[0, 0], len(scores) - 1, stopped, scores


def write(name, model, x, grid, seed_of, holds_of, cases):
    ref = {'about': f'Torch float64 MFABA references for the {name} fixture; written by tools/mfaba_reference.py, checked by test/unit/mfaba.test.ts.',
           'model': name, 'defaults': DEFAULTS, 'inputDims': list(x.shape), 'grid': grid, 'input': f32(x), 'cases': []}
    with torch.no_grad():
        plain = model(x)
    for options in cases:
        o = {**DEFAULTS, **options}
        seed, resolved = seed_of(plain, options.get('target', 'predicted'))
        m, steps, stopped, scores = mfaba(model, x, seed, holds_of(seed, resolved), o, seed_of is class_seed)
        total = float(m.sum())
        print(f'  {name} {options}: {steps} steps, stopped by {stopped}, score {scores[0]:.4f} -> {scores[-1]:.4f}, '
              f'sum {total:.4f} (completeness error {abs(total - (scores[0] - scores[-1])) / abs(scores[0] - scores[-1]):.2e})')
        ref['cases'].append({'options': options, 'resolvedTarget': resolved, 'steps': steps, 'stoppedBy': stopped, 'scores': scores, 'map': f32(m)})
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, f'{name}.json'), 'w') as f:
        json.dump(ref, f, separators=(',', ':'))
        f.write('\n')


def main():
    # The inputs of tools/make_gradient_references.py (same seeds, same scaling).
    ct = PooledCt({k: v.double() for k, v in onnx_weights('pooled-ct-classifier').items()})
    x = (torch.rand(1, 1, 8, 16, 16, generator=torch.Generator().manual_seed(3), dtype=torch.float32) * 2 - 0.5).double()
    grid3 = {'dimensions': [16, 16, 8], 'spacing': [1, 1, 2], 'origin': [0, 0, 0], 'direction': [1, 0, 0, 0, 1, 0, 0, 0, 1]}
    write('pooled-ct-classifier', ct, x, grid3, class_seed, lambda seed, cls: class_holds(cls), [
        {'steps': 8},
        {'steps': 40, 'stepSize': 0.01},
        {'steps': 40, 'stepSize': 0.01, 'order': 1},
        {'steps': 40, 'stepSize': 0.01, 'direction': 'normalized'},
        {'steps': 6, 'stepSize': 0.01, 'target': 2, 'score': 'logit'},
        {'steps': 10, 'stepSize': 0.01, 'earlyStop': False, 'epsilon': 0.05, 'score': 'logit'},
    ])
    lm = TinyLandmarks({k: v.double() for k, v in onnx_weights('tiny-landmarks').items()})
    x = torch.rand(1, 1, 32, 24, generator=torch.Generator().manual_seed(4), dtype=torch.float32).double()
    grid2 = {'dimensions': [24, 32, 1], 'spacing': [1, 1, 1], 'origin': [0, 0, 0], 'direction': [1, 0, 0, 0, 1, 0, 0, 0, 1]}
    write('tiny-landmarks', lm, x, grid2, peak_seed, lambda seed, _: peaks_hold(seed), [
        {'target': 1, 'steps': 40, 'stepSize': 0.01},
        {'target': 'all', 'steps': 12, 'direction': 'normalized', 'stepSize': 0.02},
    ])


if __name__ == '__main__':
    main()
