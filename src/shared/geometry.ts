// The one module that does index <-> patient (LPS, mm) math. Everything else calls into it.
// Conventions (same as DICOM and cornerstone3D):
//   index (i, j, k): i = column, j = row, k = slice.
//   direction = [rowCosines(3), columnCosines(3), sliceNormal(3)]: unit vectors of increasing i, j, k.
//   patient = origin + i*sx*dirI + j*sy*dirJ + k*sz*dirK.

export type Vec3 = [number, number, number];
export type Mat3 = [number, number, number, number, number, number, number, number, number];

export interface Geometry {
  dimensions: Vec3; // [columns, rows, slices]
  spacing: Vec3; // mm between columns, rows, slices
  origin: Vec3; // patient position of voxel (0,0,0) centre
  direction: Mat3;
}

export const dot = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
export const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
export const add = (a: Vec3, b: Vec3): Vec3 => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
export const scale = (a: Vec3, s: number): Vec3 => [a[0] * s, a[1] * s, a[2] * s];
export const norm = (a: Vec3): number => Math.hypot(a[0], a[1], a[2]);
export const cross = (a: Vec3, b: Vec3): Vec3 => [
  a[1] * b[2] - a[2] * b[1],
  a[2] * b[0] - a[0] * b[2],
  a[0] * b[1] - a[1] * b[0],
];
export const normalize = (a: Vec3): Vec3 => {
  const n = norm(a);
  if (n === 0) throw new Error('cannot normalize a zero vector');
  return scale(a, 1 / n);
};

export const axis = (direction: Mat3, index: 0 | 1 | 2): Vec3 => [
  direction[index * 3],
  direction[index * 3 + 1],
  direction[index * 3 + 2],
];

/** Slice normal from DICOM ImageOrientationPatient (row cosines then column cosines). */
export function sliceNormal(imageOrientation: readonly number[]): Vec3 {
  const row = imageOrientation.slice(0, 3) as Vec3;
  const col = imageOrientation.slice(3, 6) as Vec3;
  return normalize(cross(row, col));
}

/** Direction matrix from ImageOrientationPatient, slice axis along the normal. */
export function directionFromOrientation(imageOrientation: readonly number[]): Mat3 {
  const row = normalize(imageOrientation.slice(0, 3) as Vec3);
  const col = normalize(imageOrientation.slice(3, 6) as Vec3);
  const n = normalize(cross(row, col));
  return [...row, ...col, ...n] as Mat3;
}

export function indexToPatient(g: Geometry, ijk: Vec3): Vec3 {
  const d = g.direction;
  const [i, j, k] = [ijk[0] * g.spacing[0], ijk[1] * g.spacing[1], ijk[2] * g.spacing[2]];
  return [
    g.origin[0] + i * d[0] + j * d[3] + k * d[6],
    g.origin[1] + i * d[1] + j * d[4] + k * d[7],
    g.origin[2] + i * d[2] + j * d[5] + k * d[8],
  ];
}

/** Inverse of indexToPatient; the direction is orthonormal, so its inverse is its transpose. */
export function patientToIndex(g: Geometry, p: Vec3): Vec3 {
  const r = sub(p, g.origin);
  return [
    dot(r, axis(g.direction, 0)) / g.spacing[0],
    dot(r, axis(g.direction, 1)) / g.spacing[1],
    dot(r, axis(g.direction, 2)) / g.spacing[2],
  ];
}

/** Distance of a slice position along the slice normal: the key for sorting slices. */
export function positionAlongNormal(position: Vec3, normal: Vec3): number {
  return dot(position, normal);
}

/** Voxel offset in a [k][j][i] (slice-major, row-major) buffer, or -1 when outside. */
export function voxelOffset(g: Geometry, ijk: Vec3): number {
  const [nx, ny, nz] = g.dimensions;
  const i = Math.round(ijk[0]);
  const j = Math.round(ijk[1]);
  const k = Math.round(ijk[2]);
  if (i < 0 || j < 0 || k < 0 || i >= nx || j >= ny || k >= nz) return -1;
  return (k * ny + j) * nx + i;
}

export interface SliceSpacingReport {
  spacing: number; // median gap, mm
  uniform: boolean;
  /** Gaps that differ from the median by more than the tolerance: index of the slice after the gap. */
  irregular: { afterIndex: number; gap: number }[];
}

/** Checks the gaps between sorted slice positions (mm along the normal). */
// 5% tolerance: scanners round positions (e.g. 6.97 vs 7.07 mm gaps in real MR series), while a
// missing slice doubles a gap.
export function checkSliceSpacing(sortedPositions: readonly number[], tolerance = 0.05): SliceSpacingReport {
  if (sortedPositions.length < 2) return { spacing: 1, uniform: true, irregular: [] };
  const gaps = sortedPositions.slice(1).map((p, i) => p - sortedPositions[i]);
  const sorted = [...gaps].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  const irregular = gaps
    .map((gap, i) => ({ afterIndex: i + 1, gap }))
    .filter(({ gap }) => Math.abs(gap - median) > Math.max(tolerance * Math.abs(median), 0.01));
  return { spacing: median, uniform: irregular.length === 0, irregular };
}

/** Geometry of a series from its sorted slices (first slice = k 0). */
export function geometryFromSlices(args: {
  columns: number;
  rows: number;
  pixelSpacing: [number, number]; // DICOM order: [row spacing (between rows), column spacing]
  imageOrientation: readonly number[];
  firstPosition: Vec3;
  sliceCount: number;
  sliceSpacing: number;
}): Geometry {
  return {
    dimensions: [args.columns, args.rows, args.sliceCount],
    spacing: [args.pixelSpacing[1], args.pixelSpacing[0], args.sliceSpacing],
    origin: args.firstPosition,
    direction: directionFromOrientation(args.imageOrientation),
  };
}

/** Total voxel count of a geometry. */
export const voxelCount = (g: Geometry): number => g.dimensions[0] * g.dimensions[1] * g.dimensions[2];

/** Patient position of pixel (0, 0) of slice k and the steps per column and per row: a slice is
 *  origin + i * colStep + j * rowStep, so rasterisers can walk a plane without per-pixel matrix math. */
export function sliceAffine(g: Geometry, k: number): { origin: Vec3; colStep: Vec3; rowStep: Vec3 } {
  const origin = indexToPatient(g, [0, 0, k]);
  return {
    origin,
    colStep: sub(indexToPatient(g, [1, 0, k]), origin),
    rowStep: sub(indexToPatient(g, [0, 1, k]), origin),
  };
}
