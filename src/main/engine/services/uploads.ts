// Files sent by a browser renderer: copied into a private folder of this session (one per upload),
// so the engine opens paths as it does for the desktop app; removed when the session ends.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type UploadFile, uploadLimits, uploadNameSchema } from '../../../shared/api';
import { EngineError } from './engineError';

export class UploadFolders {
  private count = 0;

  constructor(private readonly root: string) {}

  /** Writes the files into a new folder of this session; returns their paths. */
  async write(files: UploadFile[]): Promise<string[]> {
    if (files.length === 0) throw new EngineError('bad-input', 'no files were given');
    if (files.length > uploadLimits.maxFiles) throw new EngineError('bad-input', `too many files (${files.length}, limit ${uploadLimits.maxFiles})`);
    const dir = path.join(this.root, `${process.pid}-${++this.count}`);
    await mkdir(dir, { recursive: true });
    const used = new Set<string>();
    const written: string[] = [];
    for (const [i, f] of files.entries()) {
      // A name that is not a plain file name (a path, a device) is replaced, never followed.
      const name = uploadNameSchema.safeParse(f.name).success ? f.name : `file-${i}`;
      const unique = used.has(name) ? `${i}-${name}` : name;
      used.add(unique);
      written.push(path.join(dir, unique));
      await writeFile(written[written.length - 1], new Uint8Array(f.data));
    }
    return written;
  }

  /** Removes this session's copies (the user's own files are never touched). */
  async dispose(): Promise<void> {
    for (let i = 1; i <= this.count; i++) await rm(path.join(this.root, `${process.pid}-${i}`), { recursive: true, force: true });
  }
}
