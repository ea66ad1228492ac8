// Ground-truth landmarks from files: ISBI 2015 text (19 "x,y" lines, pixels), CSV (name,x,y) or
// JSON ([{name,x,y}] or Explicare's groundtruth.json). Coordinates are image pixels (column, row).
import { ISBI_LANDMARKS } from '../../../shared/landmarks';

export interface PixelLandmark {
  name: string;
  abbreviation: string;
  pixel: [number, number];
}

export class LandmarkFileError extends Error {}

const lookup = (key: string) =>
  ISBI_LANDMARKS.find((l) => l.name.toLowerCase() === key.toLowerCase() || l.abbreviation.toLowerCase() === key.toLowerCase());

function named(name: string, x: number, y: number, where: string): PixelLandmark {
  if (!Number.isFinite(x) || !Number.isFinite(y)) throw new LandmarkFileError(`${where}: coordinates are not numbers`);
  const def = lookup(name);
  return { name: def?.name ?? name, abbreviation: def?.abbreviation ?? name, pixel: [x, y] };
}

function parseIsbi(lines: string[]): PixelLandmark[] {
  // The challenge files hold 19 coordinate lines, sometimes followed by class labels.
  const coords = lines.slice(0, ISBI_LANDMARKS.length).map((l, i) => {
    const [x, y] = l.split(/[,\s]+/).map(Number);
    return named(ISBI_LANDMARKS[i].name, x, y, `line ${i + 1}`);
  });
  return coords;
}

function parseCsv(lines: string[]): PixelLandmark[] {
  const header = lines[0].split(',').map((h) => h.trim().toLowerCase());
  const col = (...names: string[]) => header.findIndex((h) => names.includes(h));
  const [n, x, y] = [col('name', 'landmark', 'abbreviation'), col('x', 'col', 'column'), col('y', 'row')];
  if (n < 0 || x < 0 || y < 0) throw new LandmarkFileError('CSV needs a header with name, x and y columns (pixels)');
  return lines.slice(1).map((l, i) => {
    const f = l.split(',');
    return named(f[n].trim(), Number(f[x]), Number(f[y]), `row ${i + 2}`);
  });
}

function parseJson(text: string): PixelLandmark[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new LandmarkFileError('not valid JSON');
  }
  const list = Array.isArray(raw) ? raw : (raw as { landmarks?: unknown }).landmarks;
  if (!Array.isArray(list)) throw new LandmarkFileError('JSON must be a list of {name, x, y} or an object with "landmarks"');
  return list.map((item, i) => {
    const o = item as { name?: unknown; x?: unknown; y?: unknown; pixel?: unknown };
    const [x, y] = Array.isArray(o.pixel) ? o.pixel : [o.x, o.y];
    if (typeof o.name !== 'string') throw new LandmarkFileError(`entry ${i + 1} has no name`);
    return named(o.name, Number(x), Number(y), `entry ${i + 1}`);
  });
}

export function parseLandmarkFile(fileName: string, text: string): PixelLandmark[] {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  if (lines.length === 0) throw new LandmarkFileError(`${fileName} is empty`);
  let points: PixelLandmark[];
  try {
    if (/\.json$/i.test(fileName) || text.trimStart().startsWith('{') || text.trimStart().startsWith('[')) points = parseJson(text);
    else if (/[a-z]/i.test(lines[0])) points = parseCsv(lines);
    else points = parseIsbi(lines);
  } catch (err) {
    throw new LandmarkFileError(`${fileName}: ${(err as Error).message}`);
  }
  if (points.length === 0) throw new LandmarkFileError(`${fileName} holds no landmarks`);
  if (points.some((p) => p.pixel[0] < 0 || p.pixel[1] < 0)) throw new LandmarkFileError(`${fileName}: negative pixel coordinates`);
  return points;
}
