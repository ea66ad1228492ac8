// WADO-RS retrieval of a study or series into the engine's cache, all or nothing: instances are
// written to a private incoming folder, checked against the QIDO instance list, and only a complete
// set is renamed into place. A cut connection or a missing instance leaves nothing that looks whole.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
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

/** Where a retrieval lives in the cache: one folder per study (or per study + series). */
export function retrievedFolder(root: string, t: RetrieveTarget): string {
  return path.join(root, 'retrieved', t.seriesUid ? `${t.studyUid}-${t.seriesUid}` : t.studyUid);
}

export async function retrieveToCache(settings: PacsSettings, root: string, target: RetrieveTarget, progress: (p: RetrieveProgress) => void, signal?: AbortSignal): Promise<string> {
  const what = target.seriesUid ? 'the series retrieval' : 'the study retrieval';
  const expected = new Set(await listInstanceUids(settings, target.studyUid, target.seriesUid, signal));
  if (expected.size === 0) throw new PacsError(`${what}: the PACS lists no instances for this ${target.seriesUid ? 'series' : 'study'}`);
  const state: RetrieveProgress = { done: 0, total: expected.size, bytes: 0 };
  progress({ ...state });

  await mkdir(path.join(root, 'incoming'), { recursive: true });
  const incoming = await mkdtemp(path.join(root, 'incoming', 'wado-'));
  try {
    const resourcePath = `/studies/${target.studyUid}` + (target.seriesUid ? `/series/${target.seriesUid}` : '');
    const res = await pacsRequest(settings, { path: resourcePath, accept: 'multipart/related; type="application/dicom"; transfer-syntax=*', what, signal });
    const boundary = multipartBoundary(res.response.headers.get('content-type'));
    if (!boundary) {
      res.close();
      await res.response.body?.cancel().catch(() => undefined);
      throw new PacsError(`${what}: the PACS answered with ${res.response.headers.get('content-type') || 'no content type'}, not multipart DICOM`);
    }
    const received = new Set<string>();
    let part = 0;
    async function* counted() {
      for await (const c of res.chunks()) {
        state.bytes += c.byteLength;
        yield c;
      }
    }
    for await (const { headers, body } of readMultipart(counted(), boundary)) {
      part++;
      const type = headers['content-type'];
      const id = type && !/^application\/dicom\s*(;|$)/i.test(type) ? null : instanceIdentity(body);
      if (!id) throw new PacsError(`${what}: part ${part} of the answer is not a DICOM instance (${type ?? 'no content type'})`);
      if (!received.has(id.sopInstanceUid)) {
        received.add(id.sopInstanceUid);
        // File names are the SOP Instance UIDs: unique, and free of patient data.
        await writeFile(path.join(incoming, `${id.sopInstanceUid}.dcm`), body);
        if (expected.has(id.sopInstanceUid)) state.done++;
      }
      progress({ ...state });
    }
    const missing = [...expected].filter((u) => !received.has(u)).length;
    if (missing > 0) throw new PacsError(`partial retrieval: the PACS delivered ${expected.size - missing} of ${expected.size} instances; nothing was kept, try again`);
    return await commit(incoming, retrievedFolder(root, target));
  } catch (err) {
    await rm(incoming, { recursive: true, force: true });
    throw err;
  }
}

/** Replaces an earlier copy (if any) with the complete new one; each rename is atomic. */
async function commit(incoming: string, final: string): Promise<string> {
  await mkdir(path.dirname(final), { recursive: true });
  const old = existsSync(final) ? `${incoming}-old` : null;
  if (old) await rename(final, old);
  await rename(incoming, final);
  if (old) await rm(old, { recursive: true, force: true });
  return final;
}
