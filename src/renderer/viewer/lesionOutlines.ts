// Ground-truth lesion outlines on any viewport plane: a sphere (centre, diameter) cut by the plane
// gives a circle; drawn dashed so the radiologist can judge the saliency maps against the truth.
import type { Lesion } from '../../shared/api';
import { cross, dot, norm, normalize, scale, sub, type Vec3 } from '../../shared/geometry';

/** `pixelX`, `pixelY`: size of one canvas pixel in viewport (CSS) pixels along x and y (each side is rounded on its own). */
export function drawLesionOutlines(
  ctx: CanvasRenderingContext2D,
  worldAt: (x: number, y: number) => Vec3,
  lesions: Lesion[],
  pixelX = 1,
  pixelY = pixelX,
): number {
  const o = worldAt(0, 0);
  const ex = sub(worldAt(pixelX, 0), o); // mm per canvas pixel, along x
  const ey = sub(worldAt(0, pixelY), o);
  const n = normalize(cross(ex, ey));
  const mmPerPx = norm(ex);
  let drawn = 0;
  ctx.save();
  ctx.strokeStyle = '#ff4d4d';
  ctx.lineWidth = 1.5;
  ctx.setLineDash([5, 4]);
  for (const l of lesions) {
    const r = l.diameterMm / 2;
    const d = dot(sub(l.centre, o), n);
    if (Math.abs(d) >= r) continue;
    const p = sub(sub(l.centre, scale(n, d)), o);
    const x = dot(p, ex) / dot(ex, ex);
    const y = dot(p, ey) / dot(ey, ey);
    ctx.beginPath();
    ctx.arc(x, y, Math.sqrt(r * r - d * d) / mmPerPx, 0, 2 * Math.PI);
    ctx.stroke();
    drawn++;
  }
  ctx.restore();
  return drawn;
}
