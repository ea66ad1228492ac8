// `npm run cli` runs the CLI from an esbuild bundle (scripts/cli.mjs): it must behave like the
// source entry (exit codes, messages) and find the bundled models and worker threads.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const cli = (args: string[]) => spawnSync(process.execPath, ['scripts/cli.mjs', ...args], { encoding: 'utf8', timeout: 120_000 });

describe('the bundled CLI launcher', () => {
  it('lists the commands and exits 0 for help, 1 for an unknown command', () => {
    const help = cli(['help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/usage: npm run cli -- <command>/);
    expect(help.stdout).toMatch(/explain/);
    const unknown = cli(['no-such-command']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/unknown command "no-such-command"/);
  }, 120_000);

  it('predicts in its inference worker exactly as the source entry does (bundled models and worker found)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'explicare-cli-bundle-'));
    try {
      expect(cli(['generate', '--kind', 'ct', '--seed', '3', '--slices', '20', '--out', path.join(dir, 'ct')]).status).toBe(0);
      const args = (out: string) => ['predict', '--study', path.join(dir, 'ct'), '--model', 'ct-nodule-classifier', '--out', path.join(dir, out)];
      const env = { ...process.env, EXPLICARE_CACHE_DIR: path.join(dir, 'cache') };
      expect(spawnSync(process.execPath, ['scripts/cli.mjs', ...args('bundle')], { env, timeout: 120_000 }).status).toBe(0);
      expect(spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args('source')], { env, timeout: 120_000 }).status).toBe(0);
      const read = (out: string) => JSON.parse(readFileSync(path.join(dir, out, 'result.json'), 'utf8'));
      const [bundled, source] = [read('bundle'), read('source')];
      expect(bundled.modelName).toBe('Demo CT lung nodule classifier');
      expect(bundled.classification.probabilities).toHaveLength(2);
      expect(bundled.classification).toEqual(source.classification);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
