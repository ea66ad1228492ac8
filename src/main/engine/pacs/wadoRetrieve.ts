// WADO-RS retrieval of a study or series into the engine's cache, all or nothing: instances are
// written to a private incoming folder, checked against the QIDO instance list, and only a complete
// set is renamed into place. A cut connection or a missing instance leaves nothing that looks whole.
// The PACS is not trusted: file names come only from UIDs the query listed (and that match the UID
// grammar), answers are capped, and instances nobody asked for are never written.
import { existsSync } from 'node:fs';
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isDicomUid } from './dicomUid';
import { newIncomingFolder } from './incoming';
import { instanceIdentity } from './instanceIdentity';
import { multipartBoundary, readMultipart } from './multipartRelated';
import { PacsError } from './pacsError';
import { listInstanceUids } from './qido';
import { pacsRequest } from './request';
import type { PacsSettings } from './settings';

export interface RetrieveTarget {
  studyUid: string;
  seriesUid?: string;
}

export interface RetrieveProgress {
  done: number;
  total: number;
  bytes: number;
}

export interface RetrieveLimits {
  /** Largest single instance. */
  maxInstanceBytes: number;
  /** Largest whole answer, as fetch yields it (after any Content-Encoding was inflated). */
  maxResponseBytes: number;
}

export const DEFAULT_RETRIEVE_LIMITS: RetrieveLimits = { maxInstanceBytes: 2 ** 30, maxResponseBytes: 64 * 2 ** 30 };

/** Where a retrieval lives in the cache: one folder per study (or per study + series). */
export function retrievedFolder(root: string, t: RetrieveTarget): string {
  return path.join(root, 'retrieved', t.seriesUid ? `${t.studyUid}-${t.seriesUid}` : t.studyUid);
}

export async function retrieveToCache(
  settings: PacsSettings,
  root: string,
  target: RetrieveTarget,
  progress: (p: RetrieveProgress) => void,
  signal?: AbortSignal,
  limits: RetrieveLimits = DEFAULT_RETRIEVE_LIMITS,
): Promise<string> {
  const what = target.seriesUid ? 'the series retrieval' : 'the study retrieval';
  if (!isDicomUid(target.studyUid) || (target.seriesUid !== undefined && !isDicomUid(target.seriesUid))) throw new PacsError(`${what}: not a DICOM UID`);
  const listed = await listInstanceUids(settings, target.studyUid, target.seriesUid, signal);
  if (listed.length === 0) throw new PacsError(`${what}: the PACS lists no instances for this ${target.seriesUid ? 'series' : 'study'}`);
  const invalid = listed.filter((u) => !isDicomUid(u)).length;
  // Such an instance could never be saved (its UID is its file name): refuse before transferring.
  if (invalid > 0) throw new PacsError(`${what}: the PACS lists ${invalid} instance(s) whose SOP Instance UID is not a valid DICOM UID; nothing was retrieved`);
  const expected = new Set(listed);
  const state: RetrieveProgress = { done: 0, total: expected.size, bytes: 0 };
  progress({ ...state });

  const incoming = await newIncomingFolder(root);
  try {
    const resourcePath = `/studies/${target.studyUid}` + (target.seriesUid ? `/series/${target.seriesUid}` : '');
    const res = await pacsRequest(settings, { path: resourcePath, accept: 'multipart/related; type="application/dicom"; transfer-syntax=*', what, signal });
    const boundary = multipartBoundary(res.response.headers.get('content-type'));
    if (!boundary) {
      res.close();
      await res.response.body?.cancel().catch(() => undefined);
      throw new PacsError(`${what}: the PACS answered with ${res.response.headers.get('content-type') || 'no content type'}, not multipart DICOM`);
    }
    async function* counted() {
      for await (const c of res.chunks()) {
        state.bytes += c.byteLength;
        if (state.bytes > limits.maxResponseBytes) {
          throw new PacsError(
            `${what}: the PACS sent more than ${Math.round(limits.maxResponseBytes / 2 ** 20)} MB; the retrieval was stopped and nothing was kept`,
          );
        }
        yield c;
      }
    }
    const received = new Set<string>();
    let part = 0;
    for await (const { headers, body } of readMultipart(counted(), boundary, { maxPartBytes: limits.maxInstanceBytes })) {
      part++;
      const type = headers['content-type'];
      const id = type && !/^application\/dicom\s*(;|$)/i.test(type) ? null : instanceIdentity(body);
      if (!id) throw new PacsError(`${what}: part ${part} of the answer is not a DICOM instance (${type ?? 'no content type'})`);
      // Only instances the query listed, of the study (and series) asked for, are kept: anything
      // else (extra instances, another study, a UID made up to name a path) is dropped unwritten.
      const asked = expected.has(id.sopInstanceUid) && id.studyUid === target.studyUid && (!target.seriesUid || id.seriesUid === target.seriesUid);
      if (asked && !received.has(id.sopInstanceUid)) {
        received.add(id.sopInstanceUid);
        // File names are the SOP Instance UIDs: unique, free of patient data, checked above.
        await writeFile(path.join(incoming, `${id.sopInstanceUid}.dcm`), body, { mode: 0o600 });
        state.done++;
      }
      progress({ ...state });
    }
    const missing = [...expected].filter((u) => !received.has(u)).length;
    if (missing > 0)
      throw new PacsError(`partial retrieval: the PACS delivered ${expected.size - missing} of ${expected.size} instances; nothing was kept, try again`);
    return await commit(incoming, retrievedFolder(root, target));
  } catch (err) {
    await rm(incoming, { recursive: true, force: true });
    throw err;
  }
}

/** Replaces an earlier copy (if any) with the complete new one; each rename is atomic. */
async function commit(incoming: string, final: string): Promise<string> {
  // Retrieved studies hold patient data: readable by the user only.
  await mkdir(path.dirname(final), { recursive: true, mode: 0o700 });
  await chmod(path.dirname(final), 0o700);
  await chmod(incoming, 0o700);
  const old = existsSync(final) ? `${incoming}-old` : null;
  if (old) await rename(final, old);
  await rename(incoming, final);
  if (old) await rm(old, { recursive: true, force: true });
  return final;
}
