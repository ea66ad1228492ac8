// The user's execution-provider choice, kept in the engine's cache folder (inference-settings.json,
// mode 600) like the PACS settings. The file is read as hostile input: too large, not JSON or not
// the expected shape is reported with the file's name and the cause, and 'auto' is used until the
// user saves again (which rewrites the file); it never stops the engine from starting.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { providerPreferenceSchema, type ProviderPreference } from '../../../shared/executionProviders';
import { writeFileAtomic } from '../io/atomic';

export const PROVIDER_SETTINGS_FILE = 'inference-settings.json';
/** The file holds one short field; anything larger was not written by Explicare. */
const MAX_BYTES = 4096;

const fileSchema = z.object({ provider: providerPreferenceSchema }).strict();

export interface SavedProvider {
  provider: ProviderPreference;
  /** Why the file could not be used, naming it; absent when it was fine or absent. */
  problem?: string;
}

export class ProviderSettingsFile {
  readonly file: string;
  private cached: SavedProvider | undefined;

  constructor(dir: string) {
    this.file = path.join(dir, PROVIDER_SETTINGS_FILE);
  }

  /** Read once (synchronously: the engine needs it before the first model loads), then kept. */
  get(): SavedProvider {
    this.cached ??= this.read();
    return this.cached;
  }

  private read(): SavedProvider {
    if (!existsSync(this.file)) return { provider: 'auto' };
    const unusable = (why: string): SavedProvider => ({ provider: 'auto', problem: `${this.file}: ${why}; using "auto" until the choice is saved again` });
    try {
      const st = statSync(this.file);
      if (!st.isFile()) return unusable('not a regular file');
      if (st.size > MAX_BYTES) return unusable(`${st.size} bytes, larger than the ${MAX_BYTES} such a file can have`);
      let json: unknown;
      try {
        json = JSON.parse(readFileSync(this.file, 'utf8'));
      } catch {
        return unusable('not JSON');
      }
      const parsed = fileSchema.safeParse(json);
      if (!parsed.success) return unusable(parsed.error.issues.map((i) => `${i.path.join('.') || 'file'}: ${i.message}`).join('; '));
      return { provider: parsed.data.provider };
    } catch (err) {
      return unusable(`cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }

  /** Validates again (the API did already): nothing but a known choice is ever written. */
  async save(provider: ProviderPreference): Promise<SavedProvider> {
    const next = fileSchema.parse({ provider });
    await mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.file, JSON.stringify(next, null, 2) + '\n', 0o600);
    this.cached = { provider: next.provider };
    return this.cached;
  }
}

/**
 * EXPLICARE_PROVIDER, when set, decides over the saved choice (scripts, tests, a machine whose GPU
 * must not be used). A value that is not a provider is ignored, and the view says so.
 */
export function environmentProvider(value: string | undefined): { value: string; provider?: ProviderPreference; message: string } | undefined {
  if (value === undefined || value === '') return undefined;
  const parsed = providerPreferenceSchema.safeParse(value);
  return parsed.success
    ? { value, provider: parsed.data, message: `EXPLICARE_PROVIDER=${value} decides for this run; the saved choice applies when it is not set` }
    : {
        value,
        message: `EXPLICARE_PROVIDER=${JSON.stringify(value.slice(0, 40))} is not a provider (${providerPreferenceSchema.options.join(', ')}) and is ignored`,
      };
}
