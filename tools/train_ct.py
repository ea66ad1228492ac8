"""Trains the demo CT nodule classifier on data written by tools/export-training-data.ts and exports
resources/models/ct-nodule-classifier/model.onnx (opset 17, dynamic batch).

  /usr/bin/python3 tools/train_ct.py --data /tmp/explicare-train [--epochs 12]

DATA/ct-train (reduced-resolution training CTs), DATA/ct-val (default resolution, for model
selection) and, when present, DATA/ct-test (held-out, default resolution; only reported).

The network is a small fully convolutional nodule detector read out as a classifier:
  features: 5 conv blocks (Conv3d 3x3x3 + BatchNorm + ReLU; BN folded into the convs at export),
            one stride-2 conv and two max-pools: [N,1,64,128,128] -> [N,64,8,16,16] (the Grad-CAM
            target, named gradcam_features in the ONNX graph);
  detection: a 1x1x1 conv -> one "nodule here" logit per feature cell, [N,1,8,16,16];
  readout:   the maximum over all cells (MaxPool with the whole map as kernel), then a 1->2 linear
             layer (Gemm) -> logits ["no nodule", "nodule"].
"Any nodule present" is the max over cells, so the model also works on sub-volumes: it is trained on
32x64x64 crops (8x cheaper than whole volumes) with two losses: cross-entropy of the crop's label
and a dense per-cell loss (cells whose centre lies within a nodule's radius + half a cell of its
centre are positive), then its BatchNorm statistics are re-estimated on whole training volumes.
"""
import argparse
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
CROP = (32, 64, 64)


def cbr(i, o, stride=1):
    return [nn.Conv3d(i, o, 3, stride=stride, padding=1, bias=False), nn.BatchNorm3d(o), nn.ReLU(inplace=True)]


class CtNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            *cbr(1, 8, stride=2),  # 64x128x128 -> 32x64x64
            *cbr(8, 8),
            nn.MaxPool3d(2),  # -> 16x32x32
            *cbr(8, 16),
            *cbr(16, 32),
            nn.MaxPool3d(2),  # -> 8x16x16
            *cbr(32, 64),  # Grad-CAM target: [N, 64, 8, 16, 16]
        )
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


def aux_targets(metas, fshape, in_shape, margin_mm=10.0):
    """Per feature cell: 1 if the cell's box (in mm) intersects a nodule (sphere of its diameter),
    -1 ("don't care") if it comes within margin_mm of one but does not intersect it, else 0.
    Neighbouring cells see part of a nodule in their receptive field; not penalising them keeps
    the labels honest."""
    D, H, W = fshape
    t = np.zeros((len(metas), 1, D, H, W), dtype=np.float32)
    per_cell = np.array([in_shape[2] / W, in_shape[1] / H, in_shape[0] / D])  # input voxels per cell (x, y, z)
    zz, yy, xx = np.meshgrid(np.arange(D), np.arange(H), np.arange(W), indexing='ij')
    for n, m in enumerate(metas):
        sp = np.asarray(m['grid']['spacing'])  # mm per input voxel (x, y, z)
        pos = np.zeros((D, H, W), dtype=bool)
        near = np.zeros((D, H, W), dtype=bool)
        for les in m['lesions']:
            c = np.asarray(les['centreIndex'])  # input-grid index (x, y, z); voxel v covers [v - 0.5, v + 0.5]
            gap = []
            for a, cells in ((0, xx), (1, yy), (2, zz)):
                lo = cells * per_cell[a] - 0.5
                hi = (cells + 1) * per_cell[a] - 0.5
                gap.append(np.maximum(0, np.maximum(lo - c[a], c[a] - hi)) * sp[a])
            dist = np.sqrt(gap[0] ** 2 + gap[1] ** 2 + gap[2] ** 2)
            pos |= dist <= les['diameterMm'] / 2
            near |= dist <= les['diameterMm'] / 2 + margin_mm
        t[n, 0][near] = -1
        t[n, 0][pos] = 1
    return t


def dense_loss(d, t, pos_weight):
    """BCE per cell, ignoring the "don't care" cells (t == -1)."""
    w = (t >= 0).float()
    return (F.binary_cross_entropy_with_logits(d, t.clamp(min=0), pos_weight=pos_weight, reduction='none') * w).sum() / w.sum().clamp(min=1)


