"""Trains the demo cephalometric landmark U-Net on data written by tools/export-training-data.ts and
exports resources/models/ceph-landmarks/model.onnx (opset 17, dynamic batch).

  /usr/bin/python3 tools/train_ceph.py --data /tmp/explicare-train [--epochs 14]

DATA/ceph-train, DATA/ceph-val (model selection) and, when present, DATA/ceph-test (held-out; only
reported). Output: 19 heatmaps at the input grid's full resolution ([N, 19, 320, 256]).
Training loss: per-landmark spatial softmax cross-entropy against a normalised Gaussian (sigma 1.5
grid pixels) around the true position, so each heatmap is an unnormalised log-likelihood map:
quadratic near its peak, which makes argmax + parabola refinement (the manifest's 'quadratic')
nearly exact. Softmax over the H x W plane turns a heatmap into a probability map.
"""
import argparse
import json
import os

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

from train_common import ROOT, Timer, decode_heatmaps, load_split, reindex, setup

MODEL_DIR = os.path.join(ROOT, 'resources/models/ceph-landmarks')
SIGMA = 1.5
PIXEL_MM = 0.1  # ImagerPixelSpacing of the demo cephalograms (ISBI)


def cbr(i, o):
    return nn.Sequential(nn.Conv2d(i, o, 3, padding=1, bias=False), nn.BatchNorm2d(o), nn.ReLU(inplace=True))


class LeanUNet(nn.Module):
    """U-Net with 6 levels (320x256 down to 10x8); single convs at full resolution, double below.
    Max-pool down, nearest-neighbour upsampling (ONNX Resize) + skip concatenation up."""

    def __init__(self, ch=(8, 16, 32, 48, 64, 64), n_out=19):
        super().__init__()
        self.enc = nn.ModuleList([cbr(1, ch[0])] + [nn.Sequential(cbr(ch[i - 1], ch[i]), cbr(ch[i], ch[i])) for i in range(1, len(ch))])
        self.dec = nn.ModuleList()
        prev = ch[-1]
        for i in range(len(ch) - 2, -1, -1):
            self.dec.append(nn.Sequential(cbr(prev + ch[i], ch[i]), cbr(ch[i], ch[i])) if i > 0 else cbr(prev + ch[i], ch[i]))
            prev = ch[i]
        self.head = nn.Conv2d(prev, n_out, 1)

    def forward(self, x):
        skips = []
        for i, e in enumerate(self.enc):
            x = e(x)
            if i < len(self.enc) - 1:
                skips.append(x)
                x = F.max_pool2d(x, 2)
        for d in self.dec:
            x = F.interpolate(x, scale_factor=2.0, mode='nearest')
            x = d(torch.cat([x, skips.pop()], 1))
        return self.head(x)


def gaussian_targets(pts, H, W, sigma=SIGMA):
    """pts (B, L, 2) in (i, j) -> (B, L, H*W) normalised Gaussian distributions."""
    ys = torch.arange(H, dtype=torch.float32).view(1, 1, H, 1)
    xs = torch.arange(W, dtype=torch.float32).view(1, 1, 1, W)
    px = pts[..., 0].view(*pts.shape[:2], 1, 1)
    py = pts[..., 1].view(*pts.shape[:2], 1, 1)
    logp = -((xs - px) ** 2 + (ys - py) ** 2) / (2 * sigma ** 2)
    return torch.softmax(logp.view(*pts.shape[:2], -1), -1)


def augment(x, pts, rng, max_shift=12):
    """Integer shifts (padding with the letterbox pad value 0), small gain/offset, noise."""
    B, _, H, W = x.shape
    out = torch.zeros_like(x)
    pts = pts.clone()
    for n in range(B):
        dy, dx = int(rng.integers(-max_shift, max_shift + 1)), int(rng.integers(-max_shift, max_shift + 1))
        src = x[n, 0, max(0, -dy):H - max(0, dy), max(0, -dx):W - max(0, dx)]
        out[n, 0, max(0, dy):max(0, dy) + src.shape[0], max(0, dx):max(0, dx) + src.shape[1]] = src
        pts[n, :, 0] += dx
        pts[n, :, 1] += dy
        out[n] = out[n] * float(rng.uniform(0.95, 1.05)) + float(rng.uniform(-0.05, 0.05))
        out[n] += torch.randn_like(out[n]) * float(rng.uniform(0, 0.05))
    return out, pts


def predict(model, x, batch=8):
    model.eval()
    coords, maps = [], []
    with torch.no_grad():
        for i in range(0, len(x), batch):
            h = model(torch.from_numpy(x[i:i + batch])).numpy()
            coords.extend(decode_heatmaps(m) for m in h)
    return np.stack(coords)


def radial_errors_mm(pred_grid, metas):
    """Radial error in the ORIGINAL image's mm: model-grid (i, j) -> image pixel via reindex(grid,
    image geometry), minus the ground-truth pixel, times the 0.1 mm ImagerPixelSpacing."""
    errs = []
    for p, m in zip(pred_grid, metas):
        ij = np.concatenate([p, np.zeros((len(p), 1))], 1)
        px = np.stack([reindex(m['grid'], m['geometry'], q)[:2] for q in ij])
        gt = np.asarray(m['landmarksPixel'], dtype=np.float64)
        errs.append(np.hypot(*(px - gt).T) * PIXEL_MM)
    return np.stack(errs)  # (N, 19)


