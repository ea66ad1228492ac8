// Model-package fuzz cases: the bundled packages (folder and .zip) with mutated model.json (JSON
// edits that stay JSON, and raw bytes), model.onnx (bit flips, truncation, garbage) and zip bytes.
// Each case must import, or be refused with a message that names the package file at fault.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { zipSync } from 'fflate';
import type { Rng } from '../../main/engine/random';
import { mutateBytes } from './byteMutations';

export interface PackageSeed {
  name: string;
  json: Buffer;
  onnx: Buffer;
}

export function loadPackageSeeds(modelsDir: string): PackageSeed[] {
  return ['ct-nodule-classifier', 'ceph-landmarks'].map((name) => ({
    name,
    json: readFileSync(path.join(modelsDir, name, 'model.json')),
    onnx: readFileSync(path.join(modelsDir, name, 'model.onnx')),
  }));
}

/** Values that are valid JSON but hostile where a number, string or object is expected. */
const HOSTILE_VALUES: unknown[] = [
  1e308,
  -1e308,
  5e-324,
  0,
  -1,
  2 ** 31,
  1e20,
  '',
  'x'.repeat(100_000),
  null,
  true,
  [],
  {},
  [1e9, 1e9, 1e9, 1e9, 1e9],
  { __proto__: { polluted: 1 } },
  'NaN',
  'Infinity',
];

/** Replaces one value somewhere in the manifest (or deletes a key) and re-serializes it. */
function editJson(bytes: Buffer, rng: Rng): { bytes: Buffer; label: string } {
  const doc = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  const paths: (string | number)[][] = [];
  const walk = (v: unknown, p: (string | number)[]) => {
    if (p.length) paths.push(p);
    if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...p, Array.isArray(v) ? Number(k) : k]);
  };
  walk(doc, []);
  const target = paths[rng.int(0, paths.length - 1)];
  let parent: Record<string | number, unknown> = doc;
  for (const k of target.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  const key = target[target.length - 1];
  if (rng.next() < 0.2) {
    delete parent[key];
    return { bytes: Buffer.from(JSON.stringify(doc)), label: `model.json: ${target.join('.')} deleted` };
  }
  const value = HOSTILE_VALUES[rng.int(0, HOSTILE_VALUES.length - 1)];
  parent[key] = value;
  const shown = typeof value === 'string' && value.length > 20 ? `"${value.slice(0, 5)}…" (${value.length} chars)` : JSON.stringify(value);
  return { bytes: Buffer.from(JSON.stringify(doc)), label: `model.json: ${target.join('.')} = ${shown}` };
}

export interface PackageCase {
  label: string;
  /** Writes the case under `dir`; returns the path to import and the names a refusal may name. */
  build(dir: string): { root: string; names: string[] };
}

export function packageCase(seed: PackageSeed, rng: Rng): PackageCase {
  let json = seed.json;
  let onnx = seed.onnx;
  let label: string;
  const what = rng.int(0, 4);
  if (what === 0) ({ bytes: json, label } = editJson(seed.json, rng));
  else if (what === 1) {
    const m = mutateBytes(seed.json, rng);
    json = m.bytes;
    label = `model.json: ${m.label}`;
  } else if (what === 2) {
    const m = mutateBytes(seed.onnx, rng);
    onnx = m.bytes;
    label = `model.onnx: ${m.label}`;
  } else if (what === 3) {
    // The same model.onnx under a manifest without its sha256: what an old package looks like.
    const doc = JSON.parse(seed.json.toString('utf8')) as Record<string, unknown>;
    delete doc.sha256;
    json = Buffer.from(JSON.stringify(doc));
    const m = mutateBytes(seed.onnx, rng);
    onnx = m.bytes;
    label = `model.onnx without sha256: ${m.label}`;
  } else label = 'zip';
  const asZip = what === 4 || rng.next() < 0.3;
  return {
    label: `${seed.name}${asZip ? ' (zip)' : ''}: ${label}`,
    build(dir) {
      if (!asZip) {
        writeFileSync(path.join(dir, 'model.json'), json);
        writeFileSync(path.join(dir, 'model.onnx'), onnx);
        return { root: dir, names: ['model.json', 'model.onnx', path.basename(dir)] };
      }
      let zip: Buffer = Buffer.from(zipSync({ 'model.json': new Uint8Array(json), 'model.onnx': new Uint8Array(onnx) }));
      if (what === 4) zip = mutateBytes(zip, rng).bytes;
      const file = path.join(dir, 'package.zip');
      writeFileSync(file, zip);
      return { root: file, names: ['package.zip', 'model.json', 'model.onnx'] };
    },
  };
}
