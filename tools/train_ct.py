"""Trains the demo CT nodule classifier on data written by tools/export-training-data.ts and exports
resources/models/ct-nodule-classifier/model.onnx (opset 17, dynamic batch).

  /usr/bin/python3 tools/train_ct.py --data /tmp/explicare-train [--epochs 14]

DATA/ct-train (reduced-resolution training CTs), DATA/ct-val (default resolution, for model
selection) and, when present, DATA/ct-test (held-out, default resolution; only reported).
The network: 3D CNN, 5 conv blocks (Conv3d 3x3x3 + BatchNorm + ReLU; BN folded into the convs at
export), global average pooling, one linear layer -> 2 logits. An auxiliary 1x1x1 conv on the last
feature map learns where nodules are (cells near a nodule centre) during training only; it is not
exported, but it makes the last feature map (the Grad-CAM target) point at the nodules.
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


def cbr(i, o, stride=1):
    return [nn.Conv3d(i, o, 3, stride=stride, padding=1, bias=False), nn.BatchNorm3d(o), nn.ReLU(inplace=True)]


class CtNet(nn.Module):
    """pool: 'avg' (GlobalAveragePool), 'max' (a MaxPool whose kernel is the whole feature map) or
    'avgmax' (both, concatenated): max pooling suits "is there any nodule" on an 8x16x16 map."""

    def __init__(self, pool='avgmax', fshape=(8, 16, 16)):
        super().__init__()
        self.pool = pool
        self.fshape = tuple(fshape)
        self.features = nn.Sequential(
            *cbr(1, 8, stride=2),  # 64x128x128 -> 32x64x64
            *cbr(8, 8),
            nn.MaxPool3d(2),  # -> 16x32x32
            *cbr(8, 16),
            *cbr(16, 32),
            nn.MaxPool3d(2),  # -> 8x16x16
            *cbr(32, 64),  # Grad-CAM target: [N, 64, 8, 16, 16]
        )
        self.fc = nn.Linear(128 if pool == 'avgmax' else 64, 2)
        self.aux = nn.Conv3d(64, 1, 1)

    def forward(self, x, with_aux=False):
        f = self.features(x)
        pooled = []
        if self.pool in ('avg', 'avgmax'):
            pooled.append(F.adaptive_avg_pool3d(f, 1))
        if self.pool in ('max', 'avgmax'):
            pooled.append(F.max_pool3d(f, self.fshape))
        logits = self.fc(torch.flatten(torch.cat(pooled, 1) if len(pooled) > 1 else pooled[0], 1))
        return (logits, self.aux(f)) if with_aux else logits


def aux_targets(metas, fshape, in_shape):
    """1 where a feature cell's centre lies within (radius + half a cell) of a nodule centre."""
    D, H, W = fshape
    t = np.zeros((len(metas), 1, D, H, W), dtype=np.float32)
    scale = np.array([in_shape[2] / W, in_shape[1] / H, in_shape[0] / D])  # input voxels per cell (x, y, z)
    zz, yy, xx = np.meshgrid(np.arange(D), np.arange(H), np.arange(W), indexing='ij')
    for n, m in enumerate(metas):
        sp = np.asarray(m['grid']['spacing'])  # mm per input voxel (x, y, z)
        for les in m['lesions']:
            c = np.asarray(les['centreIndex'])  # input-grid index (x, y, z)
            cell_mm = scale * sp
            # cell centre in input index: (cell + 0.5) * scale - 0.5
            dx = ((xx + 0.5) * scale[0] - 0.5 - c[0]) * sp[0]
            dy = ((yy + 0.5) * scale[1] - 0.5 - c[1]) * sp[1]
            dz = ((zz + 0.5) * scale[2] - 0.5 - c[2]) * sp[2]
            near = np.sqrt(dx ** 2 + dy ** 2 + dz ** 2) <= les['diameterMm'] / 2 + cell_mm.max() / 2
            t[n, 0][near] = 1
    return t


def augment(x, rng):
    """Sparing augmentation: shifts of up to 3 voxels in-plane / 2 slices, small gain/offset, noise."""
    out = torch.empty_like(x)
    for n in range(x.shape[0]):
        sz, sy, sx = rng.integers(-2, 3), rng.integers(-3, 4), rng.integers(-3, 4)
        v = torch.roll(x[n], shifts=(int(sz), int(sy), int(sx)), dims=(1, 2, 3))
        v = v * float(rng.uniform(0.97, 1.03)) + float(rng.uniform(-0.02, 0.02))
        v = v + torch.randn_like(v) * float(rng.uniform(0, 0.015))
        out[n] = v
    return out


