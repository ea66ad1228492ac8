// Reads the two files of a model package (model.json, model.onnx) from a folder or a .zip, with
// limits, and with messages that say what is wrong with which file: a named pipe, a device, a
// folder, a dangling link or an oversized file each get their own words, never "has no model.onnx".
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { formatBytes, InputFileError, readRegularFile } from '../io/readRegularFile';
import { readZipEntries, ZipError } from './zipEntries';

/** ONNX protobuf files cannot exceed 2 GiB (protobuf's limit); Explicare refuses external data. */
export const MAX_MODEL_BYTES = 2 * 2 ** 30;
/** A manifest is a few kilobytes. */
export const MAX_MANIFEST_BYTES = 1 * 2 ** 20;
/** A zip of a maximal model, with room for its compression overhead. */
export const MAX_PACKAGE_ZIP_BYTES = MAX_MODEL_BYTES + 256 * 2 ** 20;

export class PackageFileError extends Error {}

const limitOf = (name: string) => (name.endsWith('model.onnx') ? MAX_MODEL_BYTES : MAX_MANIFEST_BYTES);

async function readMember(dir: string, name: 'model.json' | 'model.onnx'): Promise<Buffer> {
  const file = path.join(dir, name);
  try {
    return await readRegularFile(file, limitOf(name));
  } catch (err) {
    if (err instanceof InputFileError) {
      const tooLarge = /above the/.test(err.reason);
      throw new PackageFileError(
        tooLarge
          ? `${name} is too large: ${err.reason.replace(/^not read: /, '')} (limit ${formatBytes(limitOf(name))})`
          : `${name} in the package folder ${err.reason.replace(/^not read: /, 'is ')}`,
      );
    }
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      const link = await lstat(file).catch(() => null);
      throw new PackageFileError(
        link?.isSymbolicLink() ? `${name} in the package folder is a symbolic link to something that does not exist` : `the package folder has no ${name}`,
      );
    }
    if (code === 'ELOOP') throw new PackageFileError(`${name} in the package folder is a loop of symbolic links`);
    if (code === 'EACCES' || code === 'EPERM') throw new PackageFileError(`${name} in the package folder cannot be read (permission denied)`);
    throw new PackageFileError(`${name} in the package folder cannot be read (${code ?? 'read error'})`);
  }
}

export async function readFromFolder(dir: string): Promise<{ json: Uint8Array; onnx: Uint8Array }> {
  return { json: await readMember(dir, 'model.json'), onnx: await readMember(dir, 'model.onnx') };
}

export async function readFromZip(file: string): Promise<{ json: Uint8Array; onnx: Uint8Array }> {
  const wanted = (name: string) => /(^|\/)model\.(json|onnx)$/.test(name) && !name.split('/').includes('..');
  let entries: Map<string, Buffer>;
  try {
    entries = await readZipEntries(file, wanted, { maxArchiveBytes: MAX_PACKAGE_ZIP_BYTES, maxEntryBytes: limitOf });
  } catch (err) {
    const reason =
      err instanceof ZipError
        ? err.message
        : (err as NodeJS.ErrnoException).code === 'EACCES'
          ? 'permission denied'
          : ((err as NodeJS.ErrnoException).code ?? 'read error');
    throw new PackageFileError(`${path.basename(file)} is not a usable zip archive: ${reason}`);
  }
  const pick = (name: string) => {
    const hits = [...entries.keys()].filter((k) => k === name || k.endsWith('/' + name));
    if (hits.length === 0) throw new PackageFileError(`the archive has no ${name}`);
    if (hits.length > 1) throw new PackageFileError(`the archive has several ${name} files (${hits.join(', ')}); a package holds one model`);
    return entries.get(hits[0])!;
  };
  return { json: pick('model.json'), onnx: pick('model.onnx') };
}
