// The model library: bundled demo models plus packages the user imported (copied into the cache,
// so a model keeps working when the original folder moves). Sessions are loaded once and reused.
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile, mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import type { ModelSummary } from '../../../shared/api';
import type { InferencePool, LoadedSession } from '../inference/pool';
import { ModelPackageError, readModelPackage, type ModelPackage } from './readPackage';
import { checkSignature } from './signature';

export interface LibraryEntry {
  pkg: ModelPackage;
  source: 'bundled' | 'imported';
  session?: Promise<LoadedSession>;
}

export class ModelLibrary {
  private readonly entries = new Map<string, LibraryEntry>();
  private scanned: Promise<void> | null = null;

  constructor(
    private readonly bundledDir: string | undefined,
    private readonly libraryDir: string,
    private readonly worker: () => InferencePool,
  ) {}

  private async scanDir(dir: string | undefined, source: LibraryEntry['source']): Promise<void> {
    if (!dir || !existsSync(dir)) return;
    for (const name of (await readdir(dir)).sort()) {
      if (name.includes('.tmp-')) continue;
      try {
        const pkg = await readModelPackage(path.join(dir, name));
        if (!this.entries.has(pkg.sha256)) this.entries.set(pkg.sha256, { pkg, source });
      } catch {
        // A broken package in the library folder is skipped; import reports problems to the user.
      }
    }
  }

  private ready(): Promise<void> {
    this.scanned ??= (async () => {
      await this.scanDir(this.bundledDir, 'bundled');
      await this.scanDir(this.libraryDir, 'imported');
    })();
    return this.scanned;
  }

  async list(): Promise<ModelSummary[]> {
    await this.ready();
    return [...this.entries.values()].map(({ pkg, source }) => ({
      id: pkg.sha256,
      source,
      name: pkg.manifest.name,
      version: pkg.manifest.version,
      task: pkg.manifest.task,
      modality: pkg.manifest.modality,
      description: pkg.manifest.description,
      inputShape: pkg.manifest.input.shape,
      card: pkg.manifest.card,
      warnings: pkg.warnings.length ? pkg.warnings : undefined,
    }));
  }

  /** Loads (once) the model's session in the inference worker, checking its signature. */
  session(id: string): Promise<LoadedSession> {
    const entry = this.entries.get(id);
    if (!entry) throw new ModelPackageError('this model is not in the library');
    entry.session ??= this.worker()
      .load(id, entry.pkg.onnx)
      .then((s) => {
        checkSignature(entry.pkg.manifest, s);
        return s;
      })
      .catch((err: unknown) => {
        entry.session = undefined;
        throw err instanceof ModelPackageError
          ? err
          : new ModelPackageError(`model.onnx could not be loaded by ONNX Runtime: ${(err as Error).message.split('\n')[0]}`);
      });
    return entry.session;
  }

  /** Drops every loaded session (a new inference pool loads them again under a changed provider). */
  forgetSessions(): void {
    for (const entry of this.entries.values()) entry.session = undefined;
  }

  async get(id: string): Promise<LibraryEntry> {
    await this.ready();
    const entry = this.entries.get(id);
    if (!entry) throw new ModelPackageError('this model is not in the library');
    return entry;
  }

  /** Validates a package fully (manifest, ONNX, signature) before it enters the library. */
  async import(location: string): Promise<ModelSummary> {
    await this.ready();
    const pkg = await readModelPackage(location);
    const existing = this.entries.get(pkg.sha256);
    if (!existing) {
      const entry: LibraryEntry = { pkg, source: 'imported' };
      this.entries.set(pkg.sha256, entry);
      try {
        await this.session(pkg.sha256);
      } catch (err) {
        this.entries.delete(pkg.sha256);
        throw err;
      }
      await this.persist(pkg);
    }
    return (await this.list()).find((m) => m.id === pkg.sha256)!;
  }

  private async persist(pkg: ModelPackage): Promise<void> {
    await mkdir(this.libraryDir, { recursive: true });
    const final = path.join(this.libraryDir, pkg.sha256.slice(0, 16));
    if (existsSync(final)) return;
    const tmp = await mkdtemp(`${final}.tmp-`);
    try {
      await writeFile(path.join(tmp, 'model.onnx'), pkg.onnx);
      // The library copy carries the checksum it was imported with: later damage in the cache is refused.
      await writeFile(path.join(tmp, 'model.json'), JSON.stringify({ ...pkg.manifest, sha256: pkg.sha256 }, null, 2));
      await rename(tmp, final);
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      throw err;
    }
  }
}
