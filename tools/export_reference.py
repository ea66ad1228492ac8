"""Reference outputs of the trained demo models for test/unit/model-reference.test.ts.

  /work/venv/bin/python tools/export_reference.py --data /tmp/explicare-train [--only ct|ceph]

Inputs come from the APP pipeline (tools/export-training-data.ts --demo: the seeded demo generator
with its own defaults -> DICOM -> Engine -> preprocess with the shipped manifest): CT seeds 1 and 2
at the default 512x512x120 resolution, cephalogram seeds 1 and 2 at 1935x2400. The outputs are the
TORCH model's (the state dicts train_ct.py / train_ceph.py saved in DATA), so the test checks the
ONNX export and onnxruntime against torch. Writes resources/models/<model>/reference.json with the
sha256 of every input tensor (float32 little-endian bytes, C order) and of model.onnx.
"""
import argparse
import hashlib
import json
import os
import subprocess
import tempfile

import numpy as np
import torch

from train_ceph import LeanUNet
from train_common import ROOT, decode_heatmaps, load_split, setup
from train_ct import CtNet

SEEDS = [1, 2]
N_VALUES = 50
CEPH_CAM_POOL = 4  # the ceph Grad-CAM reference is stored 4x4 average-pooled (80x64 instead of 320x256)


def gradcam(model, layer, x, score_of):
    """Torch Grad-CAM: channel weights = spatial mean of d(score)/d(activation), map = ReLU(sum_k w_k A_k).
    score_of(output) -> scalar, the same score the app seeds (a class logit; heatmap values at peaks)."""
    saved = {}
    handle = layer.register_forward_hook(lambda m, i, o: saved.__setitem__('a', o))
    xt = torch.from_numpy(x).requires_grad_(False)
    with torch.enable_grad():
        out = model(xt)
        a = saved['a']
        g, = torch.autograd.grad(score_of(out), a)
    handle.remove()
    w = g.mean(dim=tuple(range(2, g.dim())), keepdim=True)
    return torch.relu((w * a).sum(1))[0].detach().numpy().astype(np.float64)


def sha256_file(path):
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


