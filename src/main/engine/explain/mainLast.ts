// Every reader of a method's result (the overlay's default map, the CLI's main NIfTI file, the
// metrics, the sanity check, seed agreement, the PDF) takes the main map as the last one. Methods
// that compute every landmark from the same forward passes (MUPAX, RISE, the regression) list their
// maps in model order; when the user chose one landmark, that landmark's map has to become the
// last, or every reader explains another target than the one asked for.
import type { MethodOutput } from './method';

/**
 * `out` with map `main` moved to the end, together with its entry in every layer and in
 * details.significance (read by map index in the app, the CLI and the reports); the rest keep their order.
 */
export function withMainLast(out: MethodOutput, main: number): MethodOutput {
  const last = out.maps.length - 1;
  if (main === last || main < 0 || main > last) return out;
  const order = [...out.maps.keys()].filter((i) => i !== main).concat(main);
  const layers = out.layers && Object.fromEntries(Object.entries(out.layers).map(([name, maps]) => [name, order.map((i) => maps[i])]));
  const significance = out.details.significance;
  const details =
    Array.isArray(significance) && significance.length === out.maps.length ? { ...out.details, significance: order.map((i) => significance[i]) } : out.details;
  return { ...out, maps: order.map((i) => out.maps[i]), ...(layers ? { layers } : {}), details };
}
