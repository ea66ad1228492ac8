// How alike two maps on the same grid are, as the sanity checks measure it: Spearman's rank
// correlation (ties share their mean rank), SSIM (mean structural similarity over 7x7 windows of
// each slice, maps scaled to [0, 1]) and, for maps with a region, the Jaccard index of the regions.

/** Ranks 1..n with ties averaged. */
function ranks(v: ArrayLike<number>): Float64Array {
  const order = Array.from({ length: v.length }, (_, i) => i).sort((a, b) => v[a] - v[b]);
  const r = new Float64Array(v.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && v[order[j + 1]] === v[order[i]]) j++;
    const mean = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) r[order[k]] = mean;
    i = j + 1;
  }
  return r;
}

function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number | null {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i] - ma;
    const y = b[i] - mb;
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : null;
}

/** Spearman's rho; null when either map is constant (it ranks nothing). */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number | null {
  if (a.length !== b.length) throw new Error(`maps differ in size (${a.length} and ${b.length})`);
  return pearson(ranks(a), ranks(b));
}

function scaled(v: ArrayLike<number>): Float64Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < v.length; i++) {
    if (v[i] < lo) lo = v[i];
    if (v[i] > hi) hi = v[i];
  }
  const span = hi - lo;
  return Float64Array.from(v as ArrayLike<number>, (x) => (span > 0 ? (x - lo) / span : 0));
}

/** Window sums of a [h][w] slice over a (2r+1)^2 box, edges cropped (valid windows only). */
function boxSums(src: Float64Array, off: number, w: number, h: number, r: number): Float64Array {
  const side = 2 * r + 1;
  const ow = w - side + 1;
  const oh = h - side + 1;
  const integral = new Float64Array((w + 1) * (h + 1));
  for (let y = 0; y < h; y++) {
    let row = 0;
    for (let x = 0; x < w; x++) {
      row += src[off + y * w + x];
      integral[(y + 1) * (w + 1) + x + 1] = integral[y * (w + 1) + x + 1] + row;
    }
  }
  const out = new Float64Array(Math.max(0, ow * oh));
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      const at = (yy: number, xx: number) => integral[yy * (w + 1) + xx];
      out[y * ow + x] = at(y + side, x + side) - at(y, x + side) - at(y + side, x) + at(y, x);
    }
  }
  return out;
}

/**
 * SSIM (Wang et al. 2004) with uniform 7x7 windows, K1 = 0.01, K2 = 0.03, dynamic range 1, on
 * each slice of a [z][y][x] map; the mean over all windows. Smaller slices use their whole extent.
 */
export function ssim(a: ArrayLike<number>, b: ArrayLike<number>, dims: [number, number, number]): number {
  const [w, h, d] = dims;
  if (a.length !== w * h * d || b.length !== a.length) throw new Error('maps do not match their grid');
  const x = scaled(a);
  const y = scaled(b);
  const xx = x.map((v) => v * v);
  const yy = y.map((v) => v * v);
  const xy = x.map((v, i) => v * y[i]);
  const r = Math.max(0, Math.min(3, Math.floor((Math.min(w, h) - 1) / 2)));
  const c1 = 0.01 ** 2;
  const c2 = 0.03 ** 2;
  const n = (2 * r + 1) ** 2;
  let total = 0;
  let count = 0;
  for (let z = 0; z < d; z++) {
    const off = z * w * h;
    const [sx, sy, sxx, syy, sxy] = [x, y, xx, yy, xy].map((s) => boxSums(s, off, w, h, r));
    for (let i = 0; i < sx.length; i++) {
      const mx = sx[i] / n;
      const my = sy[i] / n;
      const vx = sxx[i] / n - mx * mx;
      const vy = syy[i] / n - my * my;
      const cxy = sxy[i] / n - mx * my;
      total += ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
      count++;
    }
  }
  return count ? total / count : 1;
}

/** Jaccard index of the voxels > 0 of two region layers; 1 when both are empty. */
export function regionJaccard(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let both = 0;
  let either = 0;
  for (let i = 0; i < a.length; i++) {
    const p = a[i] > 0;
    const q = b[i] > 0;
    if (p && q) both++;
    if (p || q) either++;
  }
  return either ? both / either : 1;
}