def app_inputs(kind, out):
    subprocess.run(['npx', 'tsx', 'tools/export-training-data.ts', '--kind', kind, '--seeds', ','.join(map(str, SEEDS)), '--out', out, '--demo'],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return load_split(out)


def fixed_indices(total, n=N_VALUES):
    """Spread-out flat indices: a fixed multiplicative sequence (no RNG, so anyone can recompute)."""
    return sorted({(k * 2654435761 + 12345) % total for k in range(n)})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', default='/tmp/explicare-train')
    ap.add_argument('--only', choices=['ct', 'ceph'], help='rewrite one model\'s reference.json (after retraining that model alone)')
    ap.add_argument('--ct-dir', default=os.path.join(ROOT, 'resources/models/ct-nodule-classifier'),
                    help='CT package folder whose model.onnx the reference names (a candidate before it is shipped)')
    args = ap.parse_args()
    setup(0, threads=1)  # the cores are shared
    tmp = tempfile.mkdtemp(prefix='explicare-ref-')

    if args.only != 'ceph':
        export_ct(args.data, tmp, args.ct_dir)
    if args.only != 'ct':
        export_ceph(args.data, tmp)
    subprocess.run(['rm', '-rf', tmp], check=True)


def export_ct(data, tmp, ct_dir):
    saved = torch.load(os.path.join(data, 'ct-model.pt'))
    ct = CtNet(saved['arch'], bn=saved.get('bn', True))  # train_ct.py saves {'arch', 'bn', 'state_dict'}
    ct.load_state_dict(saved['state_dict'])
    ct.eval()
    x, index = app_inputs('ct', os.path.join(tmp, 'ct'))
    cases = []
    with torch.no_grad():
        for n, seed in enumerate(index['seeds']):
            logits = ct(torch.from_numpy(x[n:n + 1]))[0].numpy().astype(np.float64)
            prob = float(np.exp(logits[1]) / np.exp(logits).sum())
            meta = index['metas'][n]
            cls = int(np.argmax(logits))
            cam = gradcam(ct, ct.features[-1], x[n:n + 1], lambda out: out[0, cls])  # [8, 16, 16] (z, y, x)
            cases.append({'seed': seed, 'generator': {'kind': 'ct', 'seed': seed, 'options': 'generateCtStudy defaults (512x512, 0.7 mm, 120 x 2.5 mm, lesion count from the seed)'},
                          'lesionCount': meta['lesionCount'], 'inputShape': [1] + list(x.shape[1:]),
                          'inputSha256': hashlib.sha256(np.ascontiguousarray(x[n], dtype='<f4').tobytes()).hexdigest(),
                          'logits': [float(v) for v in logits], 'probabilityNodule': prob,
                          'gradcam': {'targetClass': cls, 'layer': 'gradcam_features', 'shape': list(cam.shape), 'values': [float(v) for v in cam.ravel()]}})
            print(f'CT seed {seed}: {meta["lesionCount"]} lesions, logits {logits}, p(nodule) {prob:.4f}')
    with open(os.path.join(ct_dir, 'reference.json'), 'w') as f:
        json.dump({'about': 'Torch outputs of the CT demo model for app-preprocessed demo CTs; written by tools/export_reference.py, checked by test/unit/model-reference.test.ts.',
                   'modelSha256': sha256_file(os.path.join(ct_dir, 'model.onnx')), 'tolerance': 1e-4, 'cases': cases}, f, indent=1)
    print(ct_dir, os.path.getsize(os.path.join(ct_dir, 'reference.json')), 'bytes')


def export_ceph(data, tmp):
    ceph = LeanUNet()
    ceph.load_state_dict(torch.load(os.path.join(data, 'ceph-model.pt')))
    ceph.eval()
    x, index = app_inputs('ceph', os.path.join(tmp, 'ceph'))
    cases = []
    with torch.no_grad():
        for n, seed in enumerate(index['seeds']):
            h = ceph(torch.from_numpy(x[n:n + 1]))[0].numpy()
            # Grad-CAM of all landmarks (the app's default target): score = sum of each heatmap at its peak;
            # the layer is the activation entering the 1x1 head conv, i.e. the last decoder block's output.
            peaks = [int(np.argmax(h[c])) for c in range(h.shape[0])]
            cam = gradcam(ceph, ceph.dec[-1], x[n:n + 1], lambda out: sum(out[0, c].reshape(-1)[peaks[c]] for c in range(len(peaks))))
            P = CEPH_CAM_POOL
            pooled = cam.reshape(cam.shape[0] // P, P, cam.shape[1] // P, P).mean((1, 3))
            L, H, W = h.shape
            idx = fixed_indices(h.size)
            coords = decode_heatmaps(h)
            gt = np.asarray(index['metas'][n]['landmarksGrid'])
            cases.append({'seed': seed, 'generator': {'kind': 'ceph', 'seed': seed, 'options': 'generateCeph defaults (1935x2400, 0.1 mm)'},
                          'inputShape': [1] + list(x.shape[1:]), 'outputShape': [1, L, H, W],
                          'inputSha256': hashlib.sha256(np.ascontiguousarray(x[n], dtype='<f4').tobytes()).hexdigest(),
                          'landmarksGrid': [[float(a), float(b)] for a, b in coords],
                          'heatmapMax': [float(v) for v in h.reshape(L, -1).max(1)],
                          'valueIndices': idx, 'values': [float(v) for v in h.reshape(-1)[idx]],
                          'gradcam': {'target': 'all landmarks', 'pool': P, 'shape': list(pooled.shape), 'values': [float(v) for v in pooled.ravel()]}})
            err = np.hypot(*(coords - gt).T)
            print(f'ceph seed {seed}: mean |pred - truth| {err.mean():.3f} grid px (max {err.max():.3f})')
    ceph_dir = os.path.join(ROOT, 'resources/models/ceph-landmarks')
    with open(os.path.join(ceph_dir, 'reference.json'), 'w') as f:
        json.dump({'about': 'Torch outputs of the ceph demo model for app-preprocessed demo cephalograms; landmarksGrid are decoded (argmax + quadratic) model-grid (column, row) indices; values are heatmap entries at flat indices into [1,19,320,256]. Written by tools/export_reference.py, checked by test/unit/model-reference.test.ts.',
                   'modelSha256': sha256_file(os.path.join(ceph_dir, 'model.onnx')), 'tolerance': 1e-4, 'cases': cases}, f, indent=1)
    print(ceph_dir, os.path.getsize(os.path.join(ceph_dir, 'reference.json')), 'bytes')


if __name__ == '__main__':
    main()
