// One slice numbering for the viewer, the tag panel and the reports: the slice's place along its
// voxel axis (1-based; for the acquired slices this is the engine's order k, the order the tags and
// key images use), the file's InstanceNumber where it has one, and the plane's position in mm on
// the patient axis it crosses. Written by one function, so the three places cannot drift apart.
import { axis, indexToPatient, type Geometry } from './geometry';

export interface SliceLabelInput {
  /** 0-based index along the voxel axis the plane crosses. */
  index: number;
  count: number;
  /** 'slice' for the acquired slices, 'column'/'row' for planes across them (sagittal, coronal). */
  unit: 'slice' | 'column' | 'row';
  /** InstanceNumber (0020,0013) of the slice's file, when it has one. */
  instanceNumber?: number | null;
  /** Patient axis (LPS) the plane's normal mostly follows, and the plane's position on it. */
  axis: 'x' | 'y' | 'z';
  positionMm: number;
}

/** "slice 61/120 · Im 61 · z = -54.0 mm", "column 257/512 · x = 0.3 mm". */
export function sliceLabel(s: SliceLabelInput): string {
  const im = s.instanceNumber !== null && s.instanceNumber !== undefined ? ` · Im ${s.instanceNumber}` : '';
  return `${s.unit} ${s.index + 1}/${s.count}${im} · ${s.axis} = ${s.positionMm.toFixed(1)} mm`;
}

/** The patient axis a direction mostly follows. */
export function dominantAxis(n: readonly number[]): 0 | 1 | 2 {
  const a = [0, 1, 2].reduce((best, c) => (Math.abs(n[c]) > Math.abs(n[best]) ? c : best), 0);
  return a as 0 | 1 | 2;
}

export const AXIS_NAMES = ['x', 'y', 'z'] as const;

/**
 * Where acquired slice k lies on the patient axis its normal follows (mm): the coordinate of the
 * slice's first voxel, as ImagePositionPatient gives it; the viewer and the PDF both use this.
 */
export function slicePositionMm(g: Geometry, k: number): { axis: 'x' | 'y' | 'z'; positionMm: number } {
  const a = dominantAxis(axis(g.direction, 2));
  return { axis: AXIS_NAMES[a], positionMm: indexToPatient(g, [0, 0, k])[a] };
}

/** The label of acquired slice k (the PDF, the tag panel, the axial viewport of a CT). */
export function acquiredSliceLabel(g: Geometry, k: number, instanceNumber?: number | null): string {
  return sliceLabel({ index: k, count: g.dimensions[2], unit: 'slice', instanceNumber, ...slicePositionMm(g, k) });
}
