// Walks what the user opened (files, folders, DICOMDIRs) and reads each DICOM header once.
// Pixel data is not kept: volumes are decoded later, one file at a time, into one buffer.
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { SkippedFile } from '../../../shared/api';
import { DicomInputError, parseDicom } from '../dicom/parseFile';
import { readImageHeader, type ImageHeader } from '../dicom/tags';
import { listDicomdirFiles } from '../dicom/dicomdir';

export interface InstanceRecord {
  path: string;
  /** Name shown to the user: relative to what was opened, never another folder's path. */
  displayName: string;
  header: ImageHeader;
  /** Identity, checked present at scan time. */
  studyUid: string;
  seriesUid: string;
  sopInstanceUid: string;
}

export interface ScanResult {
  filesScanned: number;
  instances: InstanceRecord[];
  skipped: SkippedFile[];
}

const MAX_FILES = 100_000;

async function listFiles(root: string): Promise<string[]> {
  const info = await stat(root);
  if (!info.isDirectory()) return [root];
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      if (out.length >= MAX_FILES) return;
      const full = path.join(dir, e.name);
      if (e.isDirectory()) await walk(full);
      else if (e.isFile()) out.push(full);
    }
  };
  await walk(root);
  return out;
}

function describeError(err: unknown): string {
  if (err instanceof DicomInputError) return err.reason;
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'EACCES') return 'permission denied';
  if (code === 'ENOENT') return 'file not found';
  return 'unreadable: ' + (err instanceof Error ? err.message : String(err));
}

export async function scanPaths(roots: string[]): Promise<ScanResult> {
  const result: ScanResult = { filesScanned: 0, instances: [], skipped: [] };
  const seen = new Set<string>();
  const queue: { file: string; base: string }[] = [];
  for (const root of roots) {
    const base = path.dirname(path.resolve(root));
    try {
      for (const file of await listFiles(path.resolve(root))) queue.push({ file, base });
    } catch (err) {
      result.skipped.push({ file: path.basename(root), reason: describeError(err) });
    }
  }
  while (queue.length > 0) {
    const { file, base } = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    result.filesScanned++;
    const displayName = path.relative(base, file) || path.basename(file);
    try {
      const buffer = await readFile(file);
      const header = readImageHeader(parseDicom(buffer).dataSet);
      if (header.isDicomdir) {
        for (const ref of listDicomdirFiles(buffer, file)) queue.push({ file: ref, base });
        continue;
      }
      const { studyUid, seriesUid, sopInstanceUid } = header;
      const problem =
        header.rows === 0 || header.columns === 0 ? 'not an image (e.g. a report or presentation state)'
        : !header.hasPixelData ? 'missing pixel data (7FE0,0010)'
        : !studyUid ? 'missing Study Instance UID (0020,000D)'
        : !seriesUid ? 'missing Series Instance UID (0020,000E)'
        : !sopInstanceUid ? 'missing SOP Instance UID (0008,0018)'
        : null;
      if (problem || !studyUid || !seriesUid || !sopInstanceUid) {
        result.skipped.push({ file: displayName, reason: problem ?? 'incomplete header' });
        continue;
      }
      result.instances.push({ path: file, displayName, header, studyUid, seriesUid, sopInstanceUid });
    } catch (err) {
      result.skipped.push({ file: displayName, reason: describeError(err) });
    }
  }
  return result;
}
