/**
 * Files referenced by a DICOMDIR's IMAGE records. The Directory Record Sequence is
 * read flat (record offsets are not followed), so records in any order work.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { DicomInputError } from './errors';
import { parseDicom } from './parseFile';
import { getSequenceItems, getString, getStrings, getNumber } from './tags';

/** Absolute paths of the referenced files, in record order, without duplicates. */
export function listDicomdirFiles(buffer: Buffer, dicomdirPath: string): string[] {
  const { dataSet } = parseDicom(buffer);
  if (!dataSet.elements.x00041220) throw new DicomInputError('not a DICOMDIR (no Directory Record Sequence)');
  const root = path.dirname(path.resolve(dicomdirPath));
  const files: string[] = [];
  for (const record of getSequenceItems(dataSet, 'x00041220')) {
    if (getString(record, 'x00041430') !== 'IMAGE') continue;
    if (getNumber(record, 'x00041410', 'US') === 0) continue; // record marked inactive
    const components = getStrings(record, 'x00041500').filter((c) => c !== '');
    if (components.length === 0) continue;
    const file = resolveComponents(root, components);
    if (file && !files.includes(file)) files.push(file);
  }
  return files;
}

/**
 * Join File ID components under the DICOMDIR folder. Media often store names in
 * another case than the upper-case IDs (or with ISO 9660 ';1' versions), so fall back
 * to a case-insensitive match per component. Components that would leave the
 * folder are refused.
 */
function resolveComponents(root: string, components: string[]): string | undefined {
  if (components.some((c) => c === '.' || c === '..' || /[\\/]/.test(c))) return undefined;
  const exact = path.join(root, ...components);
  if (existsSync(exact)) return exact;
  let dir = root;
  for (const component of components) {
    const match = findInsensitive(dir, component);
    if (!match) return exact; // let the caller report "file not found" with the expected path
    dir = path.join(dir, match);
  }
  return dir;
}

function findInsensitive(dir: string, name: string): string | undefined {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return undefined;
  }
  const wanted = name.toLowerCase();
  return entries.find((e) => {
    const plain = e.toLowerCase().replace(/;\d+$/, '').replace(/\.$/, '');
    return plain === wanted;
  });
}
