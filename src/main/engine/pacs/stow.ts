// STOW-RS: sends DICOM files to the PACS (POST /studies) in batches and reports, per instance,
// whether the PACS stored it (ReferencedSOPSequence) or refused it and why (FailedSOPSequence).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { StowInstanceResult, StowResult } from '../../../shared/pacsApi';
import { integer, parseDicomJsonObject, sequence, TAG, text } from './dicomJson';
import { instanceIdentity } from './instanceIdentity';
import { buildMultipart } from './multipartRelated';
import { PacsError } from './pacsError';
import { pacsRequest } from './request';
import type { PacsSettings } from './settings';

/** Requests stay below this size (and instance count), so a big export is not one huge body. */
const MAX_BATCH_BYTES = 32 * 2 ** 20;
const MAX_BATCH_INSTANCES = 100;

/** PS3.4 storage status codes a PACS puts in FailureReason (0008,1197). */
const FAILURE_REASONS: Record<number, string> = {
  0x0110: 'processing failure',
  0x0112: 'no such object instance',
  0x0122: 'SOP class not supported',
  0x0124: 'not authorized',
  0xa700: 'out of resources',
  0xa900: 'data set does not match the SOP class',
  0xc000: 'cannot understand',
};

interface Pending {
  file: string;
  sopInstanceUid: string;
  data: Buffer;
}

/** Sends the DICOM files among `files` (relative to `folder`); other files are left out. */
export async function storeFiles(settings: PacsSettings, folder: string, files: string[]): Promise<StowResult> {
  const started = Date.now();
  const instances: Pending[] = [];
  for (const file of files) {
    const data = await readFile(path.join(folder, file));
    const id = instanceIdentity(data);
    if (id) instances.push({ file, sopInstanceUid: id.sopInstanceUid, data });
  }
  if (instances.length === 0) throw new PacsError('there are no DICOM files to send (export DICOM objects first)');
  const results: StowInstanceResult[] = [];
  for (const batch of batches(instances)) results.push(...(await storeBatch(settings, batch)));
  const stored = results.filter((r) => r.ok).length;
  return { stored, failed: results.length - stored, instances: results, elapsedMs: Date.now() - started };
}

function* batches(all: Pending[]): Generator<Pending[]> {
  let batch: Pending[] = [];
  let bytes = 0;
  for (const p of all) {
    if (batch.length && (bytes + p.data.byteLength > MAX_BATCH_BYTES || batch.length >= MAX_BATCH_INSTANCES)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(p);
    bytes += p.data.byteLength;
  }
  if (batch.length) yield batch;
}

async function storeBatch(settings: PacsSettings, batch: Pending[]): Promise<StowInstanceResult[]> {
  const { body, contentType } = buildMultipart(batch.map((p) => p.data));
  // 202: some instances failed, 409: all failed; both carry the per-instance answer.
  const res = await pacsRequest(settings, {
    method: 'POST',
    path: '/studies',
    accept: 'application/dicom+json',
    contentType,
    body,
    what: 'sending to the PACS (STOW-RS)',
    okStatuses: [202, 409],
  });
  const textBody = (await res.bytes()).toString('utf8');
  const answer = textBody.trim() ? parseDicomJsonObject(textBody, 'sending to the PACS (STOW-RS)') : {};
  const stored = new Set(sequence(answer, TAG.ReferencedSOPSequence).map((i) => text(i, TAG.ReferencedSOPInstanceUID)));
  const failed = new Map(sequence(answer, TAG.FailedSOPSequence).map((i) => [text(i, TAG.ReferencedSOPInstanceUID), integer(i, TAG.FailureReason)]));
  return batch.map((p): StowInstanceResult => {
    if (stored.has(p.sopInstanceUid)) return { file: p.file, sopInstanceUid: p.sopInstanceUid, ok: true };
    const code = failed.get(p.sopInstanceUid);
    if (code !== undefined) {
      const reason =
        code === null
          ? 'refused by the PACS'
          : `refused by the PACS: ${FAILURE_REASONS[code] ?? 'status'} (0x${code.toString(16).toUpperCase().padStart(4, '0')})`;
      return { file: p.file, sopInstanceUid: p.sopInstanceUid, ok: false, reason };
    }
    return { file: p.file, sopInstanceUid: p.sopInstanceUid, ok: false, reason: `not confirmed by the PACS (HTTP ${res.response.status})` };
  });
}
