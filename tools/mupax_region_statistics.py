"""Offline comparison of region statistics on MUPAX samples dumped by bench/mupaxDumpSamples.ts.

    python tools/mupax_region_statistics.py PREFIX SEEDS [N,N,...]

For each seed, reads PREFIX-s<seed>.{json,masks,errors} (selection vectors, errors per target),
and for each N (the first N samples) computes the significant region (Benjamini-Hochberg at
q = 0.05) of the main target (classifier) or of every landmark, under:
  mupax   Explicare's default test: stratum acceptance at the 20th percentile, weights 1/(mu+1),
          weighted retention against the Bernoulli(f_s) null (significance.ts);
  mupax@P the same with acceptance at the P-th percentile (10, 30, 50);
  normal  a rank test on all samples: per mask-density stratum, the normal score of each
          sample's error rank, correlated with the centred indicator (m - f_s);
  linear  the same with linear rank scores.
Prints the mean seed-to-seed Jaccard of the regions and their mean size per N, and for a
classifier the z of the strongest chunks in every seed at the largest N. numpy and scipy only.
"""
import json
import sys

import numpy as np
from scipy.stats import norm, rankdata

STRATA = 8


def load(prefix, seed):
    meta = json.load(open(f'{prefix}-s{seed}.json'))
    n, c, t = meta['n'], meta['chunks'], len(meta['targets'])
    masks = np.fromfile(f'{prefix}-s{seed}.masks', dtype=np.uint8).reshape(n, c).astype(np.float64)
    errors = np.fromfile(f'{prefix}-s{seed}.errors', dtype=np.float64).reshape(t, n)
    return meta, masks, errors


def strata_of(kept):
    return np.minimum(STRATA - 1, np.floor(kept * STRATA)).astype(int)


def bh(p, q=0.05):
    m = len(p)
    order = np.argsort(p, kind='stable')
    ok = p[order] <= np.arange(1, m + 1) * q / m
    out = np.zeros(m, bool)
    if ok.any():
        out[order[: np.max(np.nonzero(ok)[0]) + 1]] = True
    return out


def mupax_z(masks, err, kept, percentile=20):
    st = strata_of(kept)
    acc = np.zeros(len(err), bool)
    for s in range(STRATA):
        pool = np.nonzero(st == s)[0]
        if len(pool):
            acc[pool[err[pool] <= np.percentile(err[pool], percentile)]] = True
    w, f = 1 / (err[acc] + 1), kept[acc]
    total = w.sum()
    retention = (w[:, None] * masks[acc]).sum(0) / total
    return (retention - (w * f).sum() / total) / (np.sqrt((w * w * f * (1 - f)).sum()) / total)


def rank_z(masks, err, kept, kind):
    g, st = np.zeros(len(err)), strata_of(kept)
    for s in range(STRATA):
        pool = np.nonzero(st == s)[0]
        if len(pool) == 0:
            continue
        u = (rankdata(err[pool]) - 0.5) / len(pool)  # low error: low u
        g[pool] = -norm.ppf(u) if kind == 'normal' else 0.5 - u
    return ((masks - kept[:, None]) * g[:, None]).sum(0) / np.sqrt((kept * (1 - kept) * g * g).sum())


def jaccard(a, b):
    union = (a | b).sum()
    return 1.0 if union == 0 else (a & b).sum() / union


def main():
    prefix, seeds = sys.argv[1], [int(s) for s in sys.argv[2].split(',')]
    ns = [int(n) for n in sys.argv[3].split(',')] if len(sys.argv) > 3 else [256, 512, 768, 1024, 1536, 2048]
    data = {s: load(prefix, s) for s in seeds}
    meta = data[seeds[0]][0]
    targets = [meta['main']] if meta['main'] != 'any' else list(range(len(meta['targets']) - 1))
    for stat in ['mupax', 'mupax@10', 'mupax@30', 'mupax@50', 'normal', 'linear']:
        cells, last = [], {}
        for n in ns:
            js, sizes = [], []
            for t in targets:
                regions = {}
                for s in seeds:
                    _, masks, errors = data[s]
                    m, e = masks[:n], errors[t, :n]
                    kept = m.mean(1)
                    if stat.startswith('mupax'):
                        z = mupax_z(m, e, kept, int(stat.split('@')[1]) if '@' in stat else 20)
                    else:
                        z = rank_z(m, e, kept, stat)
                    regions[s] = bh(norm.sf(z))
                    sizes.append(regions[s].sum())
                    last[s] = z
                js.append(np.mean([jaccard(regions[a], regions[b]) for i, a in enumerate(seeds) for b in seeds[i + 1 :]]))
            cells.append(f'N {n}: J {np.mean(js):.2f}, {np.mean(sizes):.1f} chunks')
        print(f'{stat:8s}', ' | '.join(cells))
        if len(targets) == 1:
            top = np.argsort(-last[seeds[0]])[:5]
            print('        z at N =', ns[-1], '(chunk: seeds):', '  '.join(f'{c}: ' + '/'.join(f'{last[s][c]:.1f}' for s in seeds) for c in top),
                  '| lesion chunks', meta['lesionChunks'])


if __name__ == '__main__':
    main()
