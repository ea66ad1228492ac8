// pacs/incoming after a crash: a folder whose pid now belongs to an unrelated live process (pid
// reuse after a reboot) is removed once it has not changed for a day; a recent one is kept.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { cleanAbandonedIncoming, STALE_INCOMING_MS } from '../../src/main/engine/pacs/incoming';

const root = mkdtempSync(path.join(os.tmpdir(), 'explicare-incoming-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

it('removes a day-old folder of a live pid that is not ours, keeps a recent one and our own', async () => {
  const incoming = path.join(root, 'incoming');
  // pid 1 is always alive (init): it stands for a pid reused by an unrelated process.
  const stale = path.join(incoming, 'wado-1-stale');
  const recent = path.join(incoming, 'wado-1-recent');
  const ours = path.join(incoming, `wado-${process.pid}-old-but-ours`);
  for (const dir of [stale, recent, ours]) mkdirSync(dir, { recursive: true });
  const old = (Date.now() - STALE_INCOMING_MS - 60_000) / 1000;
  utimesSync(stale, old, old);
  utimesSync(ours, old, old);
  expect(await cleanAbandonedIncoming(root)).toBe(1);
  expect(existsSync(stale)).toBe(false);
  expect(readdirSync(incoming).sort()).toEqual([`wado-${process.pid}-old-but-ours`, 'wado-1-recent'].sort());
});