def augment(x, rng):
    """Sparing augmentation: small gain/offset and noise (shifts come from the random crops)."""
    g = torch.from_numpy(rng.uniform(0.97, 1.03, (x.shape[0], 1, 1, 1, 1)).astype(np.float32))
    o = torch.from_numpy(rng.uniform(-0.02, 0.02, (x.shape[0], 1, 1, 1, 1)).astype(np.float32))
    sd = torch.from_numpy(rng.uniform(0, 0.015, (x.shape[0], 1, 1, 1, 1)).astype(np.float32))
    return x * g + o + torch.randn_like(x) * sd


def sample_crops(x, targets, metas, idx, rng, stride, p_lesion=0.6):
    """One CROP-sized sub-volume per study, aligned to the feature cells (stride: input voxels per
    cell along z, y, x); for positive studies, with probability p_lesion a crop around a nodule."""
    D, H, W = x.shape[2:]
    xs, ts = [], []
    for n in idx:
        lesions = metas[n]['lesions']
        if lesions and rng.random() < p_lesion:
            c = np.asarray(lesions[rng.integers(len(lesions))]['centreIndex'])  # (x, y, z)
            starts = []
            for centre, size, full, st in ((c[2], CROP[0], D, stride[0]), (c[1], CROP[1], H, stride[1]), (c[0], CROP[2], W, stride[2])):
                cell = min(max(int(np.floor((centre + 0.5) / st)), 0), full // st - 1)  # the cell holding the centre
                lo = max(0, cell - size // st + 1)
                hi = min(cell, (full - size) // st)
                starts.append(st * int(rng.integers(lo, hi + 1)))
        else:
            starts = [st * int(rng.integers(0, (full - size) // st + 1)) for size, full, st in zip(CROP, (D, H, W), stride)]
        z, y, xx = starts
        xs.append(x[n, :, z:z + CROP[0], y:y + CROP[1], xx:xx + CROP[2]])
        ts.append(targets[n, :, z // stride[0]:(z + CROP[0]) // stride[0], y // stride[1]:(y + CROP[1]) // stride[1], xx // stride[2]:(xx + CROP[2]) // stride[2]])
    return torch.from_numpy(np.stack(xs).astype(np.float32)), torch.from_numpy(np.stack(ts))


def predict(model, x, batch=4):
    model.eval()
    probs, logits = [], []
    with torch.no_grad():
        for i in range(0, len(x), batch):
            lg = model(torch.from_numpy(x[i:i + batch].astype(np.float32)))
            logits.append(lg.numpy())
            probs.append(torch.softmax(lg, 1)[:, 1].numpy())
    return np.concatenate(probs), np.concatenate(logits)


def recalibrate_bn(model, x, count, batch=4):
    """Re-estimates BatchNorm running statistics on whole volumes (training used crops)."""
    for m in model.modules():
        if isinstance(m, nn.BatchNorm3d):
            m.reset_running_stats()
            m.momentum = None  # cumulative average
    model.train()
    with torch.no_grad():
        for i in range(0, count, batch):
            model(torch.from_numpy(x[i:i + batch].astype(np.float32)))
    model.eval()


def export_onnx(model, path, in_shape):
    model.eval()
    dummy = torch.zeros((1,) + tuple(in_shape))
    torch.onnx.export(model, dummy, path, opset_version=17, input_names=['input'], output_names=['logits'],
                      dynamic_axes={'input': {0: 'batch'}, 'logits': {0: 'batch'}}, do_constant_folding=True)
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
    ap.add_argument('--epochs', type=int, default=12)
    ap.add_argument('--crops', type=int, default=3, help='crops per training study per epoch')
    ap.add_argument('--batch', type=int, default=8)
    ap.add_argument('--lr', type=float, default=3e-3)
    ap.add_argument('--dense-weight', type=float, default=1.0)
    ap.add_argument('--limit', type=int, default=0, help='use only the first N training studies (quick experiments)')
    ap.add_argument('--no-export', action='store_true')
    ap.add_argument('--out', default=MODEL_DIR)
    args = ap.parse_args()
    setup(0)
    timer = Timer()
    xtr, itr = load_split(os.path.join(args.data, 'ct-train'), dtype=np.float16, limit=args.limit)
    xva, iva = load_split(os.path.join(args.data, 'ct-val'))
    ytr = np.array([m['label'] for m in itr['metas']])
    yva = np.array([m['label'] for m in iva['metas']])
    in_shape = xtr.shape[1:]
    print(f'train {len(xtr)} ({ytr.sum()} positive), val {len(xva)} ({yva.sum()} positive), input {in_shape}, loaded in {timer}')

    model = CtNet()
    with torch.no_grad():
        fshape = tuple(model.features(torch.zeros((1,) + in_shape)).shape[2:])
    stride = tuple(i // f for i, f in zip(in_shape[1:], fshape))
    assert all(i == f * st for i, f, st in zip(in_shape[1:], fshape, stride)), fshape
    dense = aux_targets(itr['metas'], fshape, in_shape[1:])
    print(f'feature map {fshape}, positive cells per positive study {dense.sum() / max(ytr.sum(), 1):.1f}')

    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    per_epoch = len(xtr) * args.crops
    steps = args.epochs * ((per_epoch + args.batch - 1) // args.batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=steps, pct_start=0.1)
    rng = np.random.default_rng(0)
    pos_weight = torch.tensor([10.0])
    best_key, best_state = None, None
    for epoch in range(args.epochs):
        model.train()
        order = rng.permutation(np.repeat(np.arange(len(xtr)), args.crops))
        tot = dense_tot = 0.0
        for b in range(0, len(order), args.batch):
            idx = order[b:b + args.batch]
            x, t = sample_crops(xtr, dense, itr['metas'], idx, rng, stride)
            x = augment(x, rng)
            flat = t.flatten(1)
            y = (flat.max(1).values > 0).long()
            # A crop with only "don't care" cells (part of a nodule at its edge) has no clear label.
            clear = ((y == 1) | (flat.min(1).values >= 0)).float()
            logits, d = model(x, with_map=True)
            loss_cls = (F.cross_entropy(logits, y, reduction='none') * clear).sum() / clear.sum().clamp(min=1)
            loss_dense = dense_loss(d, t, pos_weight)
            loss = loss_cls + args.dense_weight * loss_dense
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            tot += loss_cls.item() * len(idx)
            dense_tot += loss_dense.item() * len(idx)
        state = {k: v.clone() for k, v in model.state_dict().items()}
        recalibrate_bn(model, xtr, min(len(xtr), 48))
        pva, lva = predict(model, xva)
        val_loss = float(F.cross_entropy(torch.from_numpy(lva), torch.from_numpy(yva).long()))
        mv = classification_metrics(yva, pva)
        print(f'epoch {epoch + 1}/{args.epochs}: train crop loss {tot / len(order):.4f} dense {dense_tot / len(order):.4f} | '
              f'val loss {val_loss:.4f} acc {mv["accuracy"]:.3f} auc {mv["auc"]:.4f} | {timer}', flush=True)
        key = (mv['auc'], -val_loss)
        if epoch >= args.epochs // 2 and (best_key is None or key > best_key):
            best_key = key
            best_state = {k: v.clone() for k, v in model.state_dict().items()}
        model.load_state_dict(state)  # keep training with the crop statistics
    model.load_state_dict(best_state)
    recalibrate_bn(model, xtr, len(xtr))
    pva, _ = predict(model, xva)
    print(f'kept the epoch with val auc {best_key[0]:.4f}; after BN re-estimation on all {len(xtr)} training volumes: '
          f'{json.dumps(classification_metrics(yva, pva))}; training took {timer}')
    if args.no_export:
        return
    os.makedirs(args.out, exist_ok=True)
    torch.save(model.state_dict(), os.path.join(args.data, 'ct-model.pt'))
    export_onnx(model, os.path.join(args.out, 'model.onnx'), in_shape)
    summary = {'trainSeconds': round(timer.seconds()), 'epochs': args.epochs, 'train': int(len(xtr)), 'val': classification_metrics(yva, pva)}
    test_dir = os.path.join(args.data, 'ct-test')
    if os.path.exists(os.path.join(test_dir, 'index.json')):
        xte, ite = load_split(test_dir)
        yte = np.array([m['label'] for m in ite['metas']])
        summary['test'] = classification_metrics(yte, predict(model, xte)[0])
        print('held-out test (torch):', json.dumps(summary['test']))
    with open(os.path.join(args.data, 'ct-train-summary.json'), 'w') as f:
        json.dump(summary, f, indent=1)
    print(json.dumps(summary))


if __name__ == '__main__':
    main()
