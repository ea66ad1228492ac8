// Where the ROAD imputation worker's code is (workerEntry.ts: the bundled entry or the source).
import { workerEntryUrl } from '../workerEntry';

export const imputationWorkerUrl = (): URL => workerEntryUrl(import.meta.url, './imputationWorker.ts', 'imputationWorker.js', 'ROAD imputation worker');
