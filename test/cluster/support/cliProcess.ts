// A CLI command as its own process (a worker, a submitter, a local evaluate), optionally inside a
// test host; its output is kept (and written to a file for a failing test's post-mortem) and can be
// waited on line by line.
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';

export interface CliProcess {
  proc: ChildProcess;
  output(): string;
  /** Resolves with the first match of `pattern` in the output (already there or yet to come). */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit status (null when killed by a signal). */
  exited: Promise<number | null>;
}

/** `bundled`: through scripts/cli.mjs (the esbuild bundle `npm run cli` runs) instead of tsx on the sources. */
export function startCli(args: string[], o: { prefix?: string[]; env?: Record<string, string>; logFile: string; bundled?: boolean }): CliProcess {
  const entry = o.bundled ? ['scripts/cli.mjs'] : ['--import', 'tsx', 'src/cli/main.ts'];
  const argv = [...(o.prefix ?? []), process.execPath, ...entry, ...args];
  const proc = spawn(argv[0], argv.slice(1), { env: { ...process.env, ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const waiters: { pattern: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  const onData = (d: Buffer) => {
    text += String(d);
    appendFileSync(o.logFile, d);
    for (const w of [...waiters]) {
      const m = text.match(w.pattern);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => proc.once('close', (code) => resolve(code)));
  return {
    proc,
    output: () => text,
    exited,
    waitFor(pattern, timeoutMs) {
      const m = text.match(pattern);
      if (m) return Promise.resolve(m);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern} in ${o.logFile}:\n${text.slice(-3000)}`)), timeoutMs);
        waiters.push({ pattern, resolve: (x) => (clearTimeout(timer), resolve(x)) });
        void exited.then((code) => {
          if (waiters.some((w) => w.pattern === pattern)) {
            clearTimeout(timer);
            reject(new Error(`exited (${code}) before ${pattern} in ${o.logFile}:\n${text.slice(-3000)}`));
          }
        });
      });
    },
  };
}
