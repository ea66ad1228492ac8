"""Writes the gradient-engine fixtures: tiny ONNX models, fixed inputs and seeds, and torch autograd
reference gradients (w.r.t. the input and, where meaningful, one intermediate activation).

Run with Debian's interpreter (torch 1.13, onnx 1.12): /usr/bin/python3 tools/make_autodiff_fixtures.py
Outputs test/fixtures/autodiff/<name>.onnx, <name>.bin (float32 arrays back to back) and manifest.json.
The unit test test/unit/grad.test.ts builds each gradient model and compares it with these values.

Conventions: score = sum(seed * output); the activation tensor is exported under the name 'act'
(as an extra graph output that is then removed, so it stays an ordinary intermediate tensor).
"""
import io
import json
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import TensorProto, helper, numpy_helper

torch.set_num_threads(1)  # another process may be training on this 2-core machine
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'grad')
manifest = []


def rand(*shape):
    return torch.randn(*shape, dtype=torch.float32)


def write(name, onnx_model, inputs, output, seed, grads, out_value, extra=None):
    """inputs: {name: tensor}; grads: {tensor name: grad}; arrays go into one .bin, offsets in the manifest."""
    arrays = []
    offset = 0
    blob = io.BytesIO()

    def put(key, t):
        nonlocal offset
        a = np.ascontiguousarray(t.detach().cpu().numpy().astype('<f4'))
        blob.write(a.tobytes())
        arrays.append({'key': key, 'shape': list(a.shape), 'offset': offset})
        offset += a.size

    for k, v in inputs.items():
        put('input:' + k, v)
    put('seed', seed)
    put('output', out_value)
    for k, v in grads.items():
        put('grad:' + k, v)
    opset = [o.version for o in onnx_model.opset_import if o.domain in ('', 'ai.onnx')][0]
    onnx.save(onnx_model, os.path.join(OUT, name + '.onnx'))
    with open(os.path.join(OUT, name + '.bin'), 'wb') as f:
        f.write(blob.getvalue())
    entry = {'name': name, 'opset': opset, 'output': output, 'inputs': list(inputs.keys()),
             'wrt': list(grads.keys()), 'arrays': arrays}
    entry.update(extra or {})
    manifest.append(entry)
    print(f'{name}: opset {opset}, ops {sorted(set(n.op_type for n in onnx_model.graph.node))}', flush=True)


def drop_output(model, name):
    keep = [o for o in model.graph.output if o.name != name]
    del model.graph.output[:]
    model.graph.output.extend(keep)


def torch_fixture(name, module, x, act=False, opset=17, dynamic=False, extra=None, transform=None):
    """Exports `module` (returning out, or (out, act)) and records d(sum(seed*out))/d(x) [and /d(act)]."""
    module.eval()
    names = ['out', 'act'] if act else ['out']
    axes = {'x': {0: 'batch'}, 'out': {0: 'batch'}} if dynamic else None
    if dynamic and act:
        axes['act'] = {0: 'batch'}
    f = io.BytesIO()
    torch.onnx.export(module, (x,), f, input_names=['x'], output_names=names, opset_version=opset,
                      dynamic_axes=axes, do_constant_folding=True)
    model = onnx.load_from_string(f.getvalue())
    if act:
        drop_output(model, 'act')
    if transform:
        model = transform(model)
    xg = x.clone().requires_grad_(True)
    res = module(xg)
    out, a = (res if act else (res, None))
    if a is not None:
        a.retain_grad()
    seed = rand(*out.shape)
    (seed * out).sum().backward()
    grads = {'x': xg.grad}
    if a is not None:
        grads['act'] = a.grad
    write(name, model, {'x': x}, 'out', seed, grads, out, extra)


