// Ground-truth landmarks from files: plain text ("x,y" per line, pixels, as in the ISBI 2015
// challenge), CSV (name,x,y) or JSON ([{name,x,y}] or Explicare's groundtruth.json). Coordinates
// are image pixels (column, row).
//
// Names come from a landmark set (the model's landmarks; the ISBI 19 when no model is given):
// - a plain file carries no names, so its points are the set's landmarks in order, which only
//   holds when the counts match: otherwise it is refused, saying both counts (without a model,
//   other counts than 19 keep provisional names until a model reads the file);
// - a named file (CSV, JSON) must use names or abbreviations of the set: unknown names are refused,
//   listed, rather than kept and silently matched to nothing.
import { findLandmark, ISBI_LANDMARK_SET, type LandmarkSet } from './landmarkSet';

export interface PixelLandmark {
  name: string;
  abbreviation: string;
  pixel: [number, number];
}

export class LandmarkFileError extends Error {}

interface RawPoint {
  name?: string;
  pixel: [number, number];
  where: string;
}

function point(x: number, y: number, where: string, name?: string): RawPoint {
  if (!Number.isFinite(x) || !Number.isFinite(y)) throw new LandmarkFileError(`${where}: coordinates are not numbers`);
  return { name, pixel: [x, y], where };
}

/** "x,y" (or "x y") lines; ISBI files may end with single-number class labels, which are ignored. */
function parsePlain(lines: string[]): RawPoint[] {
  const points: RawPoint[] = [];
  let labels = false;
  lines.forEach((line, i) => {
    const fields = line.split(/[,\s]+/).filter(Boolean);
    if (!labels && fields.length === 2) {
      points.push(point(Number(fields[0]), Number(fields[1]), `line ${i + 1}`));
      return;
    }
    if (points.length > 0 && fields.length === 1 && Number.isFinite(Number(fields[0]))) {
      labels = true;
      return;
    }
    throw new LandmarkFileError(`line ${i + 1} is not "x,y" (two numbers)${labels ? ' after the class labels' : ''}`);
  });
  return points;
}

function parseCsv(lines: string[]): RawPoint[] {
  const header = lines[0].split(',').map((h) => h.trim().toLowerCase());
  const col = (...names: string[]) => header.findIndex((h) => names.includes(h));
  const [n, x, y] = [col('name', 'landmark', 'abbreviation'), col('x', 'col', 'column'), col('y', 'row')];
  if (n < 0 || x < 0 || y < 0) throw new LandmarkFileError('CSV needs a header with name, x and y columns (pixels)');
  return lines.slice(1).map((l, i) => {
    const f = l.split(',');
    return point(Number(f[x]), Number(f[y]), `row ${i + 2}`, (f[n] ?? '').trim());
  });
}

function parseJson(text: string): RawPoint[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new LandmarkFileError('not valid JSON');
  }
  const list = Array.isArray(raw) ? raw : (raw as { landmarks?: unknown } | null)?.landmarks;
  if (!Array.isArray(list)) throw new LandmarkFileError('JSON must be a list of {name, x, y} or an object with "landmarks"');
  return list.map((item, i) => {
    const o = (item ?? {}) as { name?: unknown; x?: unknown; y?: unknown; pixel?: unknown };
    const [x, y] = Array.isArray(o.pixel) ? o.pixel : [o.x, o.y];
    if (typeof o.name !== 'string') throw new LandmarkFileError(`entry ${i + 1} has no name`);
    return point(Number(x), Number(y), `entry ${i + 1}`, o.name);
  });
}

const listed = (items: string[], max = 6): string =>
  items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;

/**
 * Plain points take the set's landmarks in order: only when there are exactly as many. Without a
 * model, a count other than the ISBI 19 gets provisional names ("Point 1"...) until a model reads
 * the file (truthForModel.ts): the file may well be meant for that model.
 */
function nameInOrder(points: RawPoint[], set: LandmarkSet, provisional: boolean): PixelLandmark[] {
  const want = set.landmarks.length;
  if (provisional && points.length !== want) {
    return points.map((p, i) => ({ name: `Point ${i + 1}`, abbreviation: `P${i + 1}`, pixel: p.pixel }));
  }
  if (points.length !== want) {
    throw new LandmarkFileError(
      `it lists ${points.length} point${points.length === 1 ? '' : 's'} as plain "x,y" lines, but ${set.name} has ${want} landmark${want === 1 ? '' : 's'}; ` +
        'a plain file is read in the landmarks\' order, so the counts must match (or name each point: a CSV with name,x,y)',
    );
  }
  return points.map((p, i) => ({ name: set.landmarks[i].name, abbreviation: set.landmarks[i].abbreviation, pixel: p.pixel }));
}

/** Named points must be landmarks of the set; without a model, unknown names are kept as given. */
function resolveNames(points: RawPoint[], set: LandmarkSet, strict: boolean): PixelLandmark[] {
  const unknown = [...new Set(points.filter((p) => !findLandmark(set, p.name ?? '')).map((p) => `"${p.name ?? ''}"`))];
  if (strict && unknown.length > 0) {
    throw new LandmarkFileError(
      `${listed(unknown)} ${unknown.length === 1 ? 'is not a landmark' : 'are not landmarks'} of ${set.name} (its landmarks: ${listed(
        set.landmarks.map((l) => l.abbreviation),
        19,
      )})`,
    );
  }
  const seen = new Set<string>();
  return points.map((p) => {
    const def = findLandmark(set, p.name ?? '');
    const name = def?.name ?? p.name ?? '';
    if (seen.has(name)) throw new LandmarkFileError(`${p.where}: ${name} is given twice`);
    seen.add(name);
    return { name, abbreviation: def?.abbreviation ?? name, pixel: p.pixel };
  });
}

/**
 * Reads a landmark file against `model` (a landmark model's landmarks) or, without one, the ISBI
 * 19 (other counts of plain points: provisional names). Every refusal is a LandmarkFileError naming the file and saying what is wrong.
 */
export function parseLandmarkFile(fileName: string, text: string, model?: LandmarkSet): PixelLandmark[] {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  if (lines.length === 0) throw new LandmarkFileError(`${fileName} is empty`);
  const set = model ?? ISBI_LANDMARK_SET;
  let points: PixelLandmark[];
  try {
    const trimmed = text.trimStart();
    if (/\.json$/i.test(fileName) || trimmed.startsWith('{') || trimmed.startsWith('[')) points = resolveNames(parseJson(text), set, model !== undefined);
    else if (/[a-z]/i.test(lines[0])) points = resolveNames(parseCsv(lines), set, model !== undefined);
    else points = nameInOrder(parsePlain(lines), set, model === undefined);
  } catch (err) {
    if (!(err instanceof LandmarkFileError)) throw err;
    throw new LandmarkFileError(`${fileName}: ${err.message}`);
  }
  if (points.length === 0) throw new LandmarkFileError(`${fileName} holds no landmarks`);
  if (points.some((p) => p.pixel[0] < 0 || p.pixel[1] < 0)) throw new LandmarkFileError(`${fileName}: negative pixel coordinates`);
  return points;
}
