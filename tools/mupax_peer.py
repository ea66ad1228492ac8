#!/usr/bin/env python3
"""A plain numpy + onnxruntime MUPAX (the paper's algorithm), the peer `npm run bench` times
Explicare against: same model, same model-grid input, same chunk partition, same N and batch.

Stratified selection vectors (one density stratum per sample, strata shuffled in blocks), the
masked input (kept chunks from the input, dropped chunks at the fill value), the frozen model,
acceptance at the W-th percentile of the errors, inverse-error weights, weighted retention.
Classifiers: cross-entropy of the target class. Heatmap models: per-landmark radial error (mm)
of the argmax peaks (quadratic refinement) against the unmasked prediction, and their mean.

  python3 tools/mupax_peer.py --model M.onnx --input x.npy --chunks chunkOf.npy --samples N
      [--batch 8] [--percentile 20] [--seed 0] [--fill V] [--target K | --landmarks SX,SY]
Prints one JSON line: wall and inference seconds and the retention of the main target.
"""
import argparse
import json
import time

import numpy as np
import onnxruntime as ort


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def peaks(heatmaps, size):
    """Argmax of each [H, W] channel with a parabola through its neighbours, in input pixels."""
    b, c, h, w = heatmaps.shape
    flat = heatmaps.reshape(b, c, h * w)
    idx = flat.argmax(axis=2)
    py, px = np.divmod(idx, w)
    out = np.zeros((b, c, 2))
    for i in range(b):
        for j in range(c):
            m = heatmaps[i, j]
            x, y = px[i, j], py[i, j]
            dx = dy = 0.0
            if 0 < x < w - 1:
                a, v, cc = m[y, x - 1], m[y, x], m[y, x + 1]
                d = a - 2 * v + cc
                dx = float(np.clip(0.5 * (a - cc) / d, -0.5, 0.5)) if d < 0 else 0.0
            if 0 < y < h - 1:
                a, v, cc = m[y - 1, x], m[y, x], m[y + 1, x]
                d = a - 2 * v + cc
                dy = float(np.clip(0.5 * (a - cc) / d, -0.5, 0.5)) if d < 0 else 0.0
            out[i, j] = ((x + dx + 0.5) * size[0] / w - 0.5, (y + dy + 0.5) * size[1] / h - 0.5)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--model', required=True)
    ap.add_argument('--input', required=True)
    ap.add_argument('--chunks', required=True)
    ap.add_argument('--samples', type=int, required=True)
    ap.add_argument('--batch', type=int, default=8)
    ap.add_argument('--percentile', type=float, default=20)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--fill', type=float)
    ap.add_argument('--target', type=int)
    ap.add_argument('--landmarks')
    ap.add_argument('--threads', type=int, default=0)
    a = ap.parse_args()
    t0 = time.perf_counter()
    x = np.load(a.input).astype(np.float32)
    chunk_of = np.load(a.chunks).reshape(-1)
    n_chunks = int(chunk_of.max()) + 1
    fill = float(x.min()) if a.fill is None else a.fill
    so = ort.SessionOptions()
    if a.threads:
        so.intra_op_num_threads = a.threads
    sess = ort.InferenceSession(a.model, so, providers=['CPUExecutionProvider'])
    name = sess.get_inputs()[0].name
    rng = np.random.default_rng(a.seed)
    flat = x.reshape(-1)
    plain = sess.run(None, {name: x})[0]
    if a.landmarks:
        spacing = np.array([float(s) for s in a.landmarks.split(',')])
        size = (x.shape[-1], x.shape[-2])
        ref = peaks(plain, size)[0]
    else:
        target = a.target if a.target is not None else int(plain[0].argmax())
    masks = np.zeros((a.samples, n_chunks), dtype=np.uint8)
    errors = []
    infer = 0.0
    block = 64
    strata = []
    for start in range(0, a.samples, a.batch):
        b = min(a.batch, a.samples - start)
        for i in range(start, start + b):
            if not strata:
                strata = list(rng.permutation(block))
            frac = (strata.pop() + rng.random()) / block
            keep = min(n_chunks - 1, max(1, round(frac * n_chunks)))
            masks[i, rng.choice(n_chunks, keep, replace=False)] = 1
        m = masks[start:start + b][:, chunk_of]
        batch = np.where(m == 1, flat[None, :], np.float32(fill)).reshape((b,) + x.shape[1:]).astype(np.float32)
        t1 = time.perf_counter()
        out = sess.run(None, {name: batch})[0]
        infer += time.perf_counter() - t1
        if a.landmarks:
            e = np.linalg.norm((peaks(out, size) - ref[None]) * spacing[None, None], axis=2)
            errors.append(np.concatenate([e, e.mean(axis=1, keepdims=True)], axis=1))
        else:
            p = softmax(out)
            errors.append(-np.log(np.maximum(p[:, target], 1e-12))[:, None])
    errors = np.concatenate(errors)
    main_err = errors[:, -1]
    retention = []
    for t in range(errors.shape[1]):
        w_t = np.percentile(errors[:, t], a.percentile)
        acc = errors[:, t] <= w_t
        w = 1.0 / (errors[acc, t] + 1.0)
        retention.append((w[:, None] * masks[acc]).sum(axis=0) / w.sum())
    wall = time.perf_counter() - t0
    print(json.dumps({'wallSeconds': wall, 'inferenceSeconds': infer, 'samples': a.samples, 'chunks': n_chunks, 'targets': errors.shape[1], 'mainRetention': retention[-1].tolist(), 'meanError': float(main_err.mean())}))


if __name__ == '__main__':
    main()
