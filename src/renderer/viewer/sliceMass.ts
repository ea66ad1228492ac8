// Saliency mass per axial slice of the study, from a model-grid map: where along the scroll axis
// a method puts its weight. Each study slice k takes the model-grid slice whose centre is nearest.
import { indexToPatient, patientToIndex, type Geometry } from '../../shared/geometry';
import type { OverlayMap } from './overlayRenderer';

export function sliceMass(map: OverlayMap, study: Geometry): Float64Array {
  const [nx, ny, nz] = map.grid.dimensions;
  const perGridSlice = new Float64Array(nz);
  const range = map.max - map.min || 1;
  for (let k = 0; k < nz; k++) {
    let s = 0;
    // A region map counts only its region (outside values are 0, below its colour scale).
    for (let v = k * nx * ny; v < (k + 1) * nx * ny; v++) if (!map.region || map.data[v] > 0) s += Math.max(0, (map.data[v] - map.min) / range);
    perGridSlice[k] = s / (nx * ny);
  }
  const out = new Float64Array(study.dimensions[2]);
  for (let k = 0; k < out.length; k++) {
    const centre = indexToPatient(study, [(study.dimensions[0] - 1) / 2, (study.dimensions[1] - 1) / 2, k]);
    const gk = Math.round(patientToIndex(map.grid, centre)[2]);
    out[k] = perGridSlice[Math.min(Math.max(gk, 0), nz - 1)];
  }
  return out;
}
