// Where the pixel decode worker's code is (workerEntry.ts: the bundled entry or the source).
import { workerEntryUrl } from '../../workerEntry';

export const decodeWorkerUrl = (): URL => workerEntryUrl(import.meta.url, './decodeWorker.ts', 'pixelDecodeWorker.js', 'pixel decode worker');
