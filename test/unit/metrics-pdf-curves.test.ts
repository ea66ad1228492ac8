// The PDF draws each map's deletion/insertion curves twice when ROAD curves are present: with a
// constant baseline and with ROAD's imputation, side by side (pdfCharts.ts faithfulnessPair).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderPdf, type ReportContent } from '../../src/main/engine/report/pdfReport';

const curve = (scores: number[]) => ({ fractions: scores.map((_, i) => i / (scores.length - 1)), scores, auc: scores.reduce((a, b) => a + b, 0) / scores.length });

describe('PDF faithfulness curves', () => {
  it('draws the constant-baseline and the ROAD pair with their AUCs', async () => {
    const content: ReportContent = {
      title: 'test',
      header: [],
      anonymized: true,
      model: [],
      methods: [],
      keyImages: [],
      colormap: 'jet',
      keyImageNote: '',
      faithfulness: [
        {
          method: 'gradcam',
          scoreKind: 'probability',
          target: 'nodule',
          deletion: curve([1, 0.1, 0, 0]),
          insertion: curve([0, 0.9, 1, 1]),
          road: { deletion: curve([1, 0.8, 0.5, 0.2]), insertion: curve([0.2, 0.6, 0.9, 1]) },
        },
      ],
      convergence: [],
      software: 'test',
    };
    const dir = mkdtempSync(path.join(os.tmpdir(), 'metrics-pdf-'));
    const file = path.join(dir, 'r.pdf');
    writeFileSync(file, await renderPdf(content));
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    expect(text).toContain('gradcam, constant baseline: deletion AUC 0.2750');
    expect(text).toContain('gradcam, ROAD imputation: deletion AUC 0.6250');
    expect(text).toContain('probability of nodule (ROAD imputation)');
  });
});
