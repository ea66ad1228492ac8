// The private folders a WADO-RS retrieval fills before its result is complete (pacs/incoming).
// Each carries the pid of the process that made it, so a later start can remove what a crashed
// retrieval left behind without touching the folder of a retrieval still running in another
// process (the CLI and the app may share one cache).
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';

const PREFIX = 'wado-';

/**
 * A folder whose pid names a live process but that has not changed for this long is abandoned all
 * the same: after a crash and a reboot the pid may belong to an unrelated process now, while a
 * live retrieval writes into its folder (and so touches it) with every instance.
 */
export const STALE_INCOMING_MS = 24 * 60 * 60 * 1000;

export async function newIncomingFolder(root: string): Promise<string> {
  const parent = path.join(root, 'incoming');
  await mkdir(parent, { recursive: true, mode: 0o700 });
  return mkdtemp(path.join(parent, `${PREFIX}${process.pid}-`)); // mkdtemp: mode 0700
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

async function untouchedFor(folder: string, ms: number): Promise<boolean> {
  try {
    return Date.now() - (await stat(folder)).mtimeMs > ms;
  } catch {
    return false;
  }
}

/** Removes incoming folders whose process is gone, that predate pid naming, or that another live pid has left untouched for a day. Returns how many. */
export async function cleanAbandonedIncoming(root: string): Promise<number> {
  const parent = path.join(root, 'incoming');
  let names: string[];
  try {
    names = await readdir(parent);
  } catch {
    return 0; // no incoming folder yet
  }
  let removed = 0;
  for (const name of names) {
    const pid = /^wado-(\d+)-/.exec(name)?.[1];
    if (pid && alive(Number(pid)) && !(Number(pid) !== process.pid && (await untouchedFor(path.join(parent, name), STALE_INCOMING_MS)))) continue;
    await rm(path.join(parent, name), { recursive: true, force: true });
    removed++;
  }
  return removed;
}
