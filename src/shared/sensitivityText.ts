// Plain words for a map's max-sensitivity (docs/metrics.md), the same in the app and the PDF: how
// far the map moved under noise nobody would see, relative to the map itself.

export interface SensitivityFigure {
  /** max over draws of ||map(x + noise) - map(x)|| / ||map(x)||; null when the map is all zero. */
  value: number | null;
  perturbations: number;
  /** Noise: uniform in +-radiusFraction of the input's intensity range, per voxel. */
  radiusFraction: number;
}

/**
 * The bands are a reading aid, not a test: on the demo models Grad-CAM's maps moved by 4-7% of
 * their size under 2% noise, IG's by 30-80% (docs/metrics.md, the cohort table).
 */
export function sensitivityReading(s: SensitivityFigure): string {
  const noise = `noise of up to ${+(s.radiusFraction * 100).toFixed(2)}% of the intensity range`;
  const draws = `${s.perturbations} noisy cop${s.perturbations === 1 ? 'y' : 'ies'}`;
  if (s.value === null || !Number.isFinite(s.value)) return `The map is zero everywhere: nothing to compare (${draws}).`;
  const moved = `the map changed by at most ${(s.value * 100).toPrecision(2)}% of its own size`;
  const verdict =
    s.value < 0.1
      ? 'Stable: what it shows does not hang on invisible noise'
      : s.value < 0.5
        ? 'Sensitive: the broad picture holds, fine detail may be noise'
        : 'Unstable: it changes about as much as it shows, so part of it explains the noise, not the image';
  return `Under ${noise} (${draws}), ${moved}. ${verdict}.`;
}
