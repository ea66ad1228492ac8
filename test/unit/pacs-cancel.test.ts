// A cancelled PACS retrieval ends as 'cancelled' through its own error (RetrievalCancelled), not
// an explanation's: the server here accepts the request and never answers, so only the cancel ends it.
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExplainCancelled } from '../../src/main/engine/explain/method';
import { RetrievalCancelled } from '../../src/main/engine/pacs/pacsError';
import { PacsService } from '../../src/main/engine/pacs/pacsService';
import { isCancellation } from '../../src/main/engine/services/engineError';
import { STUDY } from './security-fake-pacs';

let work: string;
let server: Server;
let baseUrl: string;
let requests = 0;
beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'explicare-pacs-cancel-'));
  server = createServer(() => {
    requests++; // held open: the retrieval can only end by its cancel (or the 60 s timeout)
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  baseUrl = `http://127.0.0.1:${address.port}/dicom-web`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(work, { recursive: true, force: true });
});

describe('PACS retrieval cancel', () => {
  it('ends the transfer as cancelled, by the user, while the server is still silent', async () => {
    const service = new PacsService(path.join(work, 'pacs'), async () => {
      throw new Error('nothing is opened in this test');
    });
    await service.saveSettings({ baseUrl, timeoutSeconds: 60 });
    const started = await service.retrieve({ studyUid: STUDY });
    for (let i = 0; i < 200 && requests === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(requests).toBeGreaterThan(0);
    service.cancel(started.id);
    let status = service.transfer(started.id);
    for (let i = 0; i < 500 && status.state === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 10));
      status = service.transfer(started.id);
    }
    expect(status).toMatchObject({ state: 'cancelled', error: 'cancelled by the user' });
  });

  it('is its own error: a cancellation for the job table, not an explanation cancel', () => {
    const err = new RetrievalCancelled();
    expect(err).not.toBeInstanceOf(ExplainCancelled);
    expect(isCancellation(err)).toBe(true);
    expect(isCancellation(new ExplainCancelled())).toBe(true);
    expect(isCancellation(new Error('cancelled'))).toBe(false);
  });
});
