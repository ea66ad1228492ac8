// Burned In Annotation (0028,0301) = YES means the pixels themselves carry text (often the patient's
// name, ID or dates). Header anonymization cannot remove it, and the key images copy those pixels:
// an anonymized export of such a series is refused unless the user explicitly accepts it.
import type { NaturalDataset } from '../io/dicomWrite';
import { ReportError } from './resultFile';

export interface SourceInstances {
  count: number;
  instance(k: number): Promise<{ dataset: NaturalDataset }>;
}

/** Throws a ReportError naming how many instances say YES (and the first), unless `allowed`. */
export async function refuseBurnedInAnnotation(source: SourceInstances, allowed: boolean): Promise<void> {
  if (allowed) return;
  const flagged: number[] = [];
  for (let k = 0; k < source.count; k++) {
    const { dataset } = await source.instance(k);
    if (String(dataset.BurnedInAnnotation ?? '').trim().toUpperCase() === 'YES') flagged.push(k + 1);
  }
  if (flagged.length === 0) return;
  throw new ReportError(
    `${flagged.length} of ${source.count} source image(s) declare Burned In Annotation (0028,0301) = YES (e.g. slice ${flagged[0]}): ` +
      'text in the pixels (names, IDs, dates) would survive anonymization. Not exported; export without anonymization, or accept the risk explicitly (--allow-burned-in-annotation / allowBurnedInAnnotation).',
  );
}
