// A study folder's fingerprint: sha256 over every file below it (relative path, size, contents) in
// sorted order. The submitter puts it in each job and the worker recomputes it on its own copy of
// the shared folder, so a worker that mounted a different or changed study refuses the job instead
// of reporting numbers for something else.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

async function filesBelow(root: string, rel = ''): Promise<string[]> {
  const entries = await readdir(path.join(root, rel), { withFileTypes: true });
  const out: string[] = [];
  for (const e of entries) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await filesBelow(root, r)));
    else if (e.isFile()) out.push(r);
    // Links and devices are left out on both sides alike: the engine's scan does not follow them either.
  }
  return out;
}

export async function studyDigest(dir: string): Promise<string> {
  const hash = createHash('sha256');
  const files = (await filesBelow(dir)).sort();
  for (const rel of files) {
    const full = path.join(dir, rel);
    hash.update(`${rel}\0${(await stat(full)).size}\0`);
    for await (const chunk of createReadStream(full)) hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}
