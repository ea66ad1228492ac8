"""Torch references for Grad-CAM, Grad-CAM++, IG and PS-IG (test/unit/gradient-reference.test.ts).

  /work/venv/bin/python tools/make_gradient_references.py     (torch, numpy, onnx)

Two fixture models whose PyTorch definition is written here:
- pooled-ct-classifier (3D): Conv-ReLU-MaxPool-Conv-ReLU, global mean, linear head. Its Grad-CAM
  activation is half the input's size, so the maps also test the upsampling onto the input grid.
  Weights are seeded; the ONNX is written by hand (onnx.helper) from the same arrays, so no exporter
  stands between the torch module and the graph the app differentiates.
- tiny-landmarks (2D heatmaps, tools/make_test_models.py): its weights are read from its model.onnx.
Inputs are seeded and stored with the references; the test feeds them to the app's methods as they
are (no preprocessing), on the grid stored beside them.

Everything is computed in float64 with torch autograd, by the methods' definitions rather than by
the closed forms the app uses:
- Grad-CAM++ (Chattopadhay et al. 2018, eq. 10 and 19): alpha from the second and third derivatives
  of Y = exp(S) with respect to each activation, taken by nested forward-mode autodiff (torch.func);
  weights sum alpha * relu(dS/dA). The closed form (alpha = g^2 / (2 g^2 + sum(A) g^3)) is only
  asserted equal here, because the networks after the activation are piecewise linear.
- IG: (x - b) times the mean gradient at the midpoints t_i = (i + 1/2) / m of the straight path.
- PS-IG: the expectation over baselines b' = b + s (x - b), s drawn with CDF F (uniform: F(t) = t;
  power: F(t) = t^k), of the IG from b' evaluated at the same midpoints (those beyond s, each of
  width 1/m). The expectation is summed over the intervals between midpoints, each with its
  probability; a seeded Monte Carlo draw of s is printed as a check of that sum.
"""
import json
import os

import numpy as np
import onnx
import torch
from onnx import helper, numpy_helper, TensorProto
from torch.func import jvp, vmap

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), '..'))
MODELS = os.path.join(ROOT, 'test', 'fixtures', 'models')
OUT = os.path.join(ROOT, 'test', 'fixtures', 'gradient-reference')
torch.set_default_dtype(torch.float64)


# --- Models: the torch definitions; `head` is everything after the Grad-CAM activation. ---

class PooledCt(torch.nn.Module):
    def __init__(self, p):
        super().__init__()
        self.p = p

    def activation(self, x):
        p = self.p
        a = torch.relu(torch.nn.functional.conv3d(x, p['w1'], p['b1'], padding=1))
        a = torch.nn.functional.max_pool3d(a, 2)
        return torch.relu(torch.nn.functional.conv3d(a, p['w2'], p['b2'], padding=1))

    def head(self, a):
        return a.mean(dim=(2, 3, 4)) @ self.p['wf'].T + self.p['bf']

    def forward(self, x):
        return self.head(self.activation(x))


class TinyLandmarks(torch.nn.Module):
    def __init__(self, p):
        super().__init__()
        self.p = p

    def activation(self, x):
        return torch.relu(torch.nn.functional.conv2d(x, self.p['conv1.weight'], self.p['conv1.bias'], padding=1))

    def head(self, a):
        return torch.nn.functional.conv2d(a, self.p['conv2.weight'], self.p['conv2.bias'], padding=1)

    def forward(self, x):
        return self.head(self.activation(x))


def pooled_ct_weights():
    g = torch.Generator().manual_seed(7)
    r = lambda *s, scale: (torch.rand(*s, generator=g, dtype=torch.float32) * 2 - 1) * scale
    return {'w1': r(4, 1, 3, 3, 3, scale=0.4), 'b1': r(4, scale=0.1), 'w2': r(6, 4, 3, 3, 3, scale=0.15), 'b2': r(6, scale=0.1),
            'wf': r(3, 6, scale=1.5), 'bf': r(3, scale=0.2)}


