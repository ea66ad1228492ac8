// The per-install secret that keys anonymization (pseudonyms, date offsets, remapped UIDs). With a
// fixed public key anyone could recompute the mapping and undo it (a numeric patient ID falls to
// brute force in under a second); with 32 random bytes known only to this install it cannot be.
// The file is created once, owner-only (0600), beside the engine's other private files, and reused
// so that repeated exports of one patient stay consistent.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import path from 'node:path';
import { ReportError } from './resultFile';

export const SECRET_FILE = 'anonymization-secret';
const SECRET_BYTES = 32;

/** Reads `<dir>/anonymization-secret`, creating it (O_EXCL, mode 0600) on first use. */
export async function anonymizationSecret(dir: string): Promise<Buffer> {
  const file = path.join(dir, SECRET_FILE);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  try {
    // O_EXCL: two exports starting at once never both write a secret; the loser reads the winner's.
    const h = await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    const secret = randomBytes(SECRET_BYTES);
    try {
      await h.writeFile(secret);
      await h.sync();
    } finally {
      await h.close();
    }
    return secret;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new ReportError(`cannot create the anonymization secret ${file}: ${(err as Error).message}`);
  }
  return readSecret(file);
}

async function readSecret(file: string): Promise<Buffer> {
  // O_NOFOLLOW + a regular-file check: a planted link or pipe cannot stand in for the secret.
  let h;
  try {
    h = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    throw new ReportError(`cannot read the anonymization secret ${file}: ${(err as Error).message}`);
  }
  try {
    const st = await h.stat();
    if (!st.isFile() || st.size !== SECRET_BYTES) {
      throw new ReportError(`the anonymization secret ${file} is not a ${SECRET_BYTES}-byte file: remove it to create a new one (pseudonyms will change)`);
    }
    if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) await h.chmod(0o600); // written by an older version or copied with wider rights
    const secret = Buffer.alloc(SECRET_BYTES);
    const { bytesRead } = await h.read(secret, 0, SECRET_BYTES, 0);
    if (bytesRead !== SECRET_BYTES) throw new ReportError(`the anonymization secret ${file} could not be read whole`);
    return secret;
  } finally {
    await h.close();
  }
}
