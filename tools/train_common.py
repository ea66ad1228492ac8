"""Shared helpers for the demo-model training scripts (Debian's torch 1.13: run with /usr/bin/python3)."""
import json
import os
import time

import numpy as np
import torch

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..'))


def setup(seed=0, threads=2):
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    np.random.seed(seed)


def load_split(folder, dtype=np.float32, limit=0):
    """x (N, ...) from x_<seed>.npy files in seed order, plus the index written by export-training-data.ts."""
    with open(os.path.join(folder, 'index.json')) as f:
        index = json.load(f)
    if limit:
        index['seeds'] = index['seeds'][:limit]
        index['metas'] = index['metas'][:limit]
    seeds = index['seeds']
    first = np.load(os.path.join(folder, f'x_{seeds[0]}.npy'))
    x = np.empty((len(seeds),) + first.shape, dtype=dtype)
    for n, s in enumerate(seeds):
        x[n] = np.load(os.path.join(folder, f'x_{s}.npy'))
    return x, index


def index_to_patient(g, ijk):
    d = np.asarray(g['direction'], dtype=np.float64).reshape(3, 3)  # rows: dirI, dirJ, dirK
    s = np.asarray(g['spacing'], dtype=np.float64)
    return np.asarray(g['origin'], dtype=np.float64) + (np.asarray(ijk, dtype=np.float64) * s) @ d


def patient_to_index(g, p):
    d = np.asarray(g['direction'], dtype=np.float64).reshape(3, 3)
    s = np.asarray(g['spacing'], dtype=np.float64)
    return ((np.asarray(p, dtype=np.float64) - np.asarray(g['origin'], dtype=np.float64)) @ d.T) / s


def reindex(src, dst, ijk):
    """Same as src/shared/geometry.ts reindex: continuous index of grid src -> grid dst."""
    return patient_to_index(dst, index_to_patient(src, ijk))


def roc_auc(labels, scores):
    """ROC AUC by the Mann-Whitney U statistic (ties count one half)."""
    labels = np.asarray(labels)
    scores = np.asarray(scores, dtype=np.float64)
    pos = scores[labels == 1]
    neg = scores[labels == 0]
    if len(pos) == 0 or len(neg) == 0:
        return float('nan')
    greater = (pos[:, None] > neg[None, :]).sum()
    ties = (pos[:, None] == neg[None, :]).sum()
    return float((greater + 0.5 * ties) / (len(pos) * len(neg)))


def classification_metrics(labels, prob_pos, threshold=0.5):
    labels = np.asarray(labels)
    pred = (np.asarray(prob_pos) >= threshold).astype(int)
    tp = int(((pred == 1) & (labels == 1)).sum())
    tn = int(((pred == 0) & (labels == 0)).sum())
    fp = int(((pred == 1) & (labels == 0)).sum())
    fn = int(((pred == 0) & (labels == 1)).sum())
    acc = (tp + tn) / max(len(labels), 1)
    prec = tp / max(tp + fp, 1)
    rec = tp / max(tp + fn, 1)
    f1 = 2 * prec * rec / max(prec + rec, 1e-12)
    spec = tn / max(tn + fp, 1)
    return {'accuracy': acc, 'f1': f1, 'sensitivity': rec, 'specificity': spec, 'precision': prec,
            'auc': roc_auc(labels, prob_pos), 'tp': tp, 'tn': tn, 'fp': fp, 'fn': fn, 'n': int(len(labels))}


def decode_heatmaps(h):
    """argmax + quadratic (parabola through the peak and its two neighbours, per axis) refinement.

    h: (L, H, W) array. Returns (L, 2) continuous (i, j) = (column, row) indices of the grid.
    Offsets are clamped to [-0.5, 0.5]; at the border (or a flat neighbourhood) the offset is 0.
    """
    L, H, W = h.shape
    out = np.zeros((L, 2), dtype=np.float64)
    for l in range(L):
        m = h[l]
        flat = int(np.argmax(m))
        r, c = divmod(flat, W)
        dx = dy = 0.0
        if 0 < c < W - 1:
            a, b, e = float(m[r, c - 1]), float(m[r, c]), float(m[r, c + 1])
            den = a - 2 * b + e
            if den < 0:
                dx = min(0.5, max(-0.5, 0.5 * (a - e) / den))
        if 0 < r < H - 1:
            a, b, e = float(m[r - 1, c]), float(m[r, c]), float(m[r + 1, c])
            den = a - 2 * b + e
            if den < 0:
                dy = min(0.5, max(-0.5, 0.5 * (a - e) / den))
        out[l] = (c + dx, r + dy)
    return out


class Timer:
    def __init__(self):
        self.t0 = time.time()

    def __str__(self):
        return f'{time.time() - self.t0:.0f} s'

    def seconds(self):
        return time.time() - self.t0
