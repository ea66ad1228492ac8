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

/** Centre of the volume in patient coordinates. */
export function volumeCentre(g: Geometry): Vec3 {
  return indexToPatient(g, [(g.dimensions[0] - 1) / 2, (g.dimensions[1] - 1) / 2, (g.dimensions[2] - 1) / 2]);
}

/** A grid with the same direction and centre as `g`, `size` voxels of `spacing` mm. */
export function centredGrid(g: Geometry, size: Vec3, spacing: Vec3): Geometry {
  const c = volumeCentre(g);
  const half = (a: 0 | 1 | 2) => scale(axis(g.direction, a), ((size[a] - 1) / 2) * spacing[a]);
  return { dimensions: size, spacing, origin: sub(sub(sub(c, half(0)), half(1)), half(2)), direction: g.direction };
}

/** Model grid covering exactly the volume's extent (voxel edges), stretched per axis to `size`. */
export function fitGrid(g: Geometry, size: Vec3): Geometry {
  const spacing = [0, 1, 2].map((a) => (g.dimensions[a] * g.spacing[a]) / size[a]) as Vec3;
  return centredGrid(g, size, spacing);
}

/**
 * Letterboxed 2D model grid: one isotropic in-plane spacing so the whole image fits in `size`
 * (columns, rows) without distortion; the margins fall outside the image. The slice axis is kept.
 */
export function letterboxGrid(g: Geometry, size: [number, number]): Geometry {
  const s = Math.max((g.dimensions[0] * g.spacing[0]) / size[0], (g.dimensions[1] * g.spacing[1]) / size[1]);
  return centredGrid(g, [size[0], size[1], g.dimensions[2]], [s, s, g.spacing[2]]);
}

/**
 * Per-axis affine map from `target` grid indices to `source` grid indices: src = offset + step * t.
 * Both grids must share the direction (all model grids here are built from the volume's).
 */
export function axisMapping(source: Geometry, target: Geometry): { offset: Vec3; step: Vec3 } {
  for (let i = 0; i < 9; i++) {
    if (Math.abs(source.direction[i] - target.direction[i]) > 1e-6) throw new Error('grids must share their direction');
  }
  return {
    offset: patientToIndex(source, target.origin),
    step: [0, 1, 2].map((a) => target.spacing[a] / source.spacing[a]) as Vec3,
  };
}

/** Maps a continuous index of grid `from` to the continuous index of grid `to` (same patient point). */
export function reindex(from: Geometry, to: Geometry, ijk: Vec3): Vec3 {
  return patientToIndex(to, indexToPatient(from, ijk));
}
