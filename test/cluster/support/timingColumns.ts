// Result files compared between two runs without the columns that hold wall time (`seconds`,
// `secondsPerStudy`, `s/study`): they differ between any two runs, local or not.
import { expect } from 'vitest';

const TIMING = /seconds|s\/study/i;

/** The text without the columns that hold wall time (they differ between any two runs). */
export function withoutTiming(file: string, text: string): string {
  if (file.endsWith('.json')) {
    const drop = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(drop) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).filter(([k]) => !TIMING.test(k)).map(([k, x]) => [k, drop(x)])) : v;
    return JSON.stringify(drop(JSON.parse(text)), null, 2);
  }
  if (file.endsWith('.csv')) {
    const lines = text.trimEnd().split('\n');
    const keep = lines[0].split(',').map((h) => !TIMING.test(h));
    expect(keep.includes(false), 'evaluation.csv has a wall-time column').toBe(true);
    return lines.map((l) => l.split(',').filter((_, i) => keep[i]).join(',')).join('\n');
  }
  // Markdown: each table's columns are chosen by its own header (the line above a |---| line).
  const lines = text.trimEnd().split('\n');
  let keep: boolean[] | null = null;
  return lines
    .map((l) => {
      if (!l.startsWith('|')) {
        keep = null;
        return l;
      }
      keep ??= l.split('|').map((h) => !TIMING.test(h));
      return l.split('|').filter((_, j) => keep![j]).join('|');
    })
    .join('\n');
}