def write_pooled_ct(p):
    """The same network as PooledCt, as an ONNX graph (opset 17, dynamic batch)."""
    init = [numpy_helper.from_array(v.numpy(), k) for k, v in p.items()]
    nodes = [
        helper.make_node('Conv', ['input', 'w1', 'b1'], ['c1'], pads=[1] * 6, kernel_shape=[3, 3, 3]),
        helper.make_node('Relu', ['c1'], ['r1']),
        helper.make_node('MaxPool', ['r1'], ['p1'], kernel_shape=[2, 2, 2], strides=[2, 2, 2]),
        helper.make_node('Conv', ['p1', 'w2', 'b2'], ['c2'], pads=[1] * 6, kernel_shape=[3, 3, 3]),
        helper.make_node('Relu', ['c2'], ['features']),
        helper.make_node('GlobalAveragePool', ['features'], ['pooled']),
        helper.make_node('Flatten', ['pooled'], ['flat']),
        helper.make_node('Gemm', ['flat', 'wf', 'bf'], ['logits'], transB=1),
    ]
    graph = helper.make_graph(nodes, 'pooled_ct', [helper.make_tensor_value_info('input', TensorProto.FLOAT, ['batch', 1, 8, 16, 16])],
                              [helper.make_tensor_value_info('logits', TensorProto.FLOAT, ['batch', 3])], init)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 17)], producer_name='tools/make_gradient_references.py')
    model.ir_version = 8
    onnx.checker.check_model(model)
    d = os.path.join(MODELS, 'pooled-ct-classifier')
    os.makedirs(d, exist_ok=True)
    onnx.save(model, os.path.join(d, 'model.onnx'))
    manifest = {
        'format': 'explicare-model/1', 'name': 'Pooled CT classifier (test fixture, untrained)', 'version': '0.0.1', 'task': 'classification', 'modality': ['CT'],
        'input': {'name': 'input', 'layout': 'NCDHW', 'shape': [1, 1, 8, 16, 16]},
        'preprocessing': {'intensity': {'type': 'window', 'center': -400, 'width': 1600}, 'grid': {'mode': 'fit', 'interpolation': 'linear'}},
        'output': {'name': 'logits', 'decoding': {'type': 'classification', 'activation': 'softmax', 'classes': ['none', 'solid', 'ground glass'], 'positiveClass': 1}},
    }
    with open(os.path.join(d, 'model.json'), 'w') as f:
        json.dump(manifest, f, indent=2)
        f.write('\n')


def onnx_weights(name):
    m = onnx.load(os.path.join(MODELS, name, 'model.onnx'))
    return {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in m.graph.initializer}


# --- Targets: S = sum(seed * output), as the app seeds it (a class logit; heatmaps at their peaks). ---

def class_seed(out, target):
    cls = int(out[0].argmax()) if target == 'predicted' else target
    seed = torch.zeros_like(out)
    seed[0, cls] = 1
    return seed, cls


def peak_seed(out, target):
    seed = torch.zeros_like(out)
    channels = range(out.shape[1]) if target == 'all' else [target]
    for c in channels:
        flat = int(out[0, c].reshape(-1).argmax())
        seed[0, c].view(-1)[flat] = 1
    return seed, target


# --- The methods, by definition. ---

def gradcampp_alpha(model, a, seed):
    """alpha per activation element from d2Y/dA^2 and d3Y/dA^3 of Y = exp(S) (diagonal terms)."""
    Y = lambda flat: torch.exp((seed * model.head(flat.reshape(a.shape))).sum())
    flat = a.reshape(-1)
    d1 = lambda x, v: jvp(Y, (x,), (v,))[1]
    d2 = lambda x, v: jvp(lambda y: d1(y, v), (x,), (v,))[1]
    d3 = lambda x, v: jvp(lambda y: d2(y, v), (x,), (v,))[1]
    eye = torch.eye(flat.numel())
    second = torch.cat([vmap(lambda v: d2(flat, v))(eye[i:i + 512]) for i in range(0, flat.numel(), 512)]).reshape(a.shape)
    third = torch.cat([vmap(lambda v: d3(flat, v))(eye[i:i + 512]) for i in range(0, flat.numel(), 512)]).reshape(a.shape)
    sum_a = a.sum(dim=tuple(range(2, a.dim())), keepdim=True)
    denom = 2 * second + sum_a * third
    return torch.where(denom != 0, second / torch.where(denom != 0, denom, 1), torch.zeros_like(denom))


def cam(model, x, seed, variant):
    a = model.activation(x).detach().requires_grad_(True)
    g, = torch.autograd.grad((seed * model.head(a)).sum(), a)
    a = a.detach()
    spatial = tuple(range(2, a.dim()))
    if variant == 'gradcam':
        w = g.mean(dim=spatial, keepdim=True)
    else:
        alpha = gradcampp_alpha(model, a, seed)
        sum_a = a.sum(dim=spatial, keepdim=True)
        closed = torch.where(g != 0, g ** 2 / (2 * g ** 2 + sum_a * g ** 3), torch.zeros_like(g))
        assert torch.allclose(alpha, closed, rtol=1e-9, atol=1e-12), 'the closed form does not hold for this network'
        w = (alpha * torch.relu(g)).sum(dim=spatial, keepdim=True)
    m = torch.relu((w * a).sum(1, keepdim=True))
    # Onto the input grid: both grids cover the same extent (cell centres, align_corners=False).
    mode = 'trilinear' if m.dim() == 5 else 'bilinear'
    return torch.nn.functional.interpolate(m, size=x.shape[2:], mode=mode, align_corners=False)[0, 0]


