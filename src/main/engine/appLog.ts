// The application log: where internal failures are recorded so that "see the application log" in
// an error message points at something real. It holds where in the code a failure happened, never
// what it was about: error messages can quote file names, patient names, UIDs or tag values, so
// only the error's class, its system code and stack frames (function and source file:line) are
// written. Private to the user (0600) and bounded (one previous file kept).
import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';

const MAX_BYTES = 1024 * 1024;

/** "Engine.openPaths (engine.ts:80)" for each frame: code locations, never data paths. */
function frames(err: unknown): string[] {
  const stack = err instanceof Error && typeof err.stack === 'string' ? err.stack : '';
  return stack
    .split('\n')
    .filter((l) => /^\s+at /.test(l))
    .slice(0, 8)
    .map((l) => {
      const m = /^\s+at (?:async )?(?:(\S+) \()?(.*?)(?::(\d+):\d+)?\)?$/.exec(l);
      if (!m) return '?';
      const fn = m[1] && /^[\w$.<>]+$/.test(m[1]) ? m[1] : '<anonymous>';
      const file = /\.(?:[cm]?[jt]s|vue)$/.test(m[2]) ? path.basename(m[2]) : 'native';
      return `${fn} (${file}${m[3] ? ':' + m[3] : ''})`;
    });
}

/** The error's kind: a class name or system code, which carry no data. */
function kind(err: unknown): string {
  const name = err instanceof Error && /^[A-Za-z]{1,40}$/.test(err.name) ? err.name : 'Error';
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z0-9_]{1,40}$/.test(code) ? `${name} ${code}` : name;
}

export class AppLog {
  constructor(readonly file: string) {}

  /** `context`: what was being done, in code terms (an API method name), never user data. */
  error(context: string, err: unknown): void {
    const safeContext = /^[A-Za-z][\w.-]{0,63}$/.test(context) ? context : 'request';
    const line = `${new Date().toISOString()} ${safeContext} failed: ${kind(err)} at ${frames(err).join(' < ') || 'unknown'}\n`;
    try {
      mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
      if ((statSync(this.file, { throwIfNoEntry: false })?.size ?? 0) > MAX_BYTES) renameSync(this.file, `${this.file}.1`);
      appendFileSync(this.file, line, { mode: 0o600 });
    } catch {
      // A log that cannot be written must not turn one failure into two.
    }
  }
}
