// What to tell the user when what they opened yields no image: the reasons per file, not just a
// count. "No DICOM images found in 1 file(s)" alone left them guessing; the batch view already
// listed each skipped file, so the single-file case must say as much.
import type { SkippedFile } from '../../../shared/api';

/** Files listed in full; above this, the first ones and a count of the rest. */
export const REASONS_SHOWN = 3;

/** "a.dcm: no pixel data; b.txt: not DICOM; and 4 more", identical entries given once. */
export function listReasons(entries: readonly SkippedFile[], shown = REASONS_SHOWN): string {
  const seen = new Set<string>();
  const unique = entries.filter((e) => {
    const key = `${e.file}\u0000${e.reason}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const show = Math.min(unique.length, shown);
  const listed = unique.slice(0, show).map((e) => `${e.file}: ${e.reason}`);
  const rest = unique.length - show;
  return rest > 0 ? `${listed.join('; ')}; and ${rest} more` : listed.join('; ');
}

/** The message for an open that found no image, with each file's reason. */
export function noImageMessage(report: { filesScanned: number; skipped: readonly SkippedFile[] }): string {
  const base = `No DICOM images found in ${report.filesScanned} file(s)`;
  if (report.skipped.length === 0) return `${base}.`;
  return `${base}: ${listReasons(report.skipped)}.`;
}
