// The date and time written as "created" into exported objects (InstanceCreationDate, ContentDate,
// DateOfSecondaryCapture, ...) and printed in the PDF. In an anonymized export the real clock would
// betray the date offset: anyone who knows roughly when the export was made (the file's mtime, an
// e-mail) reads the offset off the shifted creation date, then the real study date. So anonymized
// objects are "created" at the source's own acquisition date and time, which the anonymizer then
// shifts like every other date: nothing in the output is tied to the real clock.
import type { NaturalDataset } from '../io/dicomWrite';

/** Dates of the source instance, most specific to the study last-but-one: the first valid one anchors the export. */
const ANCHORS: [string, string][] = [
  ['StudyDate', 'StudyTime'],
  ['SeriesDate', 'SeriesTime'],
  ['AcquisitionDate', 'AcquisitionTime'],
  ['ContentDate', 'ContentTime'],
];

/** With no date in the source there is no real date to protect: any fixed date will do. */
const NO_SOURCE_DATE = new Date(2000, 0, 1, 12, 0, 0);

function fromDicom(da: unknown, tm: unknown): Date | undefined {
  if (typeof da !== 'string' || !/^\d{8}$/.test(da)) return undefined;
  const t = typeof tm === 'string' ? tm.replace(/[^0-9]/g, '') : '';
  const [hh, mm, ss] = [t.slice(0, 2), t.slice(2, 4), t.slice(4, 6)].map((s) => (s ? Number(s) : 0));
  const d = new Date(Number(da.slice(0, 4)), Number(da.slice(4, 6)) - 1, Number(da.slice(6, 8)), Math.min(hh, 23), Math.min(mm, 59), Math.min(ss, 59));
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** `now` for a plain export; the source's own (unshifted) date and time for an anonymized one. */
export function exportClock(anonymized: boolean, source: NaturalDataset, now: Date): Date {
  if (!anonymized) return now;
  for (const [da, tm] of ANCHORS) {
    const d = fromDicom(source[da], source[tm]);
    if (d) return d;
  }
  return NO_SOURCE_DATE;
}
