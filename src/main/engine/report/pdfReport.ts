// The PDF report: what was analysed, by which model, what it predicted, how each explanation was
// computed (enough to reproduce it), key images, faithfulness and convergence plots, comment.
import { PDFDocument, rgb } from 'pdf-lib';
import { CHART_COLOURS, type ChartSeries, faithfulnessPair, lineChart } from './pdfCharts';
import { MARGIN, PdfLayout } from './pdfLayout';
import { encodePng } from './png';
import type { ColormapName } from '../../../shared/colormaps';
import { type SensitivityFigure, sensitivityReading } from '../../../shared/sensitivityText';
import { type RgbImage, colorbar } from './rgbImage';

export const DISCLAIMER = 'For research use only. Not for diagnostic use.';

export interface ReportKeyImage {
  method: string;
  caption: string;
  image: RgbImage; // without colour bar: the PDF draws its own with labels
}

export interface ReportContent {
  title: string;
  header: [string, string][];
  anonymized: boolean;
  model: [string, string][];
  classification?: { classes: string[]; probabilities: number[]; predicted: number };
  landmarks?: {
    rows: string[][]; // name, abbreviation, predicted (col,row), peak, error mm
    summary: [string, string][];
  };
  methods: { name: string; parameters: [string, string][] }[];
  keyImages: ReportKeyImage[];
  /** The key images' colour map, for the PDF's own colour bars. */
  colormap: ColormapName;
  keyImageNote: string;
  faithfulness: {
    method: string;
    scoreKind: string;
    target: string;
    deletion: { fractions: number[]; scores: number[]; auc: number };
    insertion: { fractions: number[]; scores: number[]; auc: number };
    /** The same curves with ROAD's imputation (metrics/road.ts), drawn beside them when present. */
    road?: { deletion: { fractions: number[]; scores: number[]; auc: number }; insertion: { fractions: number[]; scores: number[]; auc: number } };
    /** When it was measured (the app's "Max-sensitivity", `explain --metrics` with EXPLICARE_MAX_SENSITIVITY): a line below the curves. */
    maxSensitivity?: SensitivityFigure;
  }[];
  convergence: { method: string; samples: number[]; previous: number[]; splitHalf: number[]; summary: string }[];
  comment?: string;
  /** Absent in anonymized reports: the real export date would betray the date offset. */
  created?: Date;
  software: string;
}

