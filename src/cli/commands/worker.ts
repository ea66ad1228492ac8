// `worker --queue redis://HOST:PORT --model DIR|NAME[,...] --shared DIR|--pacs URL [--concurrency K]
//  [--lock-seconds S] [--name NAME] [--queue-ca FILE]`: takes `evaluate --queue` jobs for the models it
// holds and runs them with this machine's engine (its own GPU or CPU provider). Studies come from the
// shared folder, or are retrieved from the one PACS given with --pacs (EXPLICARE_PACS_AUTHORIZATION). Stops cleanly on
// SIGINT/SIGTERM after the jobs under way (a second signal exits at once; their jobs go to another
// worker after the lock expires). See docs/cluster.md.
import { existsSync, statSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { bundledModelsDir, defaultCacheDir } from '../../main/engine/paths';
import { type Command, CommandFailure, UsageError } from '../command';
import { resolveModelPath } from '../openForModel';
import { startCaseWorkers } from '../cluster/caseWorker';
import { startCaseThread } from '../cluster/caseThreadHost';
import { parseQueueUrl } from '../../main/engine/cluster/queueUrl';
import { assertRedisClient } from '../../main/engine/cluster/queueErrors';
import { DEFAULT_STUDY_BUDGET_BYTES, pacsSettingsFrom, removeAbandonedStudies } from '../../main/engine/cluster/pacsStudy';
import { withCliErrors } from '../cluster/cliErrors';

function whole(name: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const v = Number(text);
  if (!/^\d+$/.test(text) || v < min || v > max) throw new UsageError(`--${name} must be a whole number in ${min}..${max}, got "${text}"`);
  return v;
}

export const workerCommand: Command = {
  summary: 'take cohort evaluation jobs from a Redis queue (BullMQ) and run them here',
  usage:
    'worker --queue redis://[user:password@]HOST:PORT[/DB] --model DIR|ZIP|NAME[,...] --shared DIR|--pacs URL [--pacs-timeout 60] [--pacs-max-mb 4096] [--concurrency 1] [--lock-seconds 30] [--name NAME] [--queue-ca FILE]',
  run: (args) => withCliErrors(() => runWorker(args)),
};

async function runWorker(args: string[]): Promise<void> {
  {
    const { values } = parseArgs({
      args,
      strict: true,
      options: Object.fromEntries(
        ['queue', 'queue-ca', 'model', 'shared', 'concurrency', 'lock-seconds', 'name', 'pacs', 'pacs-timeout', 'pacs-max-mb'].map((k) => [k, { type: 'string' as const, multiple: k === 'model' }]),
      ),
    });
    if (!values.queue || !values.model || !(values.shared || values.pacs)) throw new UsageError('--queue, --model and --shared or --pacs (or both) are required');
    const target = parseQueueUrl(values.queue as string, { caFile: values['queue-ca'] as string | undefined, password: process.env.EXPLICARE_QUEUE_PASSWORD });
    const shared = values.shared as string | undefined;
    if (shared !== undefined && (!existsSync(shared) || !statSync(shared).isDirectory())) throw new UsageError(`--shared: ${shared} is not a folder`);
    const pacsTimeout = whole('pacs-timeout', values['pacs-timeout'] as string | undefined, 60, 1, 600);
    const pacsBudgetBytes = whole('pacs-max-mb', values['pacs-max-mb'] as string | undefined, DEFAULT_STUDY_BUDGET_BYTES / 2 ** 20, 1, 2 ** 20) * 2 ** 20;
    const pacs = values.pacs === undefined ? undefined : pacsSettingsFrom(values.pacs as string, process.env.EXPLICARE_PACS_AUTHORIZATION, pacsTimeout);
    const concurrency = whole('concurrency', values.concurrency as string | undefined, 1, 1, 64);
    const lockSeconds = whole('lock-seconds', values['lock-seconds'] as string | undefined, 30, 2, 3600);
    const name = ((values.name as string | undefined) ?? `${os.hostname()}:${process.pid}`).slice(0, 200);
    assertRedisClient();
    const modelPaths = (values.model as string[]).flatMap((m) => m.split(',')).map((m) => resolveModelPath(m.trim()));

    const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${name} ${line}\n`);
    let engine;
    try {
      engine = await startCaseThread({ cacheDir: defaultCacheDir(), bundledModelsDir: bundledModelsDir(), modelPaths, sharedDir: shared, pacs, pacsBudgetBytes, name }, (reason) => {
        // Without its engine this worker can do nothing: its jobs go to others once their locks lapse.
        log(`${reason}; exiting`);
        process.exit(1);
      });
    } catch (err) {
      throw new CommandFailure((err as Error).message);
    }
    for (const m of engine.models) log(`holds ${m.name} ${m.version} (sha256 ${m.id})`);
    if (pacs) {
      log(`retrieves studies from ${pacs.baseUrl}${pacs.authorization ? ' (with an authorization header)' : ''}`);
      const removed = await removeAbandonedStudies();
      if (removed) log(`removed ${removed} study folder(s) a stopped worker left in ${os.tmpdir()}`);
    }
    const onLastingError = (reason: string) => {
      process.stderr.write(`worker: --queue ${target.display}: ${reason}\n`);
      process.exit(1);
    };
    const running = await startCaseWorkers(engine, { connection: target.connection, concurrency, lockSeconds, log, name, onLastingError });
    log(`waiting for jobs on ${target.display}`);
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        log(`${signal}: finishing the jobs under way (again to exit now)`);
        process.once(signal, () => process.exit(130));
        resolve();
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
    await running.close();
    await engine.dispose();
    log('stopped');
  }
}
