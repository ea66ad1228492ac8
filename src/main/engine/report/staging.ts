// All-or-nothing output: files are staged in a hidden folder inside the output folder and renamed
// into place only when every one of them was written; a failure removes the staging folder.
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

export class Staging {
  private readonly files: string[] = [];
  private constructor(
    readonly out: string,
    private readonly dir: string,
    private readonly onStaged?: (name: string) => void | Promise<void>,
  ) {}

  static async open(out: string, onStaged?: (name: string) => void | Promise<void>): Promise<Staging> {
    await mkdir(out, { recursive: true });
    return new Staging(out, await mkdtemp(path.join(out, '.explicare-report-')), onStaged);
  }

  /** Writes `name` (relative, may contain one sub-folder) into the staging folder. */
  async write(name: string, data: Uint8Array): Promise<void> {
    const file = path.join(this.dir, name);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, data);
    this.files.push(name);
    await this.onStaged?.(name);
  }

  /** Moves every staged file into the output folder (each rename is atomic); returns their paths. */
  async commit(): Promise<string[]> {
    const done: string[] = [];
    for (const name of this.files) {
      const target = path.join(this.out, name);
      await mkdir(path.dirname(target), { recursive: true });
      await rename(path.join(this.dir, name), target);
      done.push(target);
    }
    await rm(this.dir, { recursive: true, force: true });
    return done;
  }

  async abort(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
