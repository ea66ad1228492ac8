// `evaluate`'s summary: every metric per method with its bootstrap interval, measures a method never
// had (max-sensitivity without the request, relevance without lesions) as a dash, not a zero.
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bootstrapMean } from '../../src/main/engine/metrics/bootstrap';
import { metricIntervals, type Row, writeEvaluation } from '../../src/cli/evaluateSummary';

const row = (method: string, i: number): Row => ({
  study: `s${i}`,
  method,
  truth: 'landmarks',
  predicted: 'landmarks',
  predictedKeepTop: '',
  positive: '',
  unmasked: 2,
  keepTop: 2.5,
  deletionAuc: 3 + i,
  insertionAuc: 4,
  roadDeletionAuc: 2 + i,
  roadInsertionAuc: 4,
  faithfulnessCorrelation: 0.1 * i,
  pointingGame: '',
  energyInside: null,
  lesionFraction: null,
  relevanceMass: null,
  relevanceRank: null,
  sparseness: 0.5,
  maxSensitivity: method === 'gradcam' ? 0.2 : null,
  seedAgreement: null,
  regionFraction: null,
  seconds: 1,
});

describe('evaluate summary', () => {
  it('gives each measure its seeded bootstrap interval', () => {
    const rows = [0, 1, 2, 3].map((i) => row('gradcam', i));
    const ci = metricIntervals(rows);
    expect(ci.deletionAuc).toEqual(bootstrapMean([3, 4, 5, 6], { seed: 0 }));
    expect(ci.deletionAuc!.mean).toBe(4.5);
    expect(ci.deletionAuc!.lo).toBeGreaterThanOrEqual(3);
    expect(ci.deletionAuc!.hi).toBeLessThanOrEqual(6);
    expect(ci.sparseness).toEqual({ mean: 0.5, lo: 0.5, hi: 0.5, n: 4 });
    expect(ci.relevanceMass).toBeNull();
  });

  it('writes the interval table beside the existing one', async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'metrics-summary-'));
    const rows = [0, 1, 2].flatMap((i) => [row('gradcam', i), row('ig', i)]);
    await writeEvaluation(out, 0.25, rows);
    const md = readFileSync(path.join(out, 'summary.md'), 'utf8');
    expect(md).toContain('ROAD deletion AUC');
    const ig = md.split('\n').filter((l) => l.startsWith('| ig |'));
    expect(ig).toHaveLength(2);
    expect(ig[1]).toMatch(/^\| ig \| 3 \| 4\.000 \[3\.\d+, 5\.000\] \|/);
    expect(ig[1].split('|').map((c) => c.trim())[11]).toBe('—'); // max-sensitivity, not requested for ig
    const json = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
    expect(json.summary[0].intervals.maxSensitivity.mean).toBeCloseTo(0.2);
  });
});
