// What goes wrong setting up or running a cohort on a queue, worded for the user: a queue URL or
// PACS URL that is not well-formed (`usage`: the CLI then prints its usage too), a queue that
// refused the password, a missing Redis client. An EngineError, so the app shows the message as
// it is (bad input) instead of "internal error".
import { EngineError } from '../services/engineError';

export class ClusterError extends EngineError {
  constructor(
    message: string,
    /** A mistake in what the user typed (an option, a URL), as opposed to a failure while running. */
    readonly usage = false,
  ) {
    super('bad-input', message);
    this.name = 'ClusterError';
  }
}
