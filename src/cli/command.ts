// What every CLI command provides, and the error type for command-line mistakes.

export interface Command {
  summary: string;
  usage: string;
  run(args: string[]): Promise<void>;
}

/** A mistake in the command line: reported as one clear line plus the usage, exit status 1. */
export class UsageError extends Error {}

/** The command ran but could not do its job (bad study, bad model): one clear line, exit status 1. */
export class CommandFailure extends Error {}
