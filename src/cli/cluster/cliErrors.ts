// The engine's cluster code reports with ClusterError; the CLI prints a mistake in the command line
// with its usage (UsageError) and any other failure as one line (CommandFailure).
import { ClusterError } from '../../main/engine/cluster/clusterError';
import { PacsError } from '../../main/engine/pacs/pacsError';
import { CommandFailure, UsageError } from '../command';

export async function withCliErrors<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof ClusterError) throw err.usage ? new UsageError(err.message) : new CommandFailure(err.message);
    if (err instanceof PacsError) throw new CommandFailure(err.message);
    throw err;
  }
}