def manual_fixture(name, nodes, inputs, out_shape, fn, initializers=(), opset=17, wrt=None, extra=None, declared=None):
    """A hand-built ONNX graph (ops/attributes torch does not export) with `fn` as the torch twin.
    `declared` overrides the declared input shapes (e.g. symbolic dims the engine cannot resolve)."""
    declared = declared or {}
    vis = [helper.make_tensor_value_info(k, TensorProto.FLOAT, declared.get(k, list(v.shape))) for k, v in inputs.items()]
    graph = helper.make_graph(nodes, name, vis, [helper.make_tensor_value_info('out', TensorProto.FLOAT, out_shape)],
                              [numpy_helper.from_array(np.asarray(v, dtype=np.float32) if v.dtype != np.int64 else v, k)
                               for k, v in initializers])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', opset)])
    model.ir_version = 8
    ts = {k: v.clone().requires_grad_(True) for k, v in inputs.items()}
    out = fn(**ts)
    seed = rand(*out.shape)
    (seed * out).sum().backward()
    wrt = wrt or list(inputs.keys())
    write(name, model, inputs, 'out', seed, {k: ts[k].grad for k in wrt}, out, extra)


class Seq(nn.Module):
    """Runs layers in order; the output of layer `act_at` (if given) is also returned as 'act'."""

    def __init__(self, *layers, act_at=None):
        super().__init__()
        self.layers = nn.ModuleList(layers)
        self.act_at = act_at

    def forward(self, x):
        a = None
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i == self.act_at:
                a = x
        return (x, a) if self.act_at is not None else x


class Lambda(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x)


