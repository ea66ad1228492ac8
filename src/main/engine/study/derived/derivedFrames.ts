// The frames of a SEG or Parametric Map and where each belongs on the series it refers to: by its
// plane position in the shared frame of reference (volumes), or by the source image it names
// (projection images, which have no frame of reference). Anything that does not line up with the
// series' grid is refused with the frame and attribute named, never resampled silently.
import type { VolumeInfo } from '../../../../shared/api';
import { axis, dot, patientToIndex, type Vec3 } from '../../../../shared/geometry';
import type { DataSet } from '../../dicom/dicomParserLib';
import type { ImageHeader } from '../../dicom/imageHeader';
import { getFirstItem, getNumber, getSequenceItems, getUid } from '../../dicom/tags';
import { describeDerived, type DerivedRecord } from './derivedRecord';

export class DerivedObjectError extends Error {}

export interface PlacedFrame {
  /** Frame index in the file (0-based). */
  frame: number;
  /** Slice of the series it covers. */
  slice: number;
  /** SEG: Referenced Segment Number of the frame. */
  segment?: number;
  /** Per-frame functional group item (the shared one merged in by the caller where needed). */
  group?: DataSet;
}

/** Voxel positions must agree within this fraction of a voxel (DS rounding of positions and spacing). */
const POSITION_TOLERANCE = 0.01;
const ORIENTATION_TOLERANCE = 1e-4;

const fmt = (v: readonly number[]) => v.map((x) => Number(x.toFixed(3))).join('\\');

function sourceSopOf(group: DataSet | undefined): string | undefined {
  for (const der of group ? getSequenceItems(group, 'x00089124') : [])
    for (const src of getSequenceItems(der, 'x00082112')) {
      const sop = getUid(src, 'x00081155');
      if (sop) return sop;
    }
  return undefined;
}

/** Where each frame of `record` lies on `info`'s grid; throws DerivedObjectError naming what does not fit. */
export function placeFrames(record: DerivedRecord, header: ImageHeader, ds: DataSet, info: VolumeInfo): PlacedFrame[] {
  const name = describeDerived(record);
  const [nx, ny, nz] = info.geometry.dimensions;
  if (header.columns !== nx || header.rows !== ny)
    throw new DerivedObjectError(
      `${name}: its frames are ${header.columns} x ${header.rows} (Columns x Rows) but the series' images are ${nx} x ${ny}; frames on another grid are not resampled`,
    );
  if (info.frameOfReferenceUid && record.frameOfReferenceUid !== info.frameOfReferenceUid)
    throw new DerivedObjectError(
      record.frameOfReferenceUid
        ? `${name} is in another frame of reference (0020,0052: ${record.frameOfReferenceUid}) than the series (${info.frameOfReferenceUid}): its frames cannot be placed on the images`
        : `${name} has no Frame of Reference UID (0020,0052): its frames cannot be placed on the images`,
    );
  const perFrame = getSequenceItems(ds, 'x52009230');
  const segmentOf = (g: DataSet | undefined) => {
    const item = g && getFirstItem(g, 'x0062000a');
    return item && getNumber(item, 'x0062000b', 'US');
  };
  const frames: PlacedFrame[] = [];
  for (let f = 0; f < header.numberOfFrames; f++) {
    const group = perFrame[f];
    const where = `frame ${f + 1} of ${name}`;
    let slice: number;
    const fg = header.frames?.[f] ?? header.frames?.[0];
    const position = fg?.imagePositionPatient ?? header.imagePositionPatient;
    if (info.kind === 'image' || !info.frameOfReferenceUid) {
      // A projection image has no patient geometry: the frame is tied to it by the source it names.
      const source = sourceSopOf(group) ?? (header.numberOfFrames === 1 || perFrame.length === 0 ? record.referencedInstances[0] : undefined);
      slice = source ? info.sopInstanceUids.indexOf(source) : -1;
      if (slice < 0)
        throw new DerivedObjectError(`${where} names no image of the series as its source (Derivation Image Sequence 0008,9124): it cannot be placed`);
    } else {
      const orientation = fg?.imageOrientationPatient ?? header.imageOrientationPatient;
      const spacing = fg?.pixelSpacing ?? header.pixelSpacing;
      if (!position || !orientation || !spacing)
        throw new DerivedObjectError(
          `${where} has no plane position, orientation or pixel spacing (Plane Position / Plane Orientation / Pixel Measures functional groups)`,
        );
      const g = info.geometry;
      const rowAxis = axis(g.direction, 0);
      const colAxis = axis(g.direction, 1);
      if (
        dot(orientation.slice(0, 3) as Vec3, rowAxis) < 1 - ORIENTATION_TOLERANCE ||
        dot(orientation.slice(3, 6) as Vec3, colAxis) < 1 - ORIENTATION_TOLERANCE
      )
        throw new DerivedObjectError(`${where} has Image Orientation (Patient) ${fmt(orientation)}, not the series' ${fmt([...rowAxis, ...colAxis])}`);
      // Pixel Spacing is row spacing (between rows, along the column axis) first, then column spacing.
      if (Math.abs(spacing[1] - g.spacing[0]) > POSITION_TOLERANCE * g.spacing[0] || Math.abs(spacing[0] - g.spacing[1]) > POSITION_TOLERANCE * g.spacing[1])
        throw new DerivedObjectError(`${where} has Pixel Spacing ${fmt(spacing)} mm, the series ${fmt([g.spacing[1], g.spacing[0]])} mm`);
      const [i, j, k] = patientToIndex(g, position as Vec3);
      const off = Math.abs(k - Math.round(k));
      if (Math.abs(i) > POSITION_TOLERANCE || Math.abs(j) > POSITION_TOLERANCE || off > POSITION_TOLERANCE || Math.round(k) < 0 || Math.round(k) >= nz)
        throw new DerivedObjectError(
          `${where} lies at Image Position (Patient) ${fmt(position)}, which is not the corner of a slice of the series (index ${fmt([i, j, k])})`,
        );
      slice = Math.round(k);
    }
    frames.push({ frame: f, slice, segment: segmentOf(group) ?? undefined, group });
  }
  return frames;
}
