// Landmark error statistics (ISBI 2015 protocol): radial error in mm, MRE, SDR at radii.
// Pure, so the renderer can recompute them while the user drags a ground-truth point.

export const SDR_RADII_MM = [2, 2.5, 3, 4] as const;

export interface PointMm {
  name: string;
  /** Pixel coordinates (column, row). */
  pixel: [number, number];
}

export interface LandmarkErrors {
  /** Pixel spacing used to convert pixels to mm: [column spacing, row spacing]. */
  spacingMm: [number, number];
  spacingSource: string;
  perLandmark: { name: string; errorMm: number | null }[]; // null: no ground truth for this landmark
  meanRadialErrorMm: number | null;
  stdRadialErrorMm: number | null;
  /** Fraction (0..1) of landmarks within each radius. */
  successDetectionRate: { radiusMm: number; rate: number }[];
  count: number;
}

export function radialErrorMm(a: [number, number], b: [number, number], spacing: [number, number]): number {
  return Math.hypot((a[0] - b[0]) * spacing[0], (a[1] - b[1]) * spacing[1]);
}

export function landmarkErrors(predicted: PointMm[], truth: PointMm[], spacing: [number, number], spacingSource: string): LandmarkErrors {
  const byName = new Map(truth.map((t) => [t.name, t]));
  const perLandmark = predicted.map((p) => {
    const t = byName.get(p.name);
    return { name: p.name, errorMm: t ? radialErrorMm(p.pixel, t.pixel, spacing) : null };
  });
  const errors = perLandmark.map((e) => e.errorMm).filter((e): e is number => e !== null);
  const n = errors.length;
  const mean = n ? errors.reduce((a, b) => a + b, 0) / n : null;
  const std = n && mean !== null ? Math.sqrt(errors.reduce((a, e) => a + (e - mean) ** 2, 0) / n) : null;
  return {
    spacingMm: spacing,
    spacingSource,
    perLandmark,
    meanRadialErrorMm: mean,
    stdRadialErrorMm: std,
    successDetectionRate: SDR_RADII_MM.map((r) => ({ radiusMm: r, rate: n ? errors.filter((e) => e <= r).length / n : 0 })),
    count: n,
  };
}