export async function renderPdf(c: ReportContent): Promise<Uint8Array> {
  // updateMetadata: false, else pdf-lib stamps the real clock into the document info.
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.setTitle(c.title);
  doc.setSubject(DISCLAIMER);
  doc.setCreator(c.software);
  doc.setProducer(c.software);
  if (c.created) {
    doc.setCreationDate(c.created);
    doc.setModificationDate(c.created);
  }
  const l = await PdfLayout.create(doc);

  l.text(c.title, { size: 18, bold: true, gapAfter: 2 });
  l.text(DISCLAIMER, { size: 10, bold: true, color: rgb(0.75, 0, 0), gapAfter: 4 });

  l.heading(c.anonymized ? 'Patient and study (anonymized)' : 'Patient and study');
  l.table(c.header);
  if (c.anonymized)
    l.text('Identifiers replaced, dates shifted by a secret per-patient offset, UIDs remapped (PS3.15 basic profile subset).', {
      size: 8,
      color: rgb(0.35, 0.35, 0.35),
    });

  l.heading('Model');
  l.table(c.model);

  l.heading('Prediction');
  if (c.classification) {
    const { classes, probabilities, predicted } = c.classification;
    l.grid(['class', 'probability', ''], classes.map((name, i) => [name, probabilities[i].toFixed(4), i === predicted ? 'predicted' : '']), [200, 100, 100]);
  }
  if (c.landmarks) {
    l.grid(['landmark', 'abbr.', 'predicted (col, row)', 'peak', 'radial error (mm)'], c.landmarks.rows, [170, 50, 120, 60, 100]);
    l.table(c.landmarks.summary);
  }
  if (!c.classification && !c.landmarks) l.text('No prediction in result.json.');

  l.heading('Explanation methods (parameters for reproduction)');
  for (const m of c.methods) {
    l.text(m.name, { bold: true, size: 10.5 });
    l.table(m.parameters, 150, 8.5);
  }

  if (c.keyImages.length > 0) {
    l.heading('Key images');
    l.text(c.keyImageNote, { size: 8.5, color: rgb(0.25, 0.25, 0.25), gapAfter: 4 });
    await drawKeyImages(l, doc, c.keyImages, c.colormap);
  }

  if (c.faithfulness.length > 0) {
    l.ensure(210);
    l.heading('Faithfulness');
    l.text('Deletion: score as the most salient voxels are removed first (lower AUC is better); insertion: as they are added first (higher is better). Removed voxels take a constant, or (ROAD) values imputed from their neighbours.', {
      size: 8,
      gapAfter: 4,
    });
    const chartH = 150;
    const w = l.width / 2;
    // Maps with ROAD curves get a row each (constant | ROAD); older results two maps per row.
    c.faithfulness.forEach((f) => {
      if (!f.road) return;
      l.ensure(chartH + 30);
      faithfulnessPair(l, f.method, f.scoreKind, f.target, f, f.road, chartH);
      sensitivityLine(l, f.method, f.maxSensitivity);
    });
    c.faithfulness.filter((f) => !f.road).forEach((f, i, plainOnly) => {
      if (i % 2 === 0) l.ensure(chartH + 30);
      l.page.drawText(l.clean(`${f.method}: deletion AUC ${f.deletion.auc.toFixed(4)}, insertion AUC ${f.insertion.auc.toFixed(4)}`), {
        x: MARGIN + (i % 2) * w,
        y: l.y - 8,
        size: 7.5,
        font: l.regular,
      });
      const y = l.y;
      l.y -= 12;
      const series: ChartSeries[] = [
        { name: 'deletion', xs: f.deletion.fractions, ys: f.deletion.scores, color: CHART_COLOURS[0] },
        { name: 'insertion', xs: f.insertion.fractions, ys: f.insertion.scores, color: CHART_COLOURS[1] },
      ];
      lineChart(l, (i % 2) * w, w - 10, chartH, `${f.method}: ${f.scoreKind} of ${f.target}`, 'fraction of voxels removed / inserted', series);
      l.y = i % 2 === 1 || i === plainOnly.length - 1 ? l.y - chartH - 8 : y;
    });
    for (const f of c.faithfulness.filter((x) => !x.road)) sensitivityLine(l, f.method, f.maxSensitivity);
  }

  for (const cv of c.convergence) {
    l.ensure(210);
    l.heading(`${cv.method} convergence`);
    const series: ChartSeries[] = [
      { name: 'same region as previous check (Jaccard)', xs: cv.samples, ys: cv.previous, color: CHART_COLOURS[0] },
      { name: 'halves agree (Jaccard)', xs: cv.samples, ys: cv.splitHalf, color: CHART_COLOURS[2] },
    ];
    lineChart(l, 0, l.width * 0.7, 160, `${cv.method}: agreement of the significant region${cv.summary ? ` - ${cv.summary}` : ''}`, 'samples', series, [0, 1]);
    l.y -= 168;
  }

  l.heading('Comment');
  l.text(c.comment?.trim() ? c.comment : '(none)');
  l.heading('Report');
  l.table([
    ['Created', c.created ? c.created.toISOString() : 'not shown (anonymized report)'],
    ['Software', c.software],
  ]);
  l.text(DISCLAIMER, { size: 10, bold: true, color: rgb(0.75, 0, 0) });
  l.footers(`${c.software} - ${DISCLAIMER}`);
  return doc.save();
}

/** Key images side by side (up to two per row), each with its own labelled colour bar. */
async function drawKeyImages(l: PdfLayout, doc: PDFDocument, images: ReportKeyImage[], colormap: ColormapName): Promise<void> {
  const perRow = Math.min(2, images.length);
  const cell = l.width / perRow;
  const barW = 8;
  const bar = await doc.embedPng(encodePng(1, 128, colorbar(1, 128, colormap).rgb));
  const embedded = await Promise.all(images.map((k) => doc.embedPng(encodePng(k.image.width, k.image.height, k.image.rgb))));
  for (let r = 0; r < images.length; r += perRow) {
    const row = images.slice(r, r + perRow);
    const scales = row.map((k) => Math.min((cell - barW - 34) / k.image.width, 330 / k.image.height));
    const h = Math.max(...row.map((k, i) => k.image.height * scales[i]));
    l.ensure(h + 30);
    row.forEach((k, i) => {
      const x = MARGIN + i * cell;
      const w = k.image.width * scales[i];
      const ih = k.image.height * scales[i];
      const top = l.y - 12;
      l.page.drawText(l.clean(k.caption), { x, y: l.y - 8, size: 8, font: l.bold });
      l.page.drawImage(embedded[r + i], { x, y: top - ih, width: w, height: ih });
      l.page.drawImage(bar, { x: x + w + 4, y: top - ih, width: barW, height: ih });
      l.page.drawText('high', { x: x + w + 4 + barW + 2, y: top - 7, size: 6.5, font: l.regular });
      l.page.drawText('low', { x: x + w + 4 + barW + 2, y: top - ih, size: 6.5, font: l.regular });
    });
    l.y -= h + 20;
  }
}

/** A map's max-sensitivity in figures and plain words, below its curves. */
function sensitivityLine(l: PdfLayout, method: string, s: SensitivityFigure | undefined): void {
  if (!s) return;
  const value = s.value === null ? 'none (the map is zero)' : s.value.toFixed(4);
  l.text(`${method}: max-sensitivity ${value}. ${sensitivityReading(s)}`, { size: 8, gapAfter: 4 });
}
