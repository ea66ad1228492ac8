// Where the inference worker's code is (workerEntry.ts: the bundled entry or the source).
import { workerEntryUrl } from '../workerEntry';

export const inferenceWorkerUrl = (): URL => workerEntryUrl(import.meta.url, './worker.ts', 'inferenceWorker.js', 'inference worker');
