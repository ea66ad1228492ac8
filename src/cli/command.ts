// What every CLI command provides, and the error type for command-line mistakes.

export interface Command {
  summary: string;
  usage: string;
  run(args: string[]): Promise<void>;
}

/** A mistake in the command line: reported as one clear line, exit status 1. */
export class UsageError extends Error {}