def landmark_metrics(err):
    return {'mreMm': float(err.mean()), 'sdMm': float(err.std()), 'medianMm': float(np.median(err)),
            'sdr2mm': float((err <= 2).mean()), 'sdr2_5mm': float((err <= 2.5).mean()),
            'sdr3mm': float((err <= 3).mean()), 'sdr4mm': float((err <= 4).mean()),
            'maxMm': float(err.max()), 'perLandmarkMreMm': [round(float(v), 3) for v in err.mean(0)], 'n': int(err.shape[0])}


def export_onnx(model, path, in_shape):
    model.eval()
    torch.onnx.export(model, torch.zeros((1,) + tuple(in_shape)), path, opset_version=17, input_names=['input'], output_names=['heatmaps'],
                      dynamic_axes={'input': {0: 'batch'}, 'heatmaps': {0: 'batch'}}, do_constant_folding=True)
    m = onnx.load(path)
    m.doc_string = 'Explicare demo cephalometric landmark U-Net (synthetic data only; not for clinical use)'
    onnx.checker.check_model(m)
    onnx.save(m, path)
    ops = sorted({n.op_type for n in m.graph.node})
    print(f'exported {path} ({os.path.getsize(path) / 1e6:.2f} MB), ops: {ops}')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', default='/tmp/explicare-train')
    ap.add_argument('--epochs', type=int, default=14)
    ap.add_argument('--batch', type=int, default=8)
    ap.add_argument('--lr', type=float, default=3e-3)
    ap.add_argument('--out', default=MODEL_DIR)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--export-only', action='store_true', help='export the best checkpoint saved so far (DATA/ceph-model.pt)')
    args = ap.parse_args()
    setup(0, threads=args.threads)
    timer = Timer()
    xva, iva = load_split(os.path.join(args.data, 'ceph-val'))
    checkpoint = os.path.join(args.data, 'ceph-model.pt')
    if args.export_only:
        model = LeanUNet()
        model.load_state_dict(torch.load(checkpoint))
        export(model, args, xva, iva, timer, trained_epochs=None, n_train=None)
        return
    xtr, itr = load_split(os.path.join(args.data, 'ceph-train'))
    ptr = torch.tensor([m['landmarksGrid'] for m in itr['metas']], dtype=torch.float32)
    in_shape = xtr.shape[1:]
    H, W = in_shape[1:]
    print(f'train {len(xtr)}, val {len(xva)}, input {in_shape}, loaded in {timer}')
    model = LeanUNet()
    print(f'parameters: {sum(p.numel() for p in model.parameters())}')
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    steps = args.epochs * ((len(xtr) + args.batch - 1) // args.batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=steps, pct_start=0.15)
    rng = np.random.default_rng(0)
    best, best_state = float('inf'), None
    for epoch in range(args.epochs):
        model.train()
        order = rng.permutation(len(xtr))
        tot = 0.0
        for b in range(0, len(order), args.batch):
            idx = np.sort(order[b:b + args.batch])
            x, pts = augment(torch.from_numpy(xtr[idx]), ptr[idx], rng)
            logits = model(x).flatten(2)  # (B, 19, H*W)
            target = gaussian_targets(pts, H, W)
            loss = -(target * F.log_softmax(logits, -1)).sum(-1).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            tot += loss.item() * len(idx)
        err = radial_errors_mm(predict(model, xva), iva['metas'])
        mv = landmark_metrics(err)
        print(f'epoch {epoch + 1}/{args.epochs}: train loss {tot / len(xtr):.4f} | val MRE {mv["mreMm"]:.3f} mm, '
              f'SDR2 {mv["sdr2mm"]:.3f}, max {mv["maxMm"]:.1f} mm | {timer}', flush=True)
        if mv['mreMm'] < best:
            best = mv['mreMm']
            best_state = {k: v.clone() for k, v in model.state_dict().items()}
            torch.save(best_state, checkpoint)  # an interrupted run can still be exported (--export-only)
    model.load_state_dict(best_state)
    print(f'kept the epoch with val MRE {best:.3f} mm; training took {timer}')
    export(model, args, xva, iva, timer, trained_epochs=args.epochs, n_train=int(len(xtr)))


def export(model, args, xva, iva, timer, trained_epochs, n_train):
    os.makedirs(args.out, exist_ok=True)
    export_onnx(model, os.path.join(args.out, 'model.onnx'), xva.shape[1:])
    summary = {'trainSeconds': round(timer.seconds()), 'epochs': trained_epochs, 'train': n_train,
               'val': landmark_metrics(radial_errors_mm(predict(model, xva), iva['metas']))}
    test_dir = os.path.join(args.data, 'ceph-test')
    if os.path.exists(os.path.join(test_dir, 'index.json')):
        xte, ite = load_split(test_dir)
        summary['test'] = landmark_metrics(radial_errors_mm(predict(model, xte), ite['metas']))
        print('held-out test (torch):', json.dumps(summary['test']))
    with open(os.path.join(args.data, 'ceph-train-summary.json'), 'w') as f:
        json.dump(summary, f, indent=1)
    print(json.dumps(summary))


if __name__ == '__main__':
    main()
