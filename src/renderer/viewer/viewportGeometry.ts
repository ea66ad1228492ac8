// What a viewport's camera means to a reader: which patient directions its edges face
// (orientation markers), how many mm one screen pixel spans (scale bar, zoom readout).
// Pure functions of the camera, so they can be tested without WebGL.
import { cross, type Vec3 } from '../../shared/geometry';

export interface ViewCamera {
  /** Unit vector pointing up on screen, patient LPS. */
  viewUp: Vec3;
  /** Unit vector from the focal point towards the viewer, patient LPS (cornerstone's convention). */
  viewPlaneNormal: Vec3;
  /** Half the viewport height in mm (parallel projection). */
  parallelScale: number;
  /** Viewport height in CSS pixels. */
  heightPx: number;
}

export interface OrientationMarkers {
  left: string;
  right: string;
  top: string;
  bottom: string;
}

// LPS: +x towards the patient's left, +y posterior, +z superior.
const LETTERS: [string, string][] = [
  ['L', 'R'],
  ['P', 'A'],
  ['S', 'I'],
];

/**
 * The patient direction of a screen direction as letters, strongest first ("L", "LA" when
 * oblique): components under 0.25 of the vector are left out, as workstations do.
 */
export function directionLetters(v: Vec3): string {
  return [0, 1, 2]
    .filter((a) => Math.abs(v[a]) >= 0.25)
    .sort((a, b) => Math.abs(v[b]) - Math.abs(v[a]))
    .map((a) => LETTERS[a][v[a] > 0 ? 0 : 1])
    .join('');
}

const neg = (v: Vec3): Vec3 => [-v[0], -v[1], -v[2]];

/** Letters at the four edges of a viewport. Screen right = viewUp x viewPlaneNormal. */
export function orientationMarkers(c: Pick<ViewCamera, 'viewUp' | 'viewPlaneNormal'>): OrientationMarkers {
  const right = cross(c.viewUp, c.viewPlaneNormal);
  return { left: directionLetters(neg(right)), right: directionLetters(right), top: directionLetters(c.viewUp), bottom: directionLetters(neg(c.viewUp)) };
}

/** mm spanned by one CSS pixel. */
export function mmPerPixel(c: Pick<ViewCamera, 'parallelScale' | 'heightPx'>): number {
  return (2 * c.parallelScale) / Math.max(1, c.heightPx);
}

/**
 * A scale bar about `targetPx` long with a round length (1, 2 or 5 x 10^n mm) and its pixel length.
 */
export function scaleBar(mmPerPx: number, targetPx = 100): { mm: number; px: number } {
  const want = mmPerPx * targetPx;
  const base = 10 ** Math.floor(Math.log10(want));
  const mm = [5, 2, 1].map((f) => f * base).find((v) => v <= want) ?? base;
  return { mm, px: mm / mmPerPx };
}
