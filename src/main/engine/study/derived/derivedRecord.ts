// Which opened files are derived objects (SEG, Parametric Map, SR) rather than images of a series,
// and what they refer to: read once at scan time from the header, so the study opens as before and
// the objects can later be matched to the series they were made from (readDerived.ts reads pixels).
import type { DataSet } from '../../dicom/dicomParserLib';
import { getSequenceItems, getText, getUid } from '../../dicom/tags';

export const DERIVED_SOP_CLASSES: Record<string, DerivedKind> = {
  '1.2.840.10008.5.1.4.1.1.66.4': 'seg', // Segmentation Storage
  '1.2.840.10008.5.1.4.1.1.66.7': 'seg', // Label Map Segmentation Storage (refused with a message when read)
  '1.2.840.10008.5.1.4.1.1.30': 'pm', // Parametric Map Storage
  '1.2.840.10008.5.1.4.1.1.88.11': 'sr', // Basic Text SR
  '1.2.840.10008.5.1.4.1.1.88.22': 'sr', // Enhanced SR
  '1.2.840.10008.5.1.4.1.1.88.33': 'sr', // Comprehensive SR
  '1.2.840.10008.5.1.4.1.1.88.34': 'sr', // Comprehensive 3D SR
};

export type DerivedKind = 'seg' | 'pm' | 'sr';

export interface DerivedRecord {
  kind: DerivedKind;
  path: string;
  displayName: string;
  sopClassUid: string;
  sopInstanceUid: string;
  studyUid: string;
  frameOfReferenceUid?: string;
  /** What a person calls it: Content Label / Series Description / the kind. */
  label: string;
  /** Series named in Referenced Series Sequence (SEG, PM) or Current Requested Procedure Evidence (SR). */
  referencedSeries: string[];
  /** Every SOP instance it names as a source (common instance reference, per-frame derivation, SR evidence). */
  referencedInstances: string[];
  /** How many files the scan had skipped before this one: where a message about it goes in that list. */
  skippedBefore: number;
}

const KIND_NAMES: Record<DerivedKind, string> = { seg: 'Segmentation', pm: 'Parametric Map', sr: 'Structured Report' };

/** 'Segmentation "liver" (seg.dcm)': how messages name an object. */
export function describeDerived(r: Pick<DerivedRecord, 'kind' | 'label' | 'displayName'>): string {
  return `${KIND_NAMES[r.kind]} "${r.label}" (${r.displayName})`;
}

export function derivedKindOf(sopClassUid: string | undefined): DerivedKind | undefined {
  return sopClassUid ? DERIVED_SOP_CLASSES[sopClassUid] : undefined;
}

/** Series and instance UIDs under a Referenced Series Sequence-shaped element (0008,1115) or (0040,A375). */
function collectSeriesReferences(ds: DataSet, tag: string, series: Set<string>, instances: Set<string>): void {
  for (const item of getSequenceItems(ds, tag)) {
    // SR evidence nests study -> series -> SOP; the SEG/PM reference is series -> SOP directly.
    for (const s of [item, ...getSequenceItems(item, 'x00081115')]) {
      const uid = getUid(s, 'x0020000e');
      if (uid) series.add(uid);
      for (const inst of [...getSequenceItems(s, 'x0008114a'), ...getSequenceItems(s, 'x00081199')]) {
        const sop = getUid(inst, 'x00081155');
        if (sop) instances.add(sop);
      }
    }
  }
}

export function derivedRecordOf(
  kind: DerivedKind,
  ds: DataSet,
  file: { path: string; displayName: string },
  ids: { sopClassUid: string; sopInstanceUid: string; studyUid: string },
  skippedBefore: number,
): DerivedRecord {
  const series = new Set<string>();
  const instances = new Set<string>();
  collectSeriesReferences(ds, 'x00081115', series, instances);
  collectSeriesReferences(ds, 'x0040a375', series, instances);
  // Per-frame Derivation Image -> Source Image (SEG, PM), and the top-level Source Image Sequence.
  for (const frame of getSequenceItems(ds, 'x52009230'))
    for (const der of getSequenceItems(frame, 'x00089124'))
      for (const src of getSequenceItems(der, 'x00082112')) {
        const sop = getUid(src, 'x00081155');
        if (sop) instances.add(sop);
      }
  for (const src of getSequenceItems(ds, 'x00082112')) {
    const sop = getUid(src, 'x00081155');
    if (sop) instances.add(sop);
  }
  const label = getText(ds, 'x00700080') ?? getText(ds, 'x0008103e') ?? KIND_NAMES[kind];
  return {
    kind,
    ...file,
    ...ids,
    frameOfReferenceUid: getUid(ds, 'x00200052'),
    label: label.slice(0, 64),
    referencedSeries: [...series],
    referencedInstances: [...instances],
    skippedBefore,
  };
}
