// Line charts drawn with pdf-lib vector operations (axes, ticks, polylines, legend).
import { type RGB, rgb } from 'pdf-lib';
import type { PdfLayout } from './pdfLayout';
import { MARGIN } from './pdfLayout';

export interface ChartSeries {
  name: string;
  xs: number[];
  ys: number[];
  color: RGB;
}

export const CHART_COLOURS = [rgb(0.85, 0.1, 0.1), rgb(0.1, 0.35, 0.85), rgb(0.1, 0.6, 0.2), rgb(0.6, 0.2, 0.7)];

/** A chart `width` x `height` points at the layout cursor (left offset `x`); does not move the cursor. */
export function lineChart(
  l: PdfLayout,
  x: number,
  width: number,
  height: number,
  title: string,
  xLabel: string,
  series: ChartSeries[],
  yRange?: [number, number],
): void {
  const p = l.page;
  const size = 7;
  const left = MARGIN + x + 40;
  const top = l.y - 14;
  const bottom = l.y - height + 22;
  const right = MARGIN + x + width - 4;
  const xs = series.flatMap((s) => s.xs);
  const ys = series.flatMap((s) => s.ys).filter(Number.isFinite);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = yRange ?? [Math.min(...ys), Math.max(...ys)];
  if (!(y1 > y0)) [y0, y1] = [y0 - 0.5, y0 + 0.5];
  // Enough decimals to tell the ticks apart (faithfulness curves can vary in the 4th digit).
  const decimals = Math.min(6, Math.max(0, Math.ceil(-Math.log10(Math.max(1e-9, (y1 - y0) / 2))) + 1));
  const fmtY = (v: number) => v.toFixed(decimals);
  const fmt = (v: number) => (Math.abs(v) >= 1000 ? v.toFixed(0) : Number(v.toPrecision(3)).toString());
  const px = (v: number) => left + ((v - x0) / (x1 - x0 || 1)) * (right - left);
  const py = (v: number) => bottom + ((v - y0) / (y1 - y0)) * (top - bottom);
  p.drawText(l.clean(title), { x: MARGIN + x, y: l.y - 8, size: 8, font: l.bold });
  const axis = rgb(0.3, 0.3, 0.3);
  p.drawLine({ start: { x: left, y: bottom }, end: { x: right, y: bottom }, thickness: 0.6, color: axis });
  p.drawLine({ start: { x: left, y: bottom }, end: { x: left, y: top }, thickness: 0.6, color: axis });
  for (const t of [0, 0.5, 1]) {
    const xv = x0 + t * (x1 - x0);
    const yv = y0 + t * (y1 - y0);
    p.drawLine({ start: { x: px(xv), y: bottom }, end: { x: px(xv), y: bottom - 2 }, thickness: 0.5, color: axis });
    p.drawText(fmt(xv), { x: px(xv) - 6, y: bottom - 9, size, font: l.regular });
    p.drawLine({ start: { x: left, y: py(yv) }, end: { x: left - 2, y: py(yv) }, thickness: 0.5, color: axis });
    p.drawText(fmtY(yv), { x: left - 4 - l.regular.widthOfTextAtSize(fmtY(yv), size), y: py(yv) - 2, size, font: l.regular });
  }
  p.drawText(l.clean(xLabel), { x: (left + right) / 2 - l.regular.widthOfTextAtSize(xLabel, size) / 2, y: bottom - 18, size, font: l.regular });
  series.forEach((s, si) => {
    for (let i = 1; i < s.xs.length; i++) {
      if (!Number.isFinite(s.ys[i - 1]) || !Number.isFinite(s.ys[i])) continue;
      p.drawLine({ start: { x: px(s.xs[i - 1]), y: py(s.ys[i - 1]) }, end: { x: px(s.xs[i]), y: py(s.ys[i]) }, thickness: 1.2, color: s.color });
    }
    const ly = top - 2 - si * 9;
    p.drawLine({ start: { x: right - 70, y: ly + 2 }, end: { x: right - 58, y: ly + 2 }, thickness: 1.5, color: s.color });
    p.drawText(l.clean(s.name), { x: right - 55, y: ly, size, font: l.regular });
  });
}

interface CurvePair {
  deletion: { fractions: number[]; scores: number[]; auc: number };
  insertion: { fractions: number[]; scores: number[]; auc: number };
}

/**
 * One map's deletion/insertion curves twice, side by side on one y range: removed voxels set to a
 * constant (left) and imputed from their neighbours, ROAD (right; docs/metrics.md). Where the left
 * falls much faster, the model reacted to the holes rather than to the evidence. Moves the cursor
 * below the pair.
 */
export function faithfulnessPair(l: PdfLayout, method: string, scoreKind: string, target: string, plain: CurvePair, road: CurvePair, height: number): void {
  const w = l.width / 2;
  const ys = [plain.deletion, plain.insertion, road.deletion, road.insertion].flatMap((c) => c.scores).filter(Number.isFinite);
  const range: [number, number] = [Math.min(...ys), Math.max(...ys)];
  const panels: [string, CurvePair][] = [
    ['constant baseline', plain],
    ['ROAD imputation', road],
  ];
  panels.forEach(([name, c], i) => {
    l.page.drawText(l.clean(`${method}, ${name}: deletion AUC ${c.deletion.auc.toFixed(4)}, insertion AUC ${c.insertion.auc.toFixed(4)}`), {
      x: MARGIN + i * w,
      y: l.y - 8,
      size: 7.5,
      font: l.regular,
    });
  });
  l.y -= 12;
  panels.forEach(([name, c], i) => {
    const series: ChartSeries[] = [
      { name: 'deletion', xs: c.deletion.fractions, ys: c.deletion.scores, color: CHART_COLOURS[0] },
      { name: 'insertion', xs: c.insertion.fractions, ys: c.insertion.scores, color: CHART_COLOURS[1] },
    ];
    lineChart(l, i * w, w - 10, height, `${method}: ${scoreKind} of ${target} (${name})`, 'fraction of voxels removed / inserted', series, range);
  });
  l.y -= height + 8;
}