def same_pads(length, k, s, d, upper):
    out = -(-length // s)
    total = max(0, (out - 1) * s + (k - 1) * d + 1 - length)
    small = total // 2
    return (small, total - small) if upper else (total - small, small)


def rewrite_opset18(model):
    """Moves ReduceMean axes to an input and gives Split num_outputs: the opset-18 forms."""
    g = model.graph
    for n in g.node:
        if n.op_type in ('ReduceMean', 'ReduceMax', 'ReduceProd'):
            axes = [a for a in n.attribute if a.name == 'axes']
            if axes:
                name = n.name + '_axes'
                g.initializer.append(numpy_helper.from_array(np.array(axes[0].ints, dtype=np.int64), name))
                n.attribute.remove(axes[0])
                n.input.append(name)
        if n.op_type == 'Split' and len(n.input) == 1:
            n.attribute.append(helper.make_attribute('num_outputs', len(n.output)))
    for o in model.opset_import:
        if o.domain in ('', 'ai.onnx'):
            o.version = 18
    return model


def restamp(version):
    def f(model):
        for o in model.opset_import:
            if o.domain in ('', 'ai.onnx'):
                o.version = version
        return model
    return f


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        os.remove(os.path.join(OUT, f))
    torch.manual_seed(1234)

    # ---- Conv ----
    torch_fixture('conv2d_basic', Seq(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 2, 3, padding=1), act_at=1), rand(2, 3, 9, 11), act=True)
    torch_fixture('conv2d_stride_pad', Seq(nn.Conv2d(3, 4, (3, 4), stride=2, padding=(1, 2))), rand(1, 3, 11, 13))
    torch_fixture('conv2d_dilation_groups', Seq(nn.Conv2d(4, 6, 3, stride=2, padding=3, dilation=2, groups=2)), rand(1, 4, 13, 12))
    torch_fixture('conv2d_pad_wider_than_kernel', Seq(nn.Conv2d(2, 3, 3, stride=(2, 1), padding=(3, 4))), rand(1, 2, 8, 9))
    torch_fixture('conv2d_depthwise', Seq(nn.Conv2d(4, 4, 5, stride=3, padding=2, groups=4)), rand(2, 4, 14, 10))
    torch_fixture('conv1d', Seq(nn.Conv1d(3, 5, 5, stride=3, padding=2)), rand(2, 3, 17))
    torch_fixture('conv3d', Seq(nn.Conv3d(2, 3, 3, stride=2, padding=1), nn.ReLU(), nn.Conv3d(3, 2, 3, padding=1), act_at=1), rand(1, 2, 7, 9, 8), act=True)
    torch_fixture('conv3d_dilation', Seq(nn.Conv3d(2, 2, (3, 2, 3), stride=(1, 2, 1), padding=(2, 0, 1), dilation=(2, 1, 1))), rand(1, 2, 8, 7, 6))

    # auto_pad: torch never exports it; the twin pads explicitly.
    for mode, k, s, shape in (('SAME_UPPER', 4, 2, (1, 2, 9, 10)), ('SAME_LOWER', 3, 2, (1, 2, 8, 11)), ('VALID', 3, 2, (1, 2, 9, 8))):
        w = rand(3, 2, k, k)
        x = rand(*shape)

        def fn(x, w=w, k=k, s=s, mode=mode):
            if mode == 'VALID':
                return F.conv2d(x, w, stride=s)
            ph = same_pads(x.shape[2], k, s, 1, mode == 'SAME_UPPER')
            pw = same_pads(x.shape[3], k, s, 1, mode == 'SAME_UPPER')
            return F.conv2d(F.pad(x, (pw[0], pw[1], ph[0], ph[1])), w, stride=s)
        out_shape = list(fn(x).shape)
        manual_fixture(f'conv2d_autopad_{mode.lower()}', [helper.make_node('Conv', ['x', 'w'], ['out'], auto_pad=mode, strides=[s, s])],
                       {'x': x}, out_shape, fn, initializers=[('w', w.numpy())])

    # ---- ConvTranspose ----
    torch_fixture('convtranspose2d', Seq(nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2)), rand(2, 4, 5, 6))
    torch_fixture('convtranspose1d_dilation', Seq(nn.ConvTranspose1d(3, 2, 4, stride=3, padding=1, dilation=2)), rand(1, 3, 7))
    torch_fixture('convtranspose3d', Seq(nn.ConvTranspose3d(2, 3, 2, stride=2)), rand(1, 2, 3, 4, 5))
    w = rand(3, 2, 3, 3)
    manual_fixture('convtranspose2d_output_shape', [helper.make_node('ConvTranspose', ['x', 'w'], ['out'], strides=[2, 2], output_shape=[10, 12])],
                   {'x': rand(1, 3, 5, 6)}, [1, 2, 10, 12], lambda x: F.conv_transpose2d(x, w, stride=2)[:, :, 1:11, 1:13],
                   initializers=[('w', w.numpy())])
    manual_fixture('convtranspose2d_same_upper', [helper.make_node('ConvTranspose', ['x', 'w'], ['out'], strides=[2, 2], auto_pad='SAME_UPPER')],
                   {'x': rand(1, 3, 5, 6)}, [1, 2, 10, 12], lambda x: F.conv_transpose2d(x, w, stride=2)[:, :, 0:10, 0:12],
                   initializers=[('w', w.numpy())])

    # ---- BatchNorm ----
    bn = nn.BatchNorm2d(4)
    with torch.no_grad():
        bn.running_mean.copy_(rand(4))
        bn.running_var.copy_(torch.rand(4) + 0.5)
        bn.weight.copy_(rand(4))
        bn.bias.copy_(rand(4))
    bn_model = Seq(nn.Conv2d(3, 4, 3, padding=1), bn, nn.ReLU(), act_at=0)
    torch_fixture('batchnorm', bn_model, rand(2, 3, 7, 8), act=True)
    torch_fixture('batchnorm_opset15', bn_model, rand(2, 3, 7, 8), act=True, transform=restamp(15))

    # ---- Activations ----
    torch_fixture('leaky_relu', Seq(nn.LeakyReLU(0.1)), rand(2, 3, 4, 5))
    torch_fixture('sigmoid', Seq(nn.Sigmoid()), rand(2, 3, 4, 5))
    torch_fixture('tanh', Seq(nn.Tanh()), rand(2, 3, 4, 5))
    torch_fixture('clip_hardtanh', Seq(nn.Hardtanh(-0.5, 0.7)), rand(2, 3, 4, 5))
    torch_fixture('clip_relu6', Seq(Lambda(lambda x: F.relu6(x * 4))), rand(2, 3, 4, 5))
    torch_fixture('softmax_channels', Seq(nn.Softmax(dim=1)), rand(2, 5, 3, 4))
    torch_fixture('softmax_last', Seq(nn.Linear(6, 4), nn.Softmax(dim=-1)), rand(3, 6))
    torch_fixture('log_softmax', Seq(nn.LogSoftmax(dim=1)), rand(3, 7))
    # Before opset 13 Softmax flattens everything from `axis` on into one softmax.
    manual_fixture('softmax_coerced_opset11', [helper.make_node('Softmax', ['x'], ['s'], axis=1), helper.make_node('LogSoftmax', ['s'], ['out'], axis=2)],
                   {'x': rand(2, 3, 4, 5)}, [2, 3, 4, 5],
                   lambda x: F.log_softmax(F.softmax(x.reshape(2, -1), 1).reshape(2, 3, 4, 5).reshape(6, -1), 1).reshape(2, 3, 4, 5), opset=11)
    x = rand(2, 3, 4, 5)
    manual_fixture('identity_dropout', [helper.make_node('Identity', ['x'], ['i']), helper.make_node('Dropout', ['i'], ['d']),
                                        helper.make_node('Relu', ['d'], ['out'])], {'x': x}, [2, 3, 4, 5], lambda x: F.relu(x))

    # ---- Pooling ----
    torch_fixture('maxpool2d_ceil_overlap', Seq(nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True)), rand(1, 3, 10, 11))
    torch_fixture('maxpool2d_k2', Seq(nn.MaxPool2d(2)), rand(2, 3, 8, 9))
    torch_fixture('maxpool2d_dilation', Seq(nn.MaxPool2d(3, stride=1, padding=1, dilation=2)), rand(1, 2, 7, 8))
    torch_fixture('maxpool2d_ties', Seq(nn.MaxPool2d(3, stride=2, padding=1)), torch.round(rand(2, 2, 9, 10) * 2) / 2)
    torch_fixture('maxpool1d', Seq(nn.MaxPool1d(3, stride=2, padding=1)), rand(2, 3, 15))
    torch_fixture('maxpool3d', Seq(nn.MaxPool3d(2)), rand(1, 2, 6, 7, 8))
    torch_fixture('maxpool3d_ceil_overlap', Seq(nn.MaxPool3d(3, stride=2, padding=1, ceil_mode=True)), rand(1, 2, 6, 7, 8))
    torch_fixture('avgpool2d_include_pad_ceil', Seq(nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=True)), rand(1, 3, 10, 11))
    torch_fixture('avgpool2d_exclude_pad_ceil', Seq(nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)), rand(1, 3, 10, 11))
    torch_fixture('avgpool2d_k2', Seq(nn.AvgPool2d(2)), rand(2, 3, 8, 9))
    torch_fixture('avgpool1d_exclude_pad', Seq(nn.AvgPool1d(4, stride=3, padding=2, count_include_pad=False)), rand(2, 3, 16))
    torch_fixture('avgpool3d_exclude_pad', Seq(nn.AvgPool3d(3, stride=2, padding=1, count_include_pad=False)), rand(1, 2, 7, 6, 9))
    torch_fixture('global_avgpool', Seq(nn.AdaptiveAvgPool2d(1)), rand(2, 3, 5, 7))

    # ---- Dense ----
    torch_fixture('linear', Seq(nn.Flatten(), nn.Linear(24, 5)), rand(3, 2, 3, 4))
    a, b, c = rand(4, 3), rand(5, 4), rand(1, 5)
    manual_fixture('gemm_trans_alpha_beta', [helper.make_node('Gemm', ['a', 'b', 'c'], ['out'], transA=1, transB=1, alpha=0.7, beta=1.3)],
                   {'a': a, 'b': b, 'c': c}, [3, 5], lambda a, b, c: 0.7 * (a.t() @ b.t()) + 1.3 * c)
    a, b = rand(3, 4), rand(4, 5)
    manual_fixture('gemm_plain_vector_bias', [helper.make_node('Gemm', ['a', 'b', 'c'], ['out'])],
                   {'a': a, 'b': b}, [3, 5], lambda a, b: a @ b + torch.from_numpy(np.linspace(-1, 1, 5, dtype=np.float32)),
                   initializers=[('c', np.linspace(-1, 1, 5, dtype=np.float32))])
    w = rand(5, 6)
    torch_fixture('matmul', Lambda(lambda x: x @ w + x @ x.transpose(-1, -2) @ x[..., :1].expand(-1, -1, -1, 6)), rand(2, 3, 4, 5))
    a, b = rand(2, 1, 4, 5), rand(3, 5, 6)
    manual_fixture('matmul_broadcast', [helper.make_node('MatMul', ['a', 'b'], ['out'])], {'a': a, 'b': b}, [2, 3, 4, 6], lambda a, b: a @ b)
    a, b = rand(5), rand(2, 5, 3)
    manual_fixture('matmul_vector', [helper.make_node('MatMul', ['a', 'b'], ['m']), helper.make_node('MatMul', ['m', 'v'], ['out'])],
                   {'a': a, 'b': b}, [2], lambda a, b: (a @ b) @ torch.tensor([1.0, -2.0, 0.5]),
                   initializers=[('v', np.array([1.0, -2.0, 0.5], dtype=np.float32))])

    # ---- Broadcasting arithmetic ----
    class Broadcast(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 4, 3, padding=1)
            self.bias = nn.Parameter(rand(4, 1, 1))

        def forward(self, x):
            a = self.conv(x)
            b = a.mean((2, 3), keepdim=True)
            row = x[:, :1, :, :1]
            out = a * b + self.bias - a / (b * b + 1) + row - (a - row) * 0.5
            return out, a
    torch_fixture('broadcast_arith', Broadcast(), rand(2, 3, 5, 6), act=True)

    # Operand shapes the engine cannot know at build time: the summed axes are found at run time.
    a, b = rand(2, 3, 4, 5), rand(1, 3, 1, 5)
    manual_fixture('broadcast_unknown_shape', [helper.make_node('Mul', ['a', 'b'], ['m']), helper.make_node('Sub', ['m', 'b'], ['out'])],
                   {'a': a, 'b': b}, [2, 3, 4, 5], lambda a, b: a * b - b, declared={'b': ['p', 'q', 'r', 's']})
    b = rand(4, 1)
    manual_fixture('broadcast_unknown_rank', [helper.make_node('Add', ['a', 'b'], ['out'])], {'a': rand(2, 3, 4, 5), 'b': b}, [2, 3, 4, 5],
                   lambda a, b: a + b, declared={'b': None})

    # ---- Shape ops ----
    torch_fixture('concat_split', Lambda(lambda x: torch.cat([torch.split(x, [2, 1, 3], dim=1)[i] * (i + 1) for i in (2, 0)] + [x[:, :2]], dim=1)), rand(2, 6, 3, 4))
    torch_fixture('slice_steps', Lambda(lambda x: x[:, 1:, 1:-1, :-1:2] * 2 + x[:, :-1, 2:, 1::2]), rand(2, 3, 8, 9))
    x = rand(2, 3, 7, 8)
    manual_fixture('slice_negative_steps', [helper.make_node('Slice', ['x', 'st', 'en', 'ax', 'sp'], ['out'])], {'x': x}, [2, 3, 3, 2],
                   lambda x: torch.flip(x, [2, 3])[:, :, 1:7:2, 0:6:3],
                   initializers=[('st', np.array([-2, 7], dtype=np.int64)), ('en', np.array([-100, 1], dtype=np.int64)),
                                 ('ax', np.array([2, -1], dtype=np.int64)), ('sp', np.array([-2, -3], dtype=np.int64))])
    torch_fixture('reshape_transpose', Lambda(lambda x: (x.permute(0, 2, 3, 1).reshape(x.shape[0], -1, 3) * torch.arange(3.0)).unsqueeze(1).squeeze(1).flatten(1)), rand(2, 3, 4, 5))
    torch_fixture('pad_constant', Lambda(lambda x: F.pad(x, (1, 2, 3, 0)) * 2), rand(2, 3, 4, 5))
    torch_fixture('pad_negative', Lambda(lambda x: F.pad(x, (-1, 2, 0, -2))), rand(2, 3, 6, 5))

    # ---- Resize ----
    torch_fixture('resize_nearest2x', Seq(nn.Upsample(scale_factor=2, mode='nearest')), rand(2, 3, 4, 5))
    torch_fixture('resize_nearest_sizes', Seq(nn.Upsample(size=(10, 13), mode='nearest')), rand(1, 2, 7, 9))
    torch_fixture('resize_bilinear', Seq(nn.Upsample(scale_factor=2, mode='bilinear', align_corners=False)), rand(2, 3, 4, 5))
    torch_fixture('resize_bilinear_align_corners', Seq(nn.Upsample(size=(11, 9), mode='bilinear', align_corners=True)), rand(1, 2, 6, 7))
    torch_fixture('resize_bilinear_down', Seq(nn.Upsample(scale_factor=0.5, mode='bilinear', align_corners=False)), rand(1, 2, 9, 8))
    torch_fixture('resize_trilinear', Seq(nn.Upsample(scale_factor=2, mode='trilinear', align_corners=False)), rand(1, 2, 3, 4, 5))
    torch_fixture('resize_nearest3d', Seq(nn.Upsample(scale_factor=2, mode='nearest')), rand(1, 2, 3, 4, 5))

    # ---- Reductions across opsets (axes as attribute vs input) ----
    def reductions(x):
        a = x.mean((2, 3))
        b = x.sum(1, keepdim=True)
        c = x.mean(-1, keepdim=True)
        return a.unsqueeze(-1).unsqueeze(-1) * b + c.squeeze(-1).unsqueeze(-1) + x.sum()
    for opset in (11, 13, 17):
        torch_fixture(f'reduce_squeeze_opset{opset}', Lambda(reductions), rand(2, 3, 4, 5), opset=opset)
    torch_fixture('reduce_squeeze_opset14', Lambda(reductions), rand(2, 3, 4, 5), opset=14)
    torch_fixture('reduce_squeeze_opset18', Lambda(reductions), rand(2, 3, 4, 5), transform=rewrite_opset18)

    def split_softmax_clip(x):
        p = torch.split(x, [1, 2, 2], dim=1)
        return torch.cat([F.softmax(p[0] * 3, dim=-1), torch.clamp(p[2], -0.3, 0.4), F.softmax(p[2], dim=1)], dim=1)
    for opset in (11, 13):
        torch_fixture(f'split_softmax_clip_opset{opset}', Lambda(split_softmax_clip), rand(2, 5, 3, 4), opset=opset)
    torch_fixture('split_opset18', Lambda(split_softmax_clip), rand(2, 5, 3, 4), transform=rewrite_opset18)

    # ---- Blocks ----
    class ResBlock(nn.Module):
        def __init__(self):
            super().__init__()
            self.c1 = nn.Conv2d(3, 6, 3, stride=2, padding=1)
            self.b1 = nn.BatchNorm2d(6)
            self.c2 = nn.Conv2d(6, 6, 3, padding=1)
            self.b2 = nn.BatchNorm2d(6)
            self.down = nn.Conv2d(3, 6, 1, stride=2)
            self.head = nn.Conv2d(6, 2, 1)
            for b in (self.b1, self.b2):
                with torch.no_grad():
                    b.running_mean.copy_(rand(6) * 0.1)
                    b.running_var.copy_(torch.rand(6) + 0.5)

        def forward(self, x):
            h = F.relu(self.b1(self.c1(x)))
            a = F.relu(self.b2(self.c2(h)) + self.down(x))
            return self.head(a), a
    res = ResBlock()
    torch_fixture('resnet_block', res, rand(2, 3, 11, 10), act=True)
    torch_fixture('resnet_block_opset16', res, rand(2, 3, 11, 10), act=True, transform=restamp(16))

    class UNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.e1 = nn.Conv2d(1, 4, 3, padding=1)
            self.e2 = nn.Conv2d(4, 8, 3, padding=1)
            self.up = nn.ConvTranspose2d(8, 4, 2, stride=2)
            self.side = nn.Conv2d(8, 2, 1)
            self.d = nn.Conv2d(10, 4, 3, padding=1)
            self.head = nn.Conv2d(4, 3, 1)

        def forward(self, x):
            e1 = F.relu(self.e1(x))
            e2 = F.relu(self.e2(F.max_pool2d(e1, 2)))
            u = torch.cat([self.up(e2), F.interpolate(self.side(e2), scale_factor=2, mode='nearest'), e1], dim=1)
            a = F.relu(self.d(u))
            return self.head(a), a
    unet = UNet()
    torch_fixture('unet_block', unet, rand(1, 1, 12, 10), act=True, extra={'gradcamTarget': 'act'})
    torch_fixture('unet_block_opset19', unet, rand(1, 1, 12, 10), act=True, transform=restamp(19), extra={'gradcamTarget': 'act'})

    class Classifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.c1 = nn.Conv2d(2, 4, 3, padding=1)
            self.b1 = nn.BatchNorm2d(4)
            self.c2 = nn.Conv2d(4, 6, 3, padding=1)
            self.fc = nn.Linear(6, 3)

        def forward(self, x):
            h = F.max_pool2d(F.relu(self.b1(self.c1(x))), 2)
            a = F.relu(self.c2(h))
            logits = self.fc(torch.flatten(F.adaptive_avg_pool2d(a, 1), 1))
            return F.softmax(logits, dim=1), a
    clf = Classifier()
    torch_fixture('classifier', clf, rand(2, 2, 10, 9), act=True, extra={'gradcamTarget': 'act'})
    torch_fixture('classifier_opset12', clf, rand(2, 2, 10, 9), act=True, opset=12, extra={'gradcamTarget': 'act'})
    torch_fixture('classifier_opset20', clf, rand(2, 2, 10, 9), act=True, transform=restamp(20), extra={'gradcamTarget': 'act'})

    vgg = Seq(nn.Conv2d(2, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4 * 5 * 4, 3), act_at=1)
    torch_fixture('classifier_flatten', vgg, rand(2, 2, 10, 9), act=True, extra={'gradcamTarget': 'act'})

    class Dynamic(nn.Module):
        def __init__(self):
            super().__init__()
            self.c1 = nn.Conv2d(1, 3, 3, padding=1)
            self.c2 = nn.Conv2d(3, 4, 3, stride=2, padding=1)
            self.fc = nn.Linear(4, 2)

        def forward(self, x):
            h = F.relu(self.c1(x))
            h = h + F.interpolate(F.avg_pool2d(h, 2), scale_factor=2, mode='nearest')
            a = F.relu(self.c2(h))
            return self.fc(a.mean((2, 3)).view(a.shape[0], -1)), a
    torch_fixture('dynamic_batch', Dynamic(), rand(3, 1, 8, 10), act=True, dynamic=True, extra={'gradcamTarget': 'act'})

    class WithEinsum(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(2, 3, 3, padding=1)

        def forward(self, x):
            h = F.relu(self.conv(x))
            return h.mean((2, 3)), torch.einsum('bchw,c->bhw', h, torch.tensor([1.0, 2.0, 3.0]))
    m = WithEinsum().eval()
    f = io.BytesIO()
    x = rand(1, 2, 5, 6)
    torch.onnx.export(m, (x,), f, input_names=['x'], output_names=['out', 'aux'], opset_version=17)
    model = onnx.load_from_string(f.getvalue())
    onnx.save(model, os.path.join(OUT, 'einsum_branch.onnx'))
    manifest.append({'name': 'einsum_branch', 'opset': 17, 'unsupportedOnly': True,
                     'einsumNode': [n.name for n in model.graph.node if n.op_type == 'Einsum'][0]})

    with open(os.path.join(OUT, 'manifest.json'), 'w') as f:
        json.dump({'generator': 'tools/make_autodiff_fixtures.py', 'torch': torch.__version__, 'fixtures': manifest}, f, indent=1)
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print(f'{len(manifest)} fixtures, {total / 1e6:.2f} MB', file=sys.stderr)


if __name__ == '__main__':
    main()
