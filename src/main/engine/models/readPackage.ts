// Reads a model package (a folder or a .zip of one) into memory and validates its manifest.
// Nothing is extracted to disk: only model.json and model.onnx are read from the archive.
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { z } from 'zod';
import { modelManifestSchema, type ModelManifest } from '../../../shared/modelManifest';

export class ModelPackageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelPackageError';
  }
}

export interface ModelPackage {
  manifest: ModelManifest;
  onnx: Uint8Array;
  /** sha256 of model.onnx: identifies the model in caches and reports. */
  sha256: string;
}

const MAX_MODEL_BYTES = 2 * 2 ** 30;

async function readFromZip(file: string): Promise<{ json: Uint8Array; onnx: Uint8Array }> {
  let entries: Record<string, Uint8Array>;
  try {
    // Only the two files we need are inflated (filter), whatever else the archive holds.
    entries = unzipSync(await readFile(file), { filter: (f) => /(^|\/)model\.(json|onnx)$/.test(f.name) && !f.name.includes('..') });
  } catch (err) {
    throw new ModelPackageError(`${path.basename(file)} is not a readable zip archive (${(err as Error).message})`);
  }
  const pick = (name: string) => {
    const hits = Object.keys(entries).filter((k) => k === name || k.endsWith('/' + name));
    if (hits.length === 0) throw new ModelPackageError(`the archive has no ${name}`);
    if (hits.length > 1) throw new ModelPackageError(`the archive has several ${name} files (${hits.join(', ')}); a package holds one model`);
    return entries[hits[0]];
  };
  return { json: pick('model.json'), onnx: pick('model.onnx') };
}

async function readFromFolder(dir: string): Promise<{ json: Uint8Array; onnx: Uint8Array }> {
  const read = async (name: string) => {
    try {
      return await readFile(path.join(dir, name));
    } catch {
      throw new ModelPackageError(`the folder has no ${name}`);
    }
  };
  return { json: await read('model.json'), onnx: await read('model.onnx') };
}

export function parseManifest(json: Uint8Array): ModelManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(json));
  } catch (err) {
    throw new ModelPackageError(`model.json is not valid JSON (${(err as Error).message})`);
  }
  const parsed = modelManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ModelPackageError(`model.json is invalid: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/** ONNX files are protobuf ModelProto; field 1 (ir_version, varint) comes first in every exporter. */
function looksLikeOnnx(bytes: Uint8Array): boolean {
  return bytes.length > 16 && bytes[0] === 0x08;
}

export async function readModelPackage(location: string): Promise<ModelPackage> {
  let info;
  try {
    info = await stat(location);
  } catch {
    throw new ModelPackageError(`${location} does not exist`);
  }
  const { json, onnx } = info.isDirectory() ? await readFromFolder(location) : location.toLowerCase().endsWith('.zip') ? await readFromZip(location) : (() => {
    throw new ModelPackageError('a model package is a folder or a .zip holding model.onnx and model.json');
  })();
  if (onnx.byteLength > MAX_MODEL_BYTES) throw new ModelPackageError(`model.onnx is larger than ${MAX_MODEL_BYTES / 2 ** 30} GB`);
  if (!looksLikeOnnx(onnx)) throw new ModelPackageError('model.onnx is not an ONNX model (not a protobuf ModelProto)');
  const manifest = parseManifest(json);
  return { manifest, onnx, sha256: createHash('sha256').update(onnx).digest('hex') };
}

export const modelIdSchema = z.string().regex(/^[a-f0-9]{64}$/, 'not a model id');
