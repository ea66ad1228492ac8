// The colour a segment is drawn in: the file's Recommended Display CIELab Value (0062,000D) when it
// has one (PS3.3 C.10.7.1.1: L*a*b* scaled to 0..65535, D65 white), else a fixed palette by number.

/** Distinct colours (Kelly's / Tableau-like), used in segment-number order when the file gives none. */
const PALETTE: [number, number, number][] = [
  [230, 25, 75],
  [60, 180, 75],
  [255, 225, 25],
  [0, 130, 200],
  [245, 130, 48],
  [145, 30, 180],
  [70, 240, 240],
  [240, 50, 230],
];

export function paletteColour(segmentNumber: number): [number, number, number] {
  return PALETTE[(Math.max(1, segmentNumber) - 1) % PALETTE.length];
}

/** sRGB (0..255) of a DICOM-scaled CIELab triple. */
export function dicomLabToRgb(lab: readonly number[]): [number, number, number] {
  const L = (lab[0] / 65535) * 100;
  const a = (lab[1] / 65535) * 255 - 128;
  const b = (lab[2] / 65535) * 255 - 128;
  const fy = (L + 16) / 116;
  const fx = fy + a / 500;
  const fz = fy - b / 200;
  const inv = (t: number) => (t ** 3 > 216 / 24389 ? t ** 3 : (116 * t - 16) / (24389 / 27));
  // D65 reference white.
  const [X, Y, Z] = [0.95047 * inv(fx), 1.0 * inv(fy), 1.08883 * inv(fz)];
  const lin = [3.2404542 * X - 1.5371385 * Y - 0.4985314 * Z, -0.969266 * X + 1.8760108 * Y + 0.041556 * Z, 0.0556434 * X - 0.2040259 * Y + 1.0572252 * Z];
  const gamma = (c: number) => (c <= 0.0031308 ? 12.92 * c : 1.055 * c ** (1 / 2.4) - 0.055);
  return lin.map((c) => Math.round(Math.min(1, Math.max(0, gamma(c))) * 255)) as [number, number, number];
}