def predict(model, x, batch=4):
    model.eval()
    probs, logits = [], []
    with torch.no_grad():
        for i in range(0, len(x), batch):
            lg = model(torch.from_numpy(x[i:i + batch].astype(np.float32)))
            logits.append(lg.numpy())
            probs.append(torch.softmax(lg, 1)[:, 1].numpy())
    return np.concatenate(probs), np.concatenate(logits)


def export_onnx(model, path, in_shape):
    model.eval()
    dummy = torch.zeros((1,) + tuple(in_shape))
    torch.onnx.export(model, dummy, path, opset_version=17, input_names=['input'], output_names=['logits'],
                      dynamic_axes={'input': {0: 'batch'}, 'logits': {0: 'batch'}}, do_constant_folding=True)
    m = onnx.load(path)
    g = m.graph
    # Name the Grad-CAM target: the last ReLU's output, which only the global pooling reads.
    relus = [n for n in g.node if n.op_type == 'Relu']
    old = relus[-1].output[0]
    consumers = sorted(n.op_type for n in g.node if old in n.input)
    if not consumers or any(op not in ('GlobalAveragePool', 'MaxPool') for op in consumers):
        raise RuntimeError(f'the last Relu output {old} feeds {consumers}, not only the global pooling')
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
    ap.add_argument('--epochs', type=int, default=14)
    ap.add_argument('--batch', type=int, default=4)
    ap.add_argument('--lr', type=float, default=2e-3)
    ap.add_argument('--aux-weight', type=float, default=1.0)
    ap.add_argument('--pool', choices=['avg', 'max', 'avgmax'], default='avgmax')
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

    with torch.no_grad():
        fshape = tuple(CtNet().features(torch.zeros((1,) + in_shape)).shape[2:])
    model = CtNet(pool=args.pool, fshape=fshape)
    atr = aux_targets(itr['metas'], fshape, in_shape[1:])
    print(f'feature map {fshape}, aux positive cells per positive study {atr.sum() / max(ytr.sum(), 1):.1f}')

    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    steps = args.epochs * ((len(xtr) + args.batch - 1) // args.batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=steps, pct_start=0.15)
    rng = np.random.default_rng(0)
    pos_weight = torch.tensor([20.0])
    best = (-1.0, float('inf'))
    best_state = None
    for epoch in range(args.epochs):
        model.train()
        order = rng.permutation(len(xtr))
        tot = aux_tot = 0.0
        for b in range(0, len(order), args.batch):
            idx = np.sort(order[b:b + args.batch])
            x = augment(torch.from_numpy(xtr[idx].astype(np.float32)), rng)
            y = torch.from_numpy(ytr[idx]).long()
            logits, aux = model(x, with_aux=True)
            loss_cls = F.cross_entropy(logits, y)
            loss_aux = F.binary_cross_entropy_with_logits(aux, torch.from_numpy(atr[idx]), pos_weight=pos_weight)
            loss = loss_cls + args.aux_weight * loss_aux
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            tot += loss_cls.item() * len(idx)
            aux_tot += loss_aux.item() * len(idx)
        pva, lva = predict(model, xva)
        val_loss = float(F.cross_entropy(torch.from_numpy(lva), torch.from_numpy(yva).long()))
        mv = classification_metrics(yva, pva)
        print(f'epoch {epoch + 1}/{args.epochs}: train loss {tot / len(xtr):.4f} aux {aux_tot / len(xtr):.4f} | '
              f'val loss {val_loss:.4f} acc {mv["accuracy"]:.3f} auc {mv["auc"]:.4f} | {timer}', flush=True)
        key = (mv['auc'], -val_loss)
        if epoch >= args.epochs // 2 and (key[0] > best[0] or (key[0] == best[0] and -key[1] < best[1])):
            best = (mv['auc'], val_loss)
            best_state = {k: v.clone() for k, v in model.state_dict().items()}
    model.load_state_dict(best_state)
    print(f'kept the epoch with val auc {best[0]:.4f}, val loss {best[1]:.4f}; training took {timer}')
    os.makedirs(args.out, exist_ok=True)
    if args.no_export:
        return
    torch.save({'state_dict': model.state_dict(), 'pool': args.pool, 'fshape': fshape}, os.path.join(args.data, 'ct-model.pt'))
    export_onnx(model, os.path.join(args.out, 'model.onnx'), in_shape)
    summary = {'trainSeconds': round(timer.seconds()), 'epochs': args.epochs, 'pool': args.pool, 'train': int(len(xtr)), 'val': classification_metrics(yva, predict(model, xva)[0])}
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
