// Opens one fuzz case (a folder or a path) the way the app does (scan, then build every series'
// volume) and classifies what happened. Acceptable: "opened" (a volume with finite geometry and
// window) or "refused" (each problem reported against a named file). Anything else is a finding:
// a raw JavaScript error, a refusal that names no file, a volume with non-finite numbers, a hang.
import { Engine, EngineError } from '../../main/engine/engine';
import { DicomInputError } from '../../main/engine/dicom/errors';
import type { VolumeInfo } from '../../shared/api';

export type Outcome = 'opened' | 'refused' | 'raw-error' | 'unnamed' | 'non-finite' | 'hang' | 'over-budget';
export const ACCEPTABLE: Outcome[] = ['opened', 'refused'];

export interface CaseResult {
  outcome: Outcome;
  ms: number;
  /** The first message that decided the outcome (for findings). */
  detail: string;
}

/** A case taking longer than this is a hang: every file here is under 1 MB. */
export const HANG_MS = 20_000;

function finiteVolume(info: VolumeInfo): boolean {
  const g = info.geometry;
  const nums = [...g.spacing, ...g.origin, ...g.direction, info.window.center, info.window.width, info.range.min, info.range.max];
  return nums.every(Number.isFinite) && g.spacing.every((s) => s > 0) && info.window.width > 0;
}

function timeout(ms: number): Promise<never> {
  return new Promise((_, reject) => setTimeout(() => reject(new HangError()), ms).unref());
}
class HangError extends Error {}

/** Runs `work` on a fresh engine within HANG_MS; anything it throws is a raw error. */
async function classify(
  cacheDir: string,
  options: Partial<ConstructorParameters<typeof Engine>[0]>,
  work: (engine: Engine, done: (o: Outcome, detail?: string) => CaseResult) => Promise<CaseResult>,
): Promise<CaseResult> {
  const started = Date.now();
  const engine = new Engine({ cacheDir, ...options });
  const done = (outcome: Outcome, detail = ''): CaseResult => ({ outcome, ms: Date.now() - started, detail });
  try {
    return await Promise.race([work(engine, done), timeout(HANG_MS)]);
  } catch (err) {
    if (err instanceof HangError) return done('hang', `no answer after ${HANG_MS / 1000} s`);
    return done('raw-error', err instanceof Error ? `${err.name}: ${err.message}` : String(err));
  } finally {
    await engine.dispose().catch(() => undefined);
  }
}

/** Opens `root` (file or folder) whose files are named `names`; `cacheDir` is a scratch folder. */
export function runCase(root: string, names: string[], cacheDir: string): Promise<CaseResult> {
  const namesFile = (message: string) => names.some((n) => message.includes(n));
  return classify(cacheDir, { volumeCacheSize: 1 }, async (engine, done) => {
    const report = await engine.openPaths([root]);
    // scan.ts words every expected failure; "unreadable: <message>" is its fallback for a raw error.
    const raw = report.skipped.find((s) => s.reason.startsWith('unreadable: '));
    if (raw) return done('raw-error', `${raw.file}: ${raw.reason}`);
    let opened = 0;
    for (const uid of report.openedSeries) {
      try {
        const info = await engine.loadVolume(uid);
        if (!finiteVolume(info)) return done('non-finite', JSON.stringify({ geometry: info.geometry, window: info.window, range: info.range }));
        opened++;
      } catch (err) {
        if (!(err instanceof DicomInputError || err instanceof EngineError))
          return done('raw-error', err instanceof Error ? `${err.name}: ${err.message}` : String(err));
        if (!namesFile(err.message)) return done('unnamed', err.message);
      }
    }
    return done(opened > 0 ? 'opened' : 'refused', report.skipped[0] ? `${report.skipped[0].file}: ${report.skipped[0].reason}` : '');
  });
}

/** Imports one package case; "opened" = imported, "refused" = an EngineError naming a package file. */
export function runPackageCase(root: string, names: string[], cacheDir: string): Promise<CaseResult> {
  return classify(cacheDir, {}, async (engine, done) => {
    try {
      await engine.importModel(root);
      return done('opened');
    } catch (err) {
      if (!(err instanceof EngineError)) return done('raw-error', err instanceof Error ? `${err.name}: ${err.message}` : String(err));
      return names.some((n) => err.message.includes(n)) ? done('refused', err.message) : done('unnamed', err.message);
    }
  });
}
