// Security items 5 and 9 of issue K: the stored PACS authorization header never follows the URL to
// another origin, and the settings file is private from the moment it exists.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/main/engine/io/atomic';
import { PacsSettingsStore } from '../../src/main/engine/pacs/settings';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'explicare-settings-sec-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const stored = () => JSON.parse(readFileSync(path.join(dir, 'settings.json'), 'utf8'));
const SECRET = 'Basic c2VjcmV0OnNlY3JldA==';

describe('PACS authorization and a changed URL', () => {
  it('drops the stored header when the origin changes (https to another host over http)', async () => {
    const store = new PacsSettingsStore(dir);
    await store.save({ baseUrl: 'https://pacs.hospital.example/dicom-web', authorization: SECRET, timeoutSeconds: 30 });
    const view = await store.save({ baseUrl: 'http://elsewhere.example:8042/dicom-web', timeoutSeconds: 30 });
    expect(view.hasAuthorization).toBe(false);
    expect(stored().authorization).toBeUndefined();
    expect((await new PacsSettingsStore(dir).get())?.authorization).toBeUndefined();
  });

  it('drops it for a new scheme or port of the same host, keeps it for a new path', async () => {
    const store = new PacsSettingsStore(dir);
    await store.save({ baseUrl: 'https://pacs.example/dicom-web', authorization: SECRET, timeoutSeconds: 30 });
    expect((await store.save({ baseUrl: 'https://pacs.example/other/dicom-web', timeoutSeconds: 30 })).hasAuthorization).toBe(true);
    expect((await store.save({ baseUrl: 'http://pacs.example/other/dicom-web', timeoutSeconds: 30 })).hasAuthorization).toBe(false);
    await store.save({ baseUrl: 'https://pacs.example/dicom-web', authorization: SECRET, timeoutSeconds: 30 });
    expect((await store.save({ baseUrl: 'https://pacs.example:8443/dicom-web', timeoutSeconds: 30 })).hasAuthorization).toBe(false);
  });

  it('keeps a header the user gives together with the new URL', async () => {
    const store = new PacsSettingsStore(dir);
    await store.save({ baseUrl: 'https://a.example/dicom-web', authorization: SECRET, timeoutSeconds: 30 });
    expect((await store.save({ baseUrl: 'https://b.example/dicom-web', authorization: 'Bearer new', timeoutSeconds: 30 })).hasAuthorization).toBe(true);
    expect(stored().authorization).toBe('Bearer new');
  });
});

describe('settings file mode', () => {
  it('creates the file 0600 from the start (no chmod after a world-readable write)', async () => {
    const old = process.umask(0o022);
    try {
      const file = path.join(dir, 'secret.json');
      await writeFileAtomic(file, '{}', 0o600);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const store = new PacsSettingsStore(dir);
      await store.save({ baseUrl: 'https://a.example/dicom-web', authorization: SECRET, timeoutSeconds: 30 });
      expect(statSync(path.join(dir, 'settings.json')).mode & 0o777).toBe(0o600);
    } finally {
      process.umask(old);
    }
  });
});
