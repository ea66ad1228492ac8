// Headless entry point: `npm run cli -- <command> [--flags]` (tsx src/cli/main.ts).
import { type Command, CommandFailure, UsageError } from './command';
import { generateCommand } from './commands/generate';
import { predictCommand } from './commands/predict';
import { explainCommand } from './commands/explain';
import { evaluateCommand } from './commands/evaluate';
import { reportCommand } from './commands/report';
import { scanCommand } from './commands/scan';
import { fuzzCommand } from './commands/fuzz';
import { packageCommand } from './commands/package';
import { sanityCommand } from './commands/sanity';
import { workerCommand } from './commands/worker';

const commands: Record<string, Command> = {
  generate: generateCommand,
  predict: predictCommand,
  explain: explainCommand,
  evaluate: evaluateCommand,
  report: reportCommand,
  package: packageCommand,
  sanity: sanityCommand,
  worker: workerCommand,
  scan: scanCommand,
  fuzz: fuzzCommand,
};

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}\n      ${c.usage}`);
  return `usage: npm run cli -- <command> [--flags]\n\ncommands:\n${lines.join('\n')}\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 1;
  }
  // Own keys only: "constructor" or "toString" are not commands.
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!command) {
    process.stderr.write(`unknown command "${name}"\n\n${usage()}`);
    return 1;
  }
  try {
    await command.run(rest);
    return 0;
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`${name}: ${(err as Error).message}\nusage: ${command.usage}\n`);
      return 1;
    }
    if (err instanceof RangeError || err instanceof CommandFailure) {
      process.stderr.write(`${name}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

// Run only as the entry script, so tests can import main().
if (process.argv[1] && /[\\/]cli[\\/]main\.[cm]?[jt]s$/.test(process.argv[1])) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 2;
    },
  );
}
