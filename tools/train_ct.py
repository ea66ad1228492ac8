"""Trains the demo CT nodule classifier on data written by tools/export-training-data.ts and exports
resources/models/ct-nodule-classifier/model.onnx (opset 17, dynamic batch).

  /work/venv/bin/python tools/train_ct.py --data /tmp/explicare-train --threads 1 [--arch A] [--size-power P]
      [--init-onnx FILE] [--augment light|strong] [--extra-train DIR] [--extra-val DIR] [--select-from F]
      [--out DIR] [--run-dir DIR]   (also runs with Debian's torch 1.13: /usr/bin/python3)

Model 1.2 (shipped) was grown from model 1.1 and fine-tuned (see "Trials, second round"):
  train_ct.py --threads 1 --arch stride2plus --steps 2000 --mine-every 500 --select-from 0 --augment strong \
      --size-power 1 --lr 1e-3 --init-onnx <model 1.1's model.onnx> --no-export --run-dir R
  (its ct-model.pt was exported in the BN form, as finish() now does: with_batchnorm + export_onnx).
DATA/ct-val2: 56 more default-resolution CTs (seeds 2000-2055, export-training-data.ts without --reduced).

DATA/ct-train (reduced-resolution training CTs), DATA/ct-val (default resolution, for model
selection) and, when present, DATA/ct-test (held-out, default resolution; only reported).
--out takes a candidate's model.onnx elsewhere (tools/evaluate-models.ts --ct-model FILE tests it
before it replaces the shipped one); --run-dir keeps its ct-model.pt and ct-train-summary.json apart.

Tried on 2026-12-03 (seeds 1000-1479 / 5000-5039 / 900000-900119, 1 thread on a loaded machine),
none better than the shipped model 1.1 (stride2; val AUC 0.855, test 0.841):
  --arch maxpool --size-power 1, 6000 steps (43 min): val 0.795, test 0.700 (sensitivity by smallest
    nodule 12/25, 10/20, 11/15; specificity 0.78). Max-pooling the raw input keeps a small nodule's
    peak but also thickens every vessel, so vessels and nodules look more alike. Its false alarms
    (max cell score 3.5-4.7 in every nodule-free val study) sit on vessel branchings in the posterior
    lung; ground-glass and sub-10 mm nodules score 1-3, below that floor.
  --arch fullres2 --size-power 0, 3000 steps (26 min): val 0.780 (0.530 / 0.740 / 0.780 after 1000 /
    2000 / 3000 steps); not exported, not tested.
  Forward cost of stride2, maxpool and fullres2 (batch 8, 2 threads, tools/bench-model.ts) was the
  same within the noise of the loaded machine (90-120 ms per sample each, interleaved runs).

Trials, second round (2026-12-03 afternoon; same data plus DATA/ct-val2; "val96" = ct-val + ct-val2,
on which model 1.1 has AUC 0.865; training-study AUC = whole-volume AUC on the 480 training CTs,
model 1.1: 0.895). All fine-tune model 1.1 (--init-onnx), which scores exactly as 1.1 at step 0:
  stride2, --augment strong, --lr 3e-4, 2000 steps: val40 0.855 -> 0.883 / 0.863 / 0.870 / 0.868 per
    500 steps, training-study AUC flat (0.884-0.891): more of the same net does not fit better.
  stride2plus (two identity-initialised convs, 1.26x the multiply-adds), --size-power 1, --lr 1e-3,
    2000 steps: val40 0.948, ct-val2 0.887 (1.1: 0.864), training-study 0.892; held-out test AUC 0.853
    (TP 40 / FN 20 / FP 1 / TN 59); demo p(nodule) 0.54. A second stage (--lr 5e-4, 3000 steps) did not
    beat its start on val96 (0.911; 0.895 / 0.906 / 0.891 after 750 / 1500 / 2250 steps; stopped).
  stride2z (the first conv keeps every slice; 1.27x), same recipe: val96 0.930 (val40 0.930),
    training-study 0.887; held-out test AUC 0.845 (TP 41 / FN 19 / FP 1 / TN 59); demo p 0.82.
    Second stage (--lr 5e-4, 3000 steps, from its export): val96 0.931 / 0.943 / 0.951 after 1500 /
    2250 / 3000 steps, but held-out test AUC 0.817 (TP 41 / FN 19 / FP 0 / TN 60): worse than 1.1.
  Shipped as 1.2: stride2plus (the best on validation among the candidates that fit the ~1.3x cost
  budget). stride2z would have cost 1.42x per sample in batches of 8 (1.29x at batch 1; interleaved
  tools/bench-model.ts runs, 2 threads: 27.7 -> 39.2 ms per sample); stride2plus 1.27x / 1.31x
  (27.9 -> 35.7 and 36.6 -> 48.0 ms). Three candidates were scored on the test set (above), so its
  0.853 is a slightly optimistic estimate; with 120 studies, any AUC difference under ~0.05 is noise.
  The held-out test AUC moved much less than validation: about 19 of the 60 positive test studies
  score like nodule-free ones with both grown nets, among them solid nodules of 11-16 mm and
  ground-glass ones of 16-23 mm whose cell score (2.2-2.9 with stride2z) sits at the nodule-free
  studies' maximum (where round one found the false alarms: vessel branchings).
  Telling a nodule from a vessel cross-section there needs more than this net sees at its half
  resolution; the 0.95 target was not reached.

The network is a small fully convolutional nodule detector read out as a classifier:
  features:  5 conv blocks (7 in stride2plus, model 1.2; Conv3d 3x3x3 + BatchNorm + ReLU; BN folded
             into the convs at export), one stride-2 conv and two max-pools: [N,1,64,128,128] ->
             [N,64,8,16,16] (the Grad-CAM target, named gradcam_features in the ONNX graph);
  detection: a 1x1x1 conv -> one "nodule here" score per feature cell, [N,1,8,16,16];
  readout:   the maximum over all cells (MaxPool with the whole map as kernel), then a 1->2 linear
             layer (Gemm) -> logits ["no nodule", "nodule"].
"Any nodule present" is the max over cells, so the same network can be trained on small patches:
  1. patches of 16x32x32 voxels, half centred (with jitter) on a nodule, half without any: random
     ones from anywhere in nodule-free studies and random ones centred in lung;
  2. hard negative mining: every 1000 steps the current model scans every whole training volume;
     the highest-scoring cells away from nodules become negative patches (a pool of the last three
     rounds); the model kept is the one of the mining round (in the second half of training) with
     the best whole-volume AUC on the validation studies;
  3. the readout (1->2 linear layer) is fitted by logistic regression on the whole-volume maxima of
     the training studies, so softmax(logits)[1] is a calibrated probability of "nodule".
"""
import argparse
import inspect
import itertools
import json
import os

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

