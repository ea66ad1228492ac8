// Reads back an exported Parametric Map with tools independent of the writer: dcmtk's dcmdjpls
// decodes the JPEG-LS frames to native pixels, pixelmed parses both files (attributes, the Real
// World Value Mapping, its own real-world transform and the stored values).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PIXELMED = '/usr/share/java/pixelmed.jar';
const READER = fileURLToPath(new URL('./pixelmed/ReadParametricMap.java', import.meta.url));

export interface ReadBack {
  /** pixelmed's key=value lines (ReadParametricMap.java). */
  fields: Record<string, string>;
  /** Stored values of every frame, frame after frame, as dcmtk decoded them and pixelmed read them. */
  stored: Uint16Array;
  slope: number;
  intercept: number;
}

export function readParametricMap(file: string): ReadBack {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'explicare-pm-read-'));
  try {
    const native = path.join(tmp, 'native.dcm');
    const raw = path.join(tmp, 'stored.raw');
    execFileSync('dcmdjpls', [file, native]);
    const out = execFileSync('java', ['-cp', PIXELMED, READER, file, native, raw], { encoding: 'utf8', maxBuffer: 16 << 20 });
    const fields = Object.fromEntries(out.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    const bytes = readFileSync(raw);
    const stored = new Uint16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    return { fields, stored, slope: Number(fields.slope), intercept: Number(fields.intercept) };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Largest |stored * slope + intercept - map| over every voxel. */
export function maxRealValueError(r: ReadBack, map: ArrayLike<number>): number {
  if (r.stored.length !== map.length) throw new Error(`${r.stored.length} stored values for a map of ${map.length}`);
  let worst = 0;
  for (let i = 0; i < map.length; i++) worst = Math.max(worst, Math.abs(r.stored[i] * r.slope + r.intercept - map[i]));
  return worst;
}
