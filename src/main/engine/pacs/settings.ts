// The PACS server settings, kept in the engine's cache folder (pacs/settings.json, mode 600).
// The authorization header is a secret: it is stored, sent to the PACS, and never returned or logged.
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { authorizationSchema, pacsBaseUrlSchema, type PacsSettingsView } from '../../../shared/pacsApi';
import { writeFileAtomic } from '../io/atomic';
import { PacsError } from './pacsError';

export const pacsSettingsSchema = z.object({
  baseUrl: pacsBaseUrlSchema,
  authorization: authorizationSchema.optional(),
  timeoutSeconds: z.number().int().min(1).max(600),
});
export type PacsSettings = z.infer<typeof pacsSettingsSchema>;

export interface SettingsChange {
  baseUrl: string;
  authorization?: string | null;
  timeoutSeconds: number;
}

export class PacsSettingsStore {
  private cached: PacsSettings | null | undefined;
  private readonly file: string;

  constructor(dir: string) {
    this.file = path.join(dir, 'settings.json');
  }

  async get(): Promise<PacsSettings | null> {
    if (this.cached !== undefined) return this.cached;
    if (!existsSync(this.file)) return (this.cached = null);
    const parsed = pacsSettingsSchema.safeParse(JSON.parse(await readFile(this.file, 'utf8').catch(() => 'null')));
    // A damaged file is treated as "not configured" rather than blocking the app; saving rewrites it.
    this.cached = parsed.success ? parsed.data : null;
    return this.cached;
  }

  /** The configured server, or a clear error: nothing touches the network until a PACS is set. */
  async require(): Promise<PacsSettings> {
    const s = await this.get();
    if (!s) throw new PacsError('no PACS is configured: enter the DICOMweb URL in the PACS settings first');
    return s;
  }

  async save(change: SettingsChange): Promise<PacsSettingsView> {
    const previous = await this.get();
    // A kept header goes only to the server it was entered for: a new origin (scheme, host or port)
    // drops it unless the user gives one again, so a changed URL never receives someone else's secret.
    const sameOrigin = !!previous && URL.canParse(change.baseUrl.trim()) && new URL(previous.baseUrl).origin === new URL(change.baseUrl.trim()).origin;
    const kept = sameOrigin ? previous?.authorization : undefined;
    const authorization = change.authorization === null ? undefined : (change.authorization ?? kept);
    const next = pacsSettingsSchema.parse({ baseUrl: change.baseUrl, authorization, timeoutSeconds: change.timeoutSeconds });
    await mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.file, JSON.stringify(next, null, 2) + '\n', 0o600);
    this.cached = next;
    return viewOf(next);
  }

  async view(): Promise<PacsSettingsView | null> {
    const s = await this.get();
    return s ? viewOf(s) : null;
  }
}

function viewOf(s: PacsSettings): PacsSettingsView {
  return { baseUrl: s.baseUrl, hasAuthorization: !!s.authorization, timeoutSeconds: s.timeoutSeconds };
}
