// Walks what the user opened (files, folders, DICOMDIRs) and reads each DICOM header once.
// Pixel data is not kept: volumes are decoded later, one file at a time, into one buffer.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { SkippedFile } from '../../../shared/api';
import { DicomInputError, parseDicom } from '../dicom/parseFile';
import { readImageHeader, type ImageHeader } from '../dicom/imageHeader';
import { listDicomdirFiles } from '../dicom/dicomdir';
import { checkImageHeader } from '../dicom/checkImageHeader';
import { InputFileError, readRegularFile } from '../io/readRegularFile';
import { derivedKindOf, derivedRecordOf, type DerivedRecord } from './derived/derivedRecord';

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
  /** SEG, Parametric Map and SR objects: kept aside, shown over the series they refer to. */
  derived: DerivedRecord[];
}

const MAX_FILES = 100_000;

/**
 * Regular files under `root` (or `root` itself), and the other entries met on the way: links are
 * not followed (they may point anywhere: /dev/zero, a home folder) and pipes, sockets and devices
 * are never opened; each is reported as skipped, with why.
 */
async function listFiles(root: string, base: string): Promise<{ files: string[]; others: SkippedFile[] }> {
  const info = await stat(root);
  if (!info.isDirectory()) return { files: [root], others: [] };
  const files: string[] = [];
  const others: SkippedFile[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      if (files.length >= MAX_FILES) return;
      const full = path.join(dir, e.name);
      if (e.isDirectory()) await walk(full);
      else if (e.isFile()) files.push(full);
      else
        others.push({
          file: path.relative(base, full),
          reason: e.isSymbolicLink() ? 'symbolic link: not followed' : 'not a regular file (a pipe, socket or device): not read',
        });
    }
  };
  await walk(root);
  return { files, others };
}

function describeError(err: unknown): string {
  if (err instanceof DicomInputError || err instanceof InputFileError) return err.reason;
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'EACCES') return 'permission denied';
  if (code === 'ENOENT') return 'file not found';
  return 'unreadable: ' + (err instanceof Error ? err.message : String(err));
}

export async function scanPaths(roots: string[]): Promise<ScanResult> {
  const result: ScanResult = { filesScanned: 0, instances: [], skipped: [], derived: [] };
  const seen = new Set<string>();
  const queue: { file: string; base: string }[] = [];
  for (const root of roots) {
    const base = path.dirname(path.resolve(root));
    try {
      const listed = await listFiles(path.resolve(root), base);
      for (const file of listed.files) queue.push({ file, base });
      result.skipped.push(...listed.others);
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
      const buffer = await readRegularFile(file);
      const { dataSet } = parseDicom(buffer);
      const header = readImageHeader(dataSet);
      if (header.isDicomdir) {
        for (const ref of listDicomdirFiles(buffer, file)) queue.push({ file: ref, base });
        continue;
      }
      const { studyUid, seriesUid, sopInstanceUid } = header;
      const derivedKind = derivedKindOf(header.sopClassUid);
      // A SEG/PM's declared sizes are checked like an image's before anything reads its frames.
      const derivedRefusal = derivedKind && header.hasPixelData ? checkImageHeader(header, dataSet).refusal : undefined;
      if (derivedRefusal) {
        result.skipped.push({ file: displayName, reason: derivedRefusal });
        continue;
      }
      if (derivedKind && studyUid && sopInstanceUid) {
        const ids = { sopClassUid: header.sopClassUid!, sopInstanceUid, studyUid };
        result.derived.push(derivedRecordOf(derivedKind, dataSet, { path: file, displayName }, ids, result.skipped.length));
        continue;
      }
      const check = header.hasPixelData ? checkImageHeader(header, dataSet) : undefined;
      if (check?.notes.length) header.notes = check.notes;
      const problem = !header.hasPixelData
        ? header.rows === 0 || header.columns === 0
          ? 'not an image (e.g. a report or presentation state)'
          : 'missing pixel data (7FE0,0010)'
        : check?.refusal
          ? check.refusal
          : !studyUid
            ? 'missing Study Instance UID (0020,000D)'
            : !seriesUid
              ? 'missing Series Instance UID (0020,000E)'
              : !sopInstanceUid
                ? 'missing SOP Instance UID (0008,0018)'
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
