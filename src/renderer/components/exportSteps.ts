// What an export will do, in order, from the form's choices, and where it is now in words (the
// engine's live progress: the object being written, n of m, bytes), so a 30-second export says what
// it is busy with instead of a bare "Exporting…".
import type { ExportProgress } from '../../shared/exportProgress';
import type { ExportForm } from '../stores/export';

export function exportSteps(form: Pick<ExportForm, 'pdf' | 'dicom' | 'anonymize' | 'overwrite'>): string[] {
  return [
    'Read the series and the latest explanation of each method',
    'Render the key images (the slice with the most saliency per method)',
    ...(form.pdf ? ['Write the PDF report'] : []),
    ...(form.dicom ? ['Write the DICOM objects: key images, parametric maps, segmentation, structured report'] : []),
    ...(form.anonymize ? ['Replace names, IDs, dates and UIDs (anonymized output)'] : []),
    form.overwrite
      ? 'Move the files into the folder, replacing files of the same name'
      : 'Move the files into the folder (refused if a file of the same name exists)',
  ];
}

/** "1.4 MB" */
export function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(0)} kB`;
  return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
}

/** The engine's progress in one line: "Writing 3 of 5: Parametric Map of gradcam · 12.4 MB written". */
export function progressText(p: ExportProgress): string {
  const written = p.bytes > 0 ? ` · ${sizeText(p.bytes)} written` : '';
  if (p.cancelling) return `Cancelling: stops before the next object${written}`;
  if (p.phase === 'prepare') return `Preparing: ${p.step}`;
  if (p.phase === 'write') return `Writing ${p.object} of ${p.objects}: ${p.step}${written}`;
  return `${p.step}${written}`;
}

/** The fraction done for a progress bar: objects staged (the one being written counts half), moving files last. */
export function progressFraction(p: ExportProgress): number {
  if (p.phase === 'done' || p.phase === 'commit') return 1;
  if (p.phase !== 'write' || p.objects === 0) return 0;
  return Math.min(1, (p.object - 0.5) / p.objects);
}
