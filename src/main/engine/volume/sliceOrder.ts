// Orders the frames of a series along the slice normal and checks that they form a regular volume.
import {
  checkSliceSpacing,
  dot,
  norm,
  positionAlongNormal,
  sliceNormal,
  sub,
  type Vec3,
} from '../../../shared/geometry';
import type { InstanceRecord } from '../study/scan';

export interface FrameRef {
  instance: InstanceRecord;
  frameIndex: number;
  position?: Vec3;
}

export interface SliceOrder {
  frames: FrameRef[]; // sorted: k = 0 first
  orientation: number[]; // ImageOrientationPatient (6 numbers)
  firstPosition: Vec3;
  sliceSpacing: number;
  warnings: string[];
}

const AXIAL = [1, 0, 0, 0, 1, 0];

function framesOf(instances: InstanceRecord[]): FrameRef[] {
  const frames: FrameRef[] = [];
  for (const instance of instances) {
    const h = instance.header;
    const n = Math.max(1, h.numberOfFrames);
    for (let f = 0; f < n; f++) {
      const position = h.frames?.[f]?.imagePositionPatient ?? (f === 0 ? h.imagePositionPatient : undefined);
      frames.push({ instance, frameIndex: f, position });
    }
  }
  return frames;
}

const sameOrientation = (a: readonly number[], b: readonly number[]): boolean =>
  a.every((v, i) => Math.abs(v - b[i]) < 1e-3);

export function orderSlices(instances: InstanceRecord[]): SliceOrder {
  const warnings: string[] = [];
  const first = instances[0].header;
  const orientation: number[] = first.imageOrientationPatient ?? first.frames?.[0]?.imageOrientationPatient ?? AXIAL;

  const odd = instances.filter((i) => i.header.imageOrientationPatient && !sameOrientation(i.header.imageOrientationPatient, orientation));
  if (odd.length > 0) {
    warnings.push(`${odd.length} file(s) have a different orientation than the first (e.g. ${odd[0].displayName}); they are left out.`);
  }
  const kept = instances.filter((i) => !odd.includes(i));
  let frames = framesOf(kept);
  const normal = sliceNormal(orientation);
  const thickness = first.sliceThickness ?? first.frames?.[0]?.sliceThickness ?? 1;

  // A single projection image (DX, CR) has no orientation in patient space; a volume needs one.
  if (orientation === AXIAL && frames.length > 1) warnings.push('No ImageOrientationPatient: slices are shown as acquired (axial orientation assumed).');
  if (frames.length === 1) {
    return { frames, orientation, firstPosition: (frames[0].position ?? [0, 0, 0]) as Vec3, sliceSpacing: thickness, warnings };
  }

  if (frames.some((f) => !f.position)) {
    // Without positions the only order left is the instance number; spacing is then a guess.
    warnings.push(`Some slices have no ImagePositionPatient: ordered by InstanceNumber, spacing taken from SliceThickness (${thickness} mm).`);
    frames.sort((a, b) => (a.instance.header.instanceNumber ?? 0) - (b.instance.header.instanceNumber ?? 0) || a.frameIndex - b.frameIndex);
    const origin = (frames[0].position ?? [0, 0, 0]) as Vec3;
    return { frames, orientation, firstPosition: origin, sliceSpacing: thickness, warnings };
  }

  const keyed = frames.map((f) => ({ f, d: positionAlongNormal(f.position!, normal) }));
  keyed.sort((a, b) => a.d - b.d);
  const unique: typeof keyed = [];
  for (const k of keyed) {
    if (unique.length > 0 && Math.abs(k.d - unique[unique.length - 1].d) < 1e-3) {
      warnings.push(`Duplicate slice position ${k.d.toFixed(2)} mm (${k.f.instance.displayName}); the duplicate is left out.`);
      continue;
    }
    unique.push(k);
  }
  frames = unique.map((k) => k.f);
  const report = checkSliceSpacing(unique.map((k) => k.d));
  for (const gap of report.irregular.slice(0, 5)) {
    const after = frames[gap.afterIndex];
    warnings.push(
      `Uneven slice spacing: ${gap.gap.toFixed(2)} mm before slice ${gap.afterIndex + 1} (${after.instance.displayName}), ` +
        `expected ${report.spacing.toFixed(2)} mm` + (gap.gap > report.spacing * 1.5 ? ' (missing slices?)' : '') + '.',
    );
  }
  if (report.irregular.length > 5) warnings.push(`... and ${report.irregular.length - 5} more uneven gaps.`);

  // Slices displaced in-plane (gantry tilt) are shown unsheared: say so rather than hide it.
  const step = sub(frames[frames.length - 1].position!, frames[0].position!);
  const along = dot(step, normal);
  const shear = norm(sub(step, [normal[0] * along, normal[1] * along, normal[2] * along]));
  if (shear > 0.5) warnings.push(`Slices are sheared (gantry tilt?): ${shear.toFixed(1)} mm in-plane drift over the series; shown without shear correction.`);

  return { frames, orientation, firstPosition: frames[0].position!, sliceSpacing: report.spacing, warnings };
}
