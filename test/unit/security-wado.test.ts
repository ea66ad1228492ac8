// Security items 1 and 7 of issue K: a hostile PACS must not make WADO-RS write outside its folder,
// leave files behind, fill the disk or the memory, or slip in instances nobody asked for.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readMultipart } from '../../src/main/engine/pacs/multipartRelated';
import { PacsService } from '../../src/main/engine/pacs/pacsService';
import { listInstanceUids } from '../../src/main/engine/pacs/qido';
import { retrieveToCache, retrievedFolder, type RetrieveLimits } from '../../src/main/engine/pacs/wadoRetrieve';
import { instance, multipart, SERIES, startFakePacs, STUDY, type FakePacs } from './security-fake-pacs';

let work: string;
let root: string;
beforeEach(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'explicare-wado-sec-'));
  root = path.join(work, 'cache', 'pacs');
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

/** Every file under the work folder, relative, so a stray write anywhere shows up. */
function allFiles(dir = work): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.relative(work, path.join(d.parentPath, d.name)));
}

async function retrieve(fake: FakePacs, limits?: RetrieveLimits): Promise<string> {
  const pacs = await startFakePacs(fake);
  try {
    return await retrieveToCache({ baseUrl: pacs.baseUrl, timeoutSeconds: 10 }, root, { studyUid: STUDY }, () => undefined, undefined, limits);
  } finally {
    await pacs.close();
  }
}

const A = `${STUDY}.1.1`;
const B = `${STUDY}.1.2`;

describe('WADO-RS against a hostile PACS', () => {
  it('never writes a file named by a UID with a path in it (delivered but not listed)', async () => {
    const folder = await retrieve({ listed: [A], wado: multipart([instance('../../../escaped'), instance(A), instance('/tmp/abs')]) });
    expect(readdirSync(folder)).toEqual([`${A}.dcm`]);
    expect(allFiles().filter((f) => !f.startsWith(path.join('cache', 'pacs', 'retrieved')))).toEqual([]);
  });

  it('refuses a listed UID that breaks the UID grammar, before transferring anything', async () => {
    await expect(retrieve({ listed: [A, '../../x'], wado: multipart([instance(A), instance('../../x')]) })).rejects.toThrow(
      /not a valid DICOM UID; nothing was retrieved/,
    );
    expect(allFiles()).toEqual([]);
  });

  it('leaves nothing on disk when a retrieval with a hostile part then fails', async () => {
    await expect(retrieve({ listed: [A, B], wado: multipart([instance('../../../escaped'), instance(A)]) })).rejects.toThrow(/partial retrieval: .*1 of 2/);
    expect(allFiles()).toEqual([]);
    expect(readdirSync(path.join(root, 'incoming'))).toEqual([]);
  });

  it('keeps only the instances that were asked for (not extra ones, not another study)', async () => {
    const extra = `${STUDY}.9.9`;
    const otherStudy = instance(B, '1.2.3.999');
    const folder = await retrieve({ listed: [A, B], wado: multipart([instance(A), instance(extra), otherStudy, instance(B)]) });
    expect(readdirSync(folder).sort()).toEqual([`${A}.dcm`, `${B}.dcm`]);
  });

  it('stops at the response cap and at the instance cap, keeping nothing', async () => {
    const big = multipart([instance(A), instance(B)]);
    await expect(retrieve({ listed: [A, B], wado: big }, { maxInstanceBytes: 2 ** 20, maxResponseBytes: 400 })).rejects.toThrow(/sent more than/);
    expect(allFiles()).toEqual([]);
    const huge = multipart([Buffer.concat([instance(A), Buffer.alloc(3 * 2 ** 20)])]);
    await expect(retrieve({ listed: [A], wado: huge }, { maxInstanceBytes: 2 ** 20, maxResponseBytes: 2 ** 30 })).rejects.toThrow(/instance larger than 1 MB/);
    expect(allFiles()).toEqual([]);
  });

  it('refuses a QIDO answer that inflates beyond its cap (gzip bomb)', async () => {
    const pacs = await startFakePacs({ listed: [A], wado: Buffer.alloc(0), qidoInflatedBytes: 80 * 2 ** 20 });
    try {
      await expect(listInstanceUids({ baseUrl: pacs.baseUrl, timeoutSeconds: 10 }, STUDY, SERIES)).rejects.toThrow(/sent more than 64 MB/);
    } finally {
      await pacs.close();
    }
  });

  it('stores retrieved studies readable by the user only', async () => {
    const folder = await retrieve({ listed: [A], wado: multipart([instance(A)]) });
    expect(statSync(folder).mode & 0o077).toBe(0);
    expect(statSync(path.dirname(folder)).mode & 0o077).toBe(0);
    expect(statSync(path.join(folder, `${A}.dcm`)).mode & 0o077).toBe(0);
    expect(folder).toBe(retrievedFolder(root, { studyUid: STUDY }));
  });

  it('removes what a crashed retrieval left in pacs/incoming at start, not a live one', async () => {
    const incoming = path.join(root, 'incoming');
    mkdirSync(path.join(incoming, 'wado-2147483000-abc123'), { recursive: true }); // no such process
    mkdirSync(path.join(incoming, 'wado-Xy12Ab')); // made before folders carried a pid
    mkdirSync(path.join(incoming, `wado-${process.pid}-live`));
    const service = new PacsService(root, async () => {
      throw new Error('not opened in this test');
    });
    expect(await service.cleanedUp).toBe(2);
    expect(readdirSync(incoming)).toEqual([`wado-${process.pid}-live`]);
    expect(existsSync(incoming)).toBe(true);
  });
});

describe('multipart parsing cost', () => {
  it('reads a 32 MB instance sent in 16 KB chunks in linear time', async () => {
    const body = Buffer.alloc(32 * 2 ** 20, 7);
    const data = multipart([body]);
    async function* chunks() {
      for (let i = 0; i < data.length; i += 16384) yield data.subarray(i, i + 16384);
    }
    const t0 = performance.now();
    const parts = [];
    for await (const p of readMultipart(chunks(), 'fake-boundary', { maxPartBytes: 2 ** 30 })) parts.push(p);
    const ms = performance.now() - t0;
    console.log(`multipart 32 MB in 16 KB chunks: ${ms.toFixed(0)} ms`);
    expect(parts).toHaveLength(1);
    expect(parts[0].body.equals(body)).toBe(true);
    expect(ms).toBeLessThan(3000);
  });
});
