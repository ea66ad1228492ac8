// The points of a Structured Report that lie on images of a series: every SCOORD POINT selected
// from one of its images, named by its measurement group (the Finding's meaning, else the Tracking
// Identifier). SCOORD uses DICOM image coordinates (0,0 = top-left corner of the first pixel); the
// engine's pixel centres are at integers, hence the half-pixel shift.
import type { DerivedObjectSummary, VolumeInfo } from '../../../../shared/api';
import type { DataSet } from '../../dicom/dicomParserLib';
import { getFirstItem, getNumbers, getSequenceItems, getString, getText, getUid } from '../../dicom/tags';

type Point = NonNullable<DerivedObjectSummary['points']>[number];

const conceptMeaning = (item: DataSet, tag: string) => {
  const c = getFirstItem(item, tag);
  return c ? getText(c, 'x00080104') : undefined;
};

/** The name a group gives its points: Finding (DCM 121071) value, else Tracking Identifier (DCM 112039) text. */
function groupName(children: DataSet[]): string | undefined {
  for (const c of children) {
    const concept = getFirstItem(c, 'x0040a043');
    const code = concept && getString(concept, 'x00080100');
    if (code === '121071' && getString(c, 'x0040a040') === 'CODE') return conceptMeaning(c, 'x0040a168');
  }
  for (const c of children) {
    const concept = getFirstItem(c, 'x0040a043');
    if (concept && getString(concept, 'x00080100') === '112039') return getText(c, 'x0040a160');
  }
  return undefined;
}

export function readSrPoints(root: DataSet, info: VolumeInfo): Point[] {
  const points: Point[] = [];
  const walk = (items: DataSet[], name: string | undefined, depth: number) => {
    if (depth > 32) return; // parseDicom already refuses deeper nesting; this keeps the walk bounded
    const here = groupName(items) ?? name;
    for (const item of items) {
      const children = getSequenceItems(item, 'x0040a730');
      if (getString(item, 'x0040a040') === 'SCOORD' && getString(item, 'x00700023') === 'POINT') {
        // Points a measurement was inferred from repeat the group's own point: keep the group's.
        if (getString(item, 'x0040a010') === 'INFERRED FROM') continue;
        const xy = getNumbers(item, 'x00700022', 'FL');
        const ref = children.map((c) => getFirstItem(c, 'x00081199')).find((r) => r !== undefined);
        const sop = ref && getUid(ref, 'x00081155');
        const slice = sop ? info.sopInstanceUids.indexOf(sop) : -1;
        if (xy?.length === 2 && slice >= 0)
          points.push({ name: here ?? conceptMeaning(item, 'x0040a043') ?? 'point', pixel: [xy[0] - 0.5, xy[1] - 0.5], sliceIndex: slice });
        continue;
      }
      if (children.length) walk(children, here, depth + 1);
    }
  };
  walk(getSequenceItems(root, 'x0040a730'), undefined, 0);
  return points;
}