def path_gradients(model, x, b, seed, steps):
    ts = (torch.arange(steps) + 0.5) / steps
    grads = []
    for t in ts:
        p = (b + t * (x - b)).requires_grad_(True)
        g, = torch.autograd.grad((seed * model(p)).sum(), p)
        grads.append(g.detach())
    return ts, torch.stack(grads)


def ig(model, x, b, seed, steps):
    _, grads = path_gradients(model, x, b, seed, steps)
    return ((x - b) * grads.mean(0))[0, 0]


def psig(model, x, b, seed, steps, cdf, inverse_cdf):
    ts, grads = path_gradients(model, x, b, seed, steps)
    ig_beyond = lambda j: (x - b) * grads[j:].sum(0) / steps  # the IG of a baseline s with t_{j-1} <= s < t_j
    expected = torch.zeros_like(x)
    previous = 0.0
    for j in range(steps):
        expected += (cdf(float(ts[j])) - previous) * ig_beyond(j)
        previous = cdf(float(ts[j]))
    # Check: draw baselines s from F and average their IGs (converges to the sum above).
    g = torch.Generator().manual_seed(11)
    s = inverse_cdf(torch.rand(4000, generator=g))
    drawn = sum(ig_beyond(int(torch.searchsorted(ts, v, right=True))) if v < ts[-1] else torch.zeros_like(x) for v in s) / len(s)
    print(f'    PS-IG Monte Carlo (4000 baselines) vs expectation: relative difference {float((drawn - expected).norm() / expected.norm()):.6f}')
    return expected[0, 0]


def run_case(model, x, seed_of, method, options):
    with torch.no_grad():
        out = model(x)
    seed, resolved = seed_of(out, options.get('target', 'predicted'))
    if method in ('gradcam', 'gradcampp'):
        return cam(model, x, seed, method), resolved
    b = float(x.min())
    steps = options['steps']
    if method == 'ig':
        return ig(model, x, b, seed, steps), resolved
    k = options.get('power', 2)
    if options.get('sampling') == 'power':
        return psig(model, x, b, seed, steps, lambda t: t ** k, lambda u: u ** (1 / k)), resolved
    return psig(model, x, b, seed, steps, lambda t: t, lambda u: u), resolved


def f32(t):
    return [float(np.float32(v)) for v in t.reshape(-1).tolist()]


def write(name, model_dir, model, x, grid, seed_of, cases):
    ref = {'about': f'Torch float64 references for the {model_dir} fixture; written by tools/make_gradient_references.py, checked by test/unit/gradient-reference.test.ts.',
           'model': model_dir, 'inputDims': list(x.shape), 'grid': grid, 'input': f32(x), 'cases': []}
    for method, options in cases:
        print(f'  {name} {method} {options}')
        m, resolved = run_case(model, x, seed_of, method, options)
        ref['cases'].append({'method': method, 'options': options, 'resolvedTarget': resolved, 'map': f32(m)})
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, f'{name}.json'), 'w') as f:
        json.dump(ref, f, separators=(',', ':'))
        f.write('\n')


def main():
    p = pooled_ct_weights()
    write_pooled_ct(p)
    ct = PooledCt({k: v.double() for k, v in p.items()})
    x = (torch.rand(1, 1, 8, 16, 16, generator=torch.Generator().manual_seed(3), dtype=torch.float32) * 2 - 0.5).double()
    grid3 = {'dimensions': [16, 16, 8], 'spacing': [1, 1, 2], 'origin': [0, 0, 0], 'direction': [1, 0, 0, 0, 1, 0, 0, 0, 1]}
    write('pooled-ct-classifier', 'pooled-ct-classifier', ct, x, grid3, class_seed, [
        ('gradcam', {}),
        ('gradcampp', {}),
        ('gradcampp', {'target': 2}),
        ('ig', {'steps': 16}),
        ('psig', {'steps': 16}),
        ('psig', {'steps': 16, 'sampling': 'power', 'power': 3}),
        ('psig', {'steps': 16, 'target': 2}),
    ])
    lm = TinyLandmarks({k: v.double() for k, v in onnx_weights('tiny-landmarks').items()})
    x = torch.rand(1, 1, 32, 24, generator=torch.Generator().manual_seed(4), dtype=torch.float32).double()
    grid2 = {'dimensions': [24, 32, 1], 'spacing': [1, 1, 1], 'origin': [0, 0, 0], 'direction': [1, 0, 0, 0, 1, 0, 0, 0, 1]}
    write('tiny-landmarks', 'tiny-landmarks', lm, x, grid2, peak_seed, [
        ('gradcam', {'target': 'all'}),
        ('gradcampp', {'target': 'all'}),
        ('gradcampp', {'target': 1}),
        ('psig', {'steps': 12, 'target': 'all'}),
        ('psig', {'steps': 12, 'sampling': 'power', 'power': 2, 'target': 0}),
    ])


if __name__ == '__main__':
    main()
