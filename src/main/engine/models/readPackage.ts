// Reads a model package (a folder or a .zip of one) into memory and validates its manifest.
// Nothing is extracted to disk: only model.json and model.onnx are read from the archive.
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { z } from 'zod';
import { modelManifestSchema, type ModelManifest } from '../../../shared/modelManifest';
import { externalDataTensors, OnnxStructureError } from './onnxExternalData';
import { PackageFileError, readFromFolder, readFromZip } from './packageFiles';

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
  /** Problems that do not stop the import (a package without a checksum). */
  warnings: string[];
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

/** Refuses model.onnx files that are not self-contained ONNX models. */
export function checkOnnx(onnx: Uint8Array): void {
  if (!looksLikeOnnx(onnx)) throw new ModelPackageError('model.onnx is not an ONNX model (not a protobuf ModelProto)');
  let external: string[];
  try {
    external = externalDataTensors(onnx);
  } catch (err) {
    if (err instanceof OnnxStructureError) throw new ModelPackageError(`model.onnx is not a valid ONNX protobuf (${err.message}); the file is damaged`);
    throw err;
  }
  if (external.length) {
    const names = external.slice(0, 3).map((n) => `"${n}"`).join(', ') + (external.length > 3 ? ` and ${external.length - 3} more` : '');
    throw new ModelPackageError(
      `model.onnx keeps ${external.length} tensor(s) (${names}) in external data files; only self-contained models are accepted (save the model without external data)`,
    );
  }
}

export async function readModelPackage(location: string): Promise<ModelPackage> {
  if (location.trim() === '') throw new ModelPackageError('no model package location was given (the path is empty)');
  let info;
  try {
    info = await stat(location);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ModelPackageError(
      code === 'ENOENT' ? `${location} does not exist (or is a symbolic link to nothing)` : `${location} cannot be opened (${code ?? 'error'})`,
    );
  }
  if (!info.isDirectory() && !(info.isFile() && location.toLowerCase().endsWith('.zip'))) {
    const what = info.isFile()
      ? 'a file that is not a .zip'
      : info.isFIFO()
        ? 'a named pipe'
        : info.isCharacterDevice() || info.isBlockDevice()
          ? 'a device'
          : 'not a regular file or folder';
    throw new ModelPackageError(`${location} is ${what}; a model package is a folder or a .zip holding model.onnx and model.json`);
  }
  let files: { json: Uint8Array; onnx: Uint8Array };
  try {
    files = info.isDirectory() ? await readFromFolder(location) : await readFromZip(location);
  } catch (err) {
    if (err instanceof PackageFileError) throw new ModelPackageError(err.message);
    throw err;
  }
  const { json, onnx } = files;
  const manifest = parseManifest(json);
  checkOnnx(onnx);
  const sha256 = createHash('sha256').update(onnx).digest('hex');
  const warnings: string[] = [];
  if (!manifest.sha256)
    warnings.push(
      'model.json carries no sha256 of model.onnx, so a damaged or replaced model.onnx cannot be detected (add it with: npm run cli -- package --model DIR)',
    );
  else if (manifest.sha256 !== sha256) {
    throw new ModelPackageError(
      `model.onnx does not match model.json: its sha256 is ${sha256.slice(0, 12)}…, model.json expects ${manifest.sha256.slice(0, 12)}… (the file is damaged or was replaced)`,
    );
  }
  return { manifest, onnx, sha256, warnings };
}

export const modelIdSchema = z.string().regex(/^[a-f0-9]{64}$/, 'not a model id');