from train_common import ROOT, Timer, classification_metrics, load_split, setup

MODEL_DIR = os.path.join(ROOT, 'resources/models/ct-nodule-classifier')
GRADCAM_TENSOR = 'gradcam_features'
PATCH = (16, 32, 32)  # z, y, x voxels
CELL = 8  # input voxels per feature cell along each axis


def cbr(i, o, stride=1, bn=True, kernel=3):
    """Conv3d 3x3x3 (or kernel, padded to keep the size) + BatchNorm + ReLU; without BatchNorm (bn=False)
    the conv has a bias: that is the exported graph (BN folded), so an exported model's weights can be
    loaded back and trained on."""
    pad = tuple(k // 2 for k in kernel) if isinstance(kernel, tuple) else kernel // 2
    if not bn:
        return [nn.Conv3d(i, o, kernel, stride=stride, padding=pad), nn.ReLU(inplace=True)]
    return [nn.Conv3d(i, o, kernel, stride=stride, padding=pad, bias=False), nn.BatchNorm3d(o), nn.ReLU(inplace=True)]


# Feature extractors, all [N,1,64,128,128] -> [N,64,8,16,16] with only Conv/Relu/MaxPool (the ops the
# app's autodiff differentiates). 'stride2' is model 1.1's (its first conv samples every other voxel);
# the others keep a small nodule's peak before the first downsampling: 'maxpool' max-pools the input
# itself (a 2x2x2 maximum keeps the brightest voxel of a 6 mm blob), 'fullres2' runs a 2-channel conv
# at full resolution and max-pools its output.
ARCHS = {
    'stride2': lambda bn: [*cbr(1, 8, 2, bn), *cbr(8, 8, 1, bn), nn.MaxPool3d(2), *cbr(8, 16, 1, bn), *cbr(16, 32, 1, bn), nn.MaxPool3d(2), *cbr(32, 64, 1, bn)],
    'maxpool': lambda bn: [nn.MaxPool3d(2), *cbr(1, 8, 1, bn), *cbr(8, 8, 1, bn), nn.MaxPool3d(2), *cbr(8, 16, 1, bn), *cbr(16, 32, 1, bn), nn.MaxPool3d(2), *cbr(32, 64, 1, bn)],
    # stride2 plus two 3x3x3 convs (16->16 at 16x32x32, 32->32 at 8x16x16; ~1.26x the multiply-adds):
    # grown from a trained stride2 model (--init-onnx), the new convs start as identities (INSERTED).
    'stride2plus': lambda bn: [*cbr(1, 8, 2, bn), *cbr(8, 8, 1, bn), nn.MaxPool3d(2), *cbr(8, 16, 1, bn), *cbr(16, 16, 1, bn), *cbr(16, 32, 1, bn), nn.MaxPool3d(2),
                               *cbr(32, 32, 1, bn), *cbr(32, 64, 1, bn)],
    # stride2 that halves z one conv later: the first conv keeps every slice (stride 1,2,2), the second
    # (5x3x3, stride 2,1,1) reads 5 of its slices. Grown from a stride2 model, the second conv's
    # taps at slice offsets -2, 0, +2 take the old 3x3x3 kernel and the new ones at -1, +1 start at
    # zero, so it starts as the old net exactly (~1.28x the multiply-adds).
    'stride2z': lambda bn: [*cbr(1, 8, (1, 2, 2), bn), *cbr(8, 8, (2, 1, 1), bn, (5, 3, 3)), nn.MaxPool3d(2), *cbr(8, 16, 1, bn), *cbr(16, 32, 1, bn), nn.MaxPool3d(2), *cbr(32, 64, 1, bn)],
    'fullres2': lambda bn: [*cbr(1, 2, 1, bn), nn.MaxPool3d(2), *cbr(2, 8, 1, bn), nn.MaxPool3d(2), *cbr(8, 16, 1, bn), *cbr(16, 32, 1, bn), nn.MaxPool3d(2), *cbr(32, 64, 1, bn)],
}

# Feature convs (in order) that an arch adds to the exported model it is grown from (--init-onnx).
INSERTED = {'stride2plus': (3, 5)}


class CtNet(nn.Module):
    def __init__(self, arch='stride2', bn=True):
        super().__init__()
        self.arch = arch
        self.features = nn.Sequential(*ARCHS[arch](bn))  # the last ReLU's output is the Grad-CAM target [N, 64, 8, 16, 16]
        self.detect = nn.Conv3d(64, 1, 1)
        self.readout = nn.Linear(1, 2)
        with torch.no_grad():
            self.readout.weight.copy_(torch.tensor([[-0.5], [0.5]]))
            self.readout.bias.zero_()

    def forward(self, x, with_map=False):
        d = self.detect(self.features(x))
        s = F.max_pool3d(d, kernel_size=tuple(int(v) for v in d.shape[2:]))
        logits = self.readout(torch.flatten(s, 1))
        return (logits, d) if with_map else logits


def load_onnx_weights(model, path):
    """Copies an exported model's weights (BN already folded into the convs) into a bn=False CtNet:
    its feature convs in graph order, then detect and readout. Convs the arch inserts (INSERTED)
    start as identities (centre tap 1 per channel, bias 0): their inputs are ReLU outputs, so the
    grown net computes exactly what the exported one does until training changes it."""
    from onnx import numpy_helper
    m = onnx.load(path)
    init = {t.name: numpy_helper.to_array(t) for t in m.graph.initializer}
    convs = [n for n in m.graph.node if n.op_type == 'Conv']
    gemm = [n for n in m.graph.node if n.op_type == 'Gemm']
    mine = [l for l in model.features if isinstance(l, nn.Conv3d)]
    inserted = INSERTED.get(model.arch, ()) if len(convs) - 1 < len(mine) else ()  # grown, or the same arch exported
    with torch.no_grad():
        for k in inserted:
            w = mine[k].weight
            w.zero_()
            w[:, :, 1, 1, 1] = torch.eye(w.shape[0], w.shape[1])
            mine[k].bias.zero_()
    mine = [l for k, l in enumerate(mine) if k not in inserted] + [model.detect]
    if len(convs) != len(mine) or len(gemm) != 1:
        raise RuntimeError(f'{path}: {len(convs)} Conv / {len(gemm)} Gemm nodes, the {len(mine)}-conv net expects as many and one Gemm')
    with torch.no_grad():
        for node, layer in zip(convs + gemm, mine + [model.readout]):
            w, b = (torch.from_numpy(init[v].copy()) for v in node.input[1:3])
            if w.dim() == 5 and w.shape[2] == 3 and layer.weight.shape[2] == 5:  # stride2z's second conv
                w = torch.cat([w[:, :, :1], torch.zeros_like(w[:, :, :1]), w[:, :, 1:2], torch.zeros_like(w[:, :, :1]), w[:, :, 2:]], 2)
            if w.shape != layer.weight.shape:
                raise RuntimeError(f'{path}: {node.input[1]} has shape {tuple(w.shape)}, the net expects {tuple(layer.weight.shape)}')
            layer.weight.copy_(w)
            layer.bias.copy_(b)


def with_batchnorm(model):
    """The same function as a bn=False CtNet in the bn=True form (eval mode): each BatchNorm passes its
    input through (mean 0, variance 1 - eps, scale 1) and adds the conv's bias as its shift. Exported,
    BN folds back into the convs, so the graph's node and initializer names are those of a model
    trained with BN (tests and the sanity check name the layers)."""
    if not any(isinstance(l, nn.Conv3d) and l.bias is not None for l in model.features):
        return model
    out = CtNet(model.arch, bn=True)
    src = [l for l in model.features if isinstance(l, nn.Conv3d)]
    dst = [l for l in out.features if isinstance(l, nn.Conv3d)]
    bns = [l for l in out.features if isinstance(l, nn.BatchNorm3d)]
    with torch.no_grad():
        for a, b, bn in zip(src, dst, bns):
            b.weight.copy_(a.weight)
            bn.weight.fill_(1)
            bn.bias.copy_(a.bias)
            bn.running_mean.zero_()
            bn.running_var.fill_(1 - bn.eps)
        out.detect.load_state_dict(model.detect.state_dict())
        out.readout.load_state_dict(model.readout.state_dict())
    return out.eval()


def lesion_centres(metas):
    """Per study: nodule centres as (z, y, x) input-grid indices, and diameters in voxels (in-plane)."""
    out = []
    for m in metas:
        sp = m['grid']['spacing']
        out.append([(np.array(l['centreIndex'][::-1]), l['diameterMm'] / sp[0]) for l in m['lesions']])
    return out


class PatchSampler:
    def __init__(self, x, metas, rng, size_power=0.0):
        self.x, self.rng = x, rng
        self.centres = lesion_centres(metas)
        self.pos = [(n, c) for n, cs in enumerate(self.centres) for c, _ in cs]
        # Small nodules are the misses: draw a nodule with probability ~ (1 / diameter)^size_power
        # (0: every nodule alike; 2: a 6 mm nodule ~ 17x as often as a 25 mm one).
        diam = np.array([m['diameterMm'] for m in itertools.chain.from_iterable(mm['lesions'] for mm in metas)])
        w = (diam.min() / diam) ** size_power
        self.pos_p = w / w.sum()
        self.neg_studies = [n for n, cs in enumerate(self.centres) if not cs]
        self.hard = []  # (study, (z, y, x)) centres of hard negative patches
        self.D, self.H, self.W = x.shape[2:]

    def cut(self, n, c):
        z, y, x = (int(round(min(max(v, p // 2), full - p // 2))) for v, p, full in zip(c, PATCH, (self.D, self.H, self.W)))
        return self.x[n, :, z - PATCH[0] // 2:z + PATCH[0] // 2, y - PATCH[1] // 2:y + PATCH[1] // 2, x - PATCH[2] // 2:x + PATCH[2] // 2]

    def clear_of_nodules(self, n, c, margin=4):
        """No nodule (centre or body) inside the patch around c, with a margin in voxels."""
        for lc, dvox in self.centres[n]:
            half = np.array(PATCH) / 2 + margin + dvox / 2 * np.array([0.6, 1, 1])
            if np.all(np.abs(lc - np.asarray(c)) < half):
                return False
        return True

    def positive(self):
        n, c = self.pos[self.rng.choice(len(self.pos), p=self.pos_p)]
        jitter = np.array([self.rng.integers(-3, 4), self.rng.integers(-6, 7), self.rng.integers(-6, 7)])
        return self.cut(n, c + jitter)

    def random_negative(self, lung_only):
        while True:
            if self.rng.random() < 0.7:
                n = self.neg_studies[self.rng.integers(len(self.neg_studies))]
            else:
                n = int(self.rng.integers(len(self.x)))
            c = np.array([self.rng.integers(0, self.D), self.rng.integers(0, self.H), self.rng.integers(0, self.W)])
            if not self.clear_of_nodules(n, c):
                continue
            p = self.cut(n, c)
            if lung_only and (p[0, PATCH[0] // 2 - 2:PATCH[0] // 2 + 2, 12:20, 12:20] < 0.3).mean() < 0.5:
                continue
            return p

    def batch(self, n_pos, n_neg):
        xs = [self.positive() for _ in range(n_pos)]
        for k in range(n_neg):
            r = k % 4
            if self.hard and r < 2:
                n, c = self.hard[self.rng.integers(len(self.hard))]
                jitter = np.array([self.rng.integers(-2, 3), self.rng.integers(-4, 5), self.rng.integers(-4, 5)])
                xs.append(self.cut(n, c + jitter))
            else:
                xs.append(self.random_negative(lung_only=(r == 2)))
        y = torch.tensor([1] * n_pos + [0] * n_neg)
        return torch.from_numpy(np.stack(xs).astype(np.float32)), y


def augment(x, rng, strong=False):
    """Sparing augmentation: small gain/offset, noise, left-right flips. strong: also front-back and
    head-foot flips and in-plane 90-degree turns (the grid's pixels are square), wider gain and noise."""
    B = x.shape[0]
    lo, hi, off, noise = (0.92, 1.08, 0.04, 0.03) if strong else (0.97, 1.03, 0.02, 0.015)
    g = torch.from_numpy(rng.uniform(lo, hi, (B, 1, 1, 1, 1)).astype(np.float32))
    o = torch.from_numpy(rng.uniform(-off, off, (B, 1, 1, 1, 1)).astype(np.float32))
    sd = torch.from_numpy(rng.uniform(0, noise, (B, 1, 1, 1, 1)).astype(np.float32))
    x = x * g + o + torch.randn_like(x) * sd
    for dim in ((4, 3, 2) if strong else (4,)):
        flip = torch.from_numpy(rng.random(B) < 0.5)
        x[flip] = torch.flip(x[flip], dims=(dim,))
    if strong:
        turn = torch.from_numpy(rng.random(B) < 0.5)
        x[turn] = x[turn].transpose(3, 4)
    return x


def score_maps(model, x, batch=4):
    """Detection maps [N, 8, 16, 16] of whole volumes (eval mode)."""
    model.eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(x), batch):
            _, d = model(torch.from_numpy(x[i:i + batch].astype(np.float32)), with_map=True)
            out.append(d[:, 0].numpy())
    model.train()
    return np.concatenate(out)


def mine_hard_negatives(model, sampler, per_study=6):
    maps = score_maps(model, sampler.x)
    hard = []
    for n, m in enumerate(maps):
        order = np.argsort(m.ravel())[::-1]
        taken = 0
        for flat in order[:64]:
            cz, cy, cx = np.unravel_index(flat, m.shape)
            c = np.array([cz * CELL + CELL / 2, cy * CELL + CELL / 2, cx * CELL + CELL / 2])
            if sampler.clear_of_nodules(n, c):
                hard.append((n, c))
                taken += 1
                if taken == per_study:
                    break
    return hard, maps.reshape(len(maps), -1).max(1)


def fit_readout(model, s, y):
    """Logistic regression of the label on the max cell score s: logits = [0, a*s + b] up to a constant."""
    st = torch.tensor(s, dtype=torch.float64)
    yt = torch.tensor(y, dtype=torch.float64)
    a = torch.ones(1, dtype=torch.float64, requires_grad=True)
    b = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([a, b], max_iter=200)

    def closure():
        opt.zero_grad()
        loss = F.binary_cross_entropy_with_logits(a * st + b, yt) + 1e-3 * a.pow(2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    with torch.no_grad():
        model.readout.weight.copy_(torch.tensor([[-0.5 * a.item()], [0.5 * a.item()]]))
        model.readout.bias.copy_(torch.tensor([-0.5 * b.item(), 0.5 * b.item()]))
    return a.item(), b.item()


def sensitivity_by_size(metas, prob, bins=((0, 10), (10, 15), (15, 100))):
    """Detected / positive studies by the diameter of a study's smallest nodule (its hardest one)."""
    out = {}
    for lo, hi in bins:
        idx = [i for i, m in enumerate(metas) if m['lesions'] and lo <= min(l['diameterMm'] for l in m['lesions']) < hi]
        out[f'{lo}-{hi} mm'] = f'{sum(prob[i] >= 0.5 for i in idx)}/{len(idx)}'
    return out


def predict(model, x, batch=4):
    model.eval()
    probs = []
    with torch.no_grad():
        for i in range(0, len(x), batch):
            probs.append(torch.softmax(model(torch.from_numpy(x[i:i + batch].astype(np.float32))), 1)[:, 1].numpy())
    return np.concatenate(probs)


def export_onnx(model, path, in_shape):
    model.eval()
    dummy = torch.zeros((1,) + tuple(in_shape))
    # torch >= 2.9 defaults to the dynamo exporter; the TorchScript one (torch 1.13's only one) folds
    # BatchNorm into the convs and keeps the graph model 1.1 had.
    legacy = {'dynamo': False} if 'dynamo' in inspect.signature(torch.onnx.export).parameters else {}
    torch.onnx.export(model, dummy, path, opset_version=17, input_names=['input'], output_names=['logits'],
                      dynamic_axes={'input': {0: 'batch'}, 'logits': {0: 'batch'}}, do_constant_folding=True, **legacy)
    m = onnx.load(path)
    g = m.graph
    # Name the Grad-CAM target: the last ReLU's output (read only by the 1x1x1 detection conv).
    relus = [n for n in g.node if n.op_type == 'Relu']
    old = relus[-1].output[0]
    consumers = [n.op_type for n in g.node if old in n.input]
    if consumers != ['Conv']:
        raise RuntimeError(f'the last Relu output {old} feeds {consumers}, expected the detection Conv')
    for n in g.node:
        n.input[:] = [GRADCAM_TENSOR if v == old else v for v in n.input]
        n.output[:] = [GRADCAM_TENSOR if v == old else v for v in n.output]
    m.doc_string = 'Explicare demo CT nodule classifier (synthetic data only; not for clinical use)'
    onnx.checker.check_model(m)
    onnx.save(m, path)
    ops = sorted({n.op_type for n in m.graph.node})
    print(f'exported {path} ({os.path.getsize(path) / 1e6:.2f} MB), ops: {ops}, Grad-CAM target {GRADCAM_TENSOR} (was {old})')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', default='/tmp/explicare-train')
    ap.add_argument('--steps', type=int, default=9000)
    ap.add_argument('--mine-every', type=int, default=1000, help='mine hard negatives every N steps')
    ap.add_argument('--batch', type=int, default=32)
    ap.add_argument('--lr', type=float, default=2e-3)
    ap.add_argument('--limit', type=int, default=0, help='use only the first N training studies (quick experiments)')
    ap.add_argument('--arch', choices=sorted(ARCHS), default='stride2', help='feature extractor (ARCHS; stride2 is the shipped model 1.1)')
    ap.add_argument('--size-power', type=float, default=0.0, help='draw positive patches ~ (1/diameter)^p (more small nodules; 0 as for model 1.1)')
    ap.add_argument('--no-export', action='store_true')
    ap.add_argument('--out', default=MODEL_DIR)
    ap.add_argument('--run-dir', help='where ct-model.pt and ct-train-summary.json go (default: DATA)')
    ap.add_argument('--init-onnx', help='start from an exported model (e.g. the shipped model.onnx): a BN-free net of the same arch, evaluated and mined at step 0')
    ap.add_argument('--extra-train', action='append', default=[], help='another training folder (e.g. default-resolution CTs), added to DATA/ct-train')
    ap.add_argument('--augment', choices=['light', 'strong'], default='light', help='light: model 1.1\'s; strong: flips on every axis, in-plane turns, wider gain/noise')
    ap.add_argument('--extra-val', action='append', default=[], help='another validation folder (default resolution), added to DATA/ct-val for model selection')
    ap.add_argument('--select-from', type=float, default=0.5, help='keep the best-val mining round from this fraction of the steps on (0 includes step 0 with --init-onnx)')
    ap.add_argument('--threads', type=int, default=2, help='torch threads (1 when the cores are shared: spinning OpenMP threads slow down ~10x under contention)')
    args = ap.parse_args()
    setup(0, threads=args.threads)
    timer = Timer()
    xtr, itr = load_split(os.path.join(args.data, 'ct-train'), dtype=np.float16, limit=args.limit)
    for extra in args.extra_train:
        xe, ie = load_split(extra, dtype=np.float16)
        xtr = np.concatenate([xtr, xe])
        itr['metas'] = itr['metas'] + ie['metas']
        itr['seeds'] = itr['seeds'] + ie['seeds']
    xva, iva = load_split(os.path.join(args.data, 'ct-val'))
    n_val_base = len(xva)
    for extra in args.extra_val:
        xe, ie = load_split(extra)
        xva = np.concatenate([xva, xe])
        iva['metas'] = iva['metas'] + ie['metas']
        iva['seeds'] = iva['seeds'] + ie['seeds']
    ytr = np.array([m['label'] for m in itr['metas']])
    yva = np.array([m['label'] for m in iva['metas']])
    in_shape = xtr.shape[1:]
    print(f'train {len(xtr)} ({ytr.sum()} positive), val {len(xva)} ({yva.sum()} positive), input {in_shape}, loaded in {timer}', flush=True)

    model = CtNet(args.arch, bn=not args.init_onnx)
    if args.init_onnx:
        load_onnx_weights(model, args.init_onnx)
    rng = np.random.default_rng(0)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=args.steps, pct_start=0.05)
    best = train_patches(model, opt, sched, PatchSampler(xtr, itr['metas'], rng, args.size_power), xva, yva, ytr, args, rng, timer, n_val_base)
    finish(model, best, xtr, itr, ytr, xva, iva, yva, in_shape, args, timer)


def train_patches(model, opt, sched, sampler, xva, yva, ytr, args, rng, timer, n_val_base):
    mine_at = set(range(0 if args.init_onnx else args.mine_every, args.steps + 1, args.mine_every))
    half = args.batch // 2
    losses, rounds, best = [], [], None
    for step in range(0 if args.init_onnx else 1, args.steps + 1):
        if step > 0:
            x, y = sampler.batch(half, args.batch - half)
            loss = F.cross_entropy(model(augment(x, rng, args.augment == 'strong')), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            losses.append(loss.item())
        if step % 250 == 0 and losses:
            print(f'step {step}/{args.steps}: patch loss {np.mean(losses[-250:]):.4f} | {timer}', flush=True)
        if step in mine_at:
            hard, smax = mine_hard_negatives(model, sampler)
            rounds.append(hard)
            sampler.hard = [h for r in rounds[-3:] for h in r]  # the last three rounds' hard negatives
            sva = score_maps(model, xva).reshape(len(xva), -1).max(1)
            auc_va = classification_metrics(yva, sva)['auc']
            auc_base = classification_metrics(yva[:n_val_base], sva[:n_val_base])['auc'] if n_val_base < len(yva) else auc_va
            print(f'  mined {len(hard)} hard negatives (pool {len(sampler.hard)}); whole-volume AUC: training studies '
                  f'{classification_metrics(ytr, smax)["auc"]:.4f}, val {auc_va:.4f} (DATA/ct-val alone {auc_base:.4f}) | {timer}', flush=True)
            if step >= args.steps * args.select_from and (best is None or auc_va > best[0] or (auc_va == best[0] and step > 0)):
                best = (auc_va, step, {k: v.clone() for k, v in model.state_dict().items()})
    return best


def finish(model, best, xtr, itr, ytr, xva, iva, yva, in_shape, args, timer):
    if best is not None:
        model.load_state_dict(best[2])
        print(f'kept the model of step {best[1]} (val AUC {best[0]:.4f})')
    # Calibrate the readout on the training studies' whole-volume maxima.
    s_train = score_maps(model, xtr).reshape(len(xtr), -1).max(1)
    a, b = fit_readout(model, s_train, ytr)
    mtr = classification_metrics(ytr, 1 / (1 + np.exp(-(a * s_train + b))))  # = softmax(logits)[1], without a second pass
    pva = predict(model, xva)
    mva = classification_metrics(yva, pva)
    mva['sensitivityBySmallestNodule'] = sensitivity_by_size(iva['metas'], pva)
    print(f'readout: p(nodule) = sigmoid({a:.3f} * max_cell_score + {b:.3f})')
    print(f'train (whole volumes): {json.dumps(mtr)}')
    model = with_batchnorm(model)  # a model grown from an export (--init-onnx) trained without BN
    print(f'val: {json.dumps(mva)}; training took {timer}', flush=True)
    run_dir = args.run_dir or args.data
    os.makedirs(run_dir, exist_ok=True)
    torch.save({'arch': args.arch, 'bn': True, 'state_dict': model.state_dict()}, os.path.join(run_dir, 'ct-model.pt'))
    if args.no_export:
        return
    os.makedirs(args.out, exist_ok=True)
    export_onnx(model, os.path.join(args.out, 'model.onnx'), in_shape)
    summary = {'arch': args.arch, 'initOnnx': args.init_onnx, 'extraTrain': args.extra_train, 'extraVal': args.extra_val, 'augment': args.augment, 'sizePower': args.size_power, 'lr': args.lr, 'batch': args.batch,
               'trainSeconds': round(timer.seconds()), 'steps': args.steps, 'keptStep': best[1] if best else args.steps, 'train': int(len(xtr)), 'readout': [a, b], 'trainMetrics': mtr, 'val': mva}
    test_dir = os.path.join(args.data, 'ct-test')
    if os.path.exists(os.path.join(test_dir, 'index.json')):
        xte, ite = load_split(test_dir)
        yte = np.array([m['label'] for m in ite['metas']])
        pte = predict(model, xte)
        summary['test'] = classification_metrics(yte, pte)
        summary['test']['sensitivityBySmallestNodule'] = sensitivity_by_size(ite['metas'], pte)
        print('held-out test (torch):', json.dumps(summary['test']))
    with open(os.path.join(run_dir, 'ct-train-summary.json'), 'w') as f:
        json.dump(summary, f, indent=1)
    print(json.dumps(summary))


if __name__ == '__main__':
    main()
