// The engine's one error table: which failures of its parts are the user's to fix, and how they
// reach the API (EngineError, with a code the transports map to a status). Anything not in the
// table is an internal error and is reported without its message (dispatch.ts toApiError).
import { z } from 'zod';
import { ExplainCancelled } from '../explain/method';
import { ExplainOptionError } from '../explain/optionError';
import { LandmarkFileError } from '../landmarks/parseLandmarkFile';
import { ModelPackageError } from '../models/readPackage';
import { RetrievalCancelled } from '../pacs/pacsError';
import { ReportError } from '../report/resultFile';

export type EngineErrorCode = 'not-found' | 'bad-input' | 'unsupported';

export class EngineError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Failures whose message says what was wrong with the user's input: a package, a file, an option, an export. */
const USER_INPUT_ERRORS: readonly (abstract new (...args: never[]) => Error)[] = [ModelPackageError, LandmarkFileError, ExplainOptionError, ReportError];

/** The user's cancels, one per kind of job: a job that ends with one of these is 'cancelled', not 'failed'. */
const CANCELLATIONS: readonly (abstract new (...args: never[]) => Error)[] = [ExplainCancelled, RetrievalCancelled];

export function isCancellation(err: unknown): boolean {
  return CANCELLATIONS.some((kind) => err instanceof kind);
}

/** `err` as an EngineError when the table knows it (its message after `context: `), else unchanged. */
export function asEngineError(err: unknown, context?: string): unknown {
  if (!USER_INPUT_ERRORS.some((kind) => err instanceof kind)) return err;
  const message = (err as Error).message;
  return new EngineError('bad-input', context ? `${context}: ${message}` : message);
}

/** Runs `work`, translating the table's failures (see asEngineError). */
export async function translatingErrors<T>(work: () => Promise<T> | T, context?: string): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw asEngineError(err, context);
  }
}

/** Zod's issues in one line, each with the path it is about ("samples: too small; ..."). */
export function issuesText(err: z.ZodError, root = 'options'): string {
  return err.issues.map((i) => `${i.path.join('.') || root}: ${i.message}`).join('; ');
}
