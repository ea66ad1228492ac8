// The sanity check as a small SVG line chart: likeness to the original map (Spearman, SSIM) after
// each randomization step, with the floor (two unrelated inputs) as a dashed line. Self-contained
// (no fonts or scripts), so the CLI writes it as a file and a report can embed it.
import type { SanityResult } from './sanityCheck';

const W = 520;
const H = 300;
const PAD = { left: 52, right: 16, top: 34, bottom: 64 };

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

export function sanityPlotSvg(r: SanityResult): string {
  const n = r.steps.length;
  const x = (i: number) => PAD.left + ((W - PAD.left - PAD.right) * i) / Math.max(1, n);
  const y = (v: number) => PAD.top + ((H - PAD.top - PAD.bottom) * (1 - v)) / 2; // -1..1
  const line = (values: number[], colour: string, dash = '') =>
    `<polyline fill="none" stroke="${colour}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''} points="${values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ')}"/>`;
  // Step 0 is the intact model (likeness 1 with itself).
  const rho = [1, ...r.steps.map((s) => s.spearman ?? 0)];
  const ssim = [1, ...r.steps.map((s) => s.ssim)];
  // Null when the check stopped before the floor ("could not test"): no floor lines.
  const floor = r.floor ? (r.floor.spearman ?? 0) : null;
  const jaccard = r.judgedBy === 'region' ? [1, ...r.steps.map((s) => s.regionJaccard ?? 0)] : null;
  const floorJaccard = r.floor ? (r.floor.regionJaccard ?? 0) : null;
  const ticks = [-1, -0.5, 0, 0.5, 1].map(
    (v) =>
      `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/><text x="${PAD.left - 6}" y="${y(v) + 4}" font-size="11" text-anchor="end">${v}</text>`,
  );
  const xlabels = rho.map((_, i) => `<text x="${x(i)}" y="${H - PAD.bottom + 16}" font-size="11" text-anchor="middle">${i}</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">
<rect width="${W}" height="${H}" fill="white"/>
<text x="${PAD.left}" y="20" font-size="13" font-weight="bold">${esc(`Sanity check: ${r.method}, ${r.target} — ${r.verdict.toUpperCase()}`)}</text>
${ticks.join('\n')}
${xlabels.join('\n')}
<text x="${(W + PAD.left) / 2}" y="${H - PAD.bottom + 34}" font-size="11" text-anchor="middle">weight blocks redrawn, output side first (of ${r.layerCount} layers)</text>
${floor === null ? '' : `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(floor)}" y2="${y(floor)}" stroke="#888" stroke-dasharray="5,4"/>`}
${line(rho, '#1f5fbf')}
${line(ssim, '#d9822b', '2,3')}
${jaccard ? line(jaccard, '#2e8b57') : ''}${jaccard && floorJaccard !== null ? `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(floorJaccard)}" y2="${y(floorJaccard)}" stroke="#2e8b57" stroke-dasharray="5,4"/>` : ''}
<text x="${PAD.left}" y="${H - 10}" font-size="11"><tspan fill="#1f5fbf">— Spearman</tspan>  <tspan fill="#d9822b">··· SSIM</tspan>  ${jaccard ? '<tspan fill="#2e8b57">— region Jaccard</tspan>  ' : ''}<tspan fill="#888">- - floors (unrelated inputs)</tspan></text>
</svg>
`;
}
