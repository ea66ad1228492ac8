// All-or-nothing output: files are staged in a hidden folder inside the output folder and moved
// into place only when every one of them was written; a failure removes the staging folder.
// Existing files are never replaced silently: without `overwrite` the commit checks every target
// first and then places each with link() (which fails if the name appeared meanwhile), so a
// refused export leaves the output folder exactly as it was.
import { constants } from 'node:fs';
import { copyFile, link, lstat, mkdir, mkdtemp, rename, rm, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ReportError } from './resultFile';

/** Creates `target` from `staged`, failing with EEXIST if it exists (copy where hard links are not supported, e.g. FAT). */
async function placeNew(staged: string, target: string): Promise<void> {
  try {
    await link(staged, target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV') throw err;
    await copyFile(staged, target, constants.COPYFILE_EXCL);
  }
}

const exists = (p: string) => lstat(p).then(() => true, () => false);

export class Staging {
  private readonly files: string[] = [];
  private constructor(
    readonly out: string,
    private readonly dir: string,
    private readonly onStaged?: (name: string) => void | Promise<void>,
    private readonly overwrite = false,
  ) {}

  static async open(out: string, onStaged?: (name: string) => void | Promise<void>, overwrite = false): Promise<Staging> {
    await mkdir(out, { recursive: true });
    return new Staging(out, await mkdtemp(path.join(out, '.explicare-report-')), onStaged, overwrite);
  }

  /** Writes `name` (relative, may contain one sub-folder) into the staging folder. */
  async write(name: string, data: Uint8Array): Promise<void> {
    const file = path.join(this.dir, name);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, data);
    this.files.push(name);
    await this.onStaged?.(name);
  }

  /** Stages `name` written by `produce` at the path it is given (large objects streamed to disk). */
  async writeWith<T>(name: string, produce: (file: string) => Promise<T>): Promise<T> {
    const file = path.join(this.dir, name);
    await mkdir(path.dirname(file), { recursive: true });
    const out = await produce(file);
    this.files.push(name);
    await this.onStaged?.(name);
    return out;
  }

  /** Moves every staged file into the output folder; returns their paths. */
  async commit(): Promise<string[]> {
    if (!this.overwrite) {
      for (const name of this.files) if (await exists(path.join(this.out, name))) throw this.existsError(name);
    }
    const done: string[] = [];
    try {
      for (const name of this.files) {
        const target = path.join(this.out, name);
        await mkdir(path.dirname(target), { recursive: true });
        if (this.overwrite) await rename(path.join(this.dir, name), target);
        else {
          try {
            await placeNew(path.join(this.dir, name), target);
          } catch (err) {
            throw (err as NodeJS.ErrnoException).code === 'EEXIST' ? this.existsError(name) : err;
          }
        }
        done.push(target);
      }
    } catch (err) {
      // Only files this commit created are removed (with overwrite, replaced ones cannot come back).
      if (!this.overwrite) for (const f of done) await unlink(f).catch(() => undefined);
      throw err;
    }
    await rm(this.dir, { recursive: true, force: true });
    return done;
  }

  async abort(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }

  private existsError(name: string): ReportError {
    return new ReportError(
      `${path.join(this.out, name)} already exists: nothing was written (choose another folder, or ask to overwrite: --overwrite / overwrite: true)`,
    );
  }
}
