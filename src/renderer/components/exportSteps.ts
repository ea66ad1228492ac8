// What an export will do, in order, from the form's choices: shown while it runs, so a 30-second
// export says what it is busy with instead of a bare "Exporting…". (The engine answers once, at the
// end; these are the steps it takes, not a live position among them.)
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
