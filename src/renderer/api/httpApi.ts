// The API contract over the local HTTP server (browser use and end-to-end tests).
import type { ApiErrorBody, ExplicareApi } from '../../shared/api';
import { packFiles } from '../../shared/uploadFraming';

export class ApiError extends Error {
  constructor(readonly code: ApiErrorBody['code'], message: string) {
    super(message);
  }
}

/** The request never reached the engine (the server stopped or the network is down), as opposed to an error it answered with. */
export class EngineUnreachableError extends ApiError {
  constructor() {
    super('internal', 'the Explicare engine is not reachable (was `npm run serve` stopped?)');
  }
}

export function createHttpApi(token: string): ExplicareApi {
  async function post(method: string, body: BodyInit | undefined, type: string): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(`./api/${method}`, { method: 'POST', body, headers: { Authorization: `Bearer ${token}`, 'Content-Type': type } });
    } catch {
      throw new EngineUnreachableError();
    }
    if (!res.ok) {
      const err = (await res.json().catch(() => ({ code: 'internal', message: `HTTP ${res.status}` }))) as ApiErrorBody;
      throw new ApiError(err.code, err.message);
    }
    return res;
  }
  const json = async <T>(method: string, args: object = {}): Promise<T> =>
    (await post(method, JSON.stringify(args), 'application/json')).json() as Promise<T>;

  return {
    capabilities: () => json('capabilities'),
    openDemo: (args) => json('openDemo', args),
    openDialog: async () => {
      throw new ApiError('unsupported', 'native file dialogs exist only in the desktop app; use "Open files" instead');
    },
    openFiles: async (files) => (await post('openFiles', packFiles(files), 'application/octet-stream')).json(),
    listStudies: () => json('listStudies'),
    loadVolume: (args) => json('loadVolume', args),
    getVoxels: async (args) => (await post('getVoxels', JSON.stringify(args), 'application/json')).arrayBuffer(),
    getTags: (args) => json('getTags', args),
    getGroundTruth: (args) => json('getGroundTruth', args),
    listModels: () => json('listModels'),
    importModelDialog: async () => {
      throw new ApiError('unsupported', 'native file dialogs exist only in the desktop app; use "Import files" instead');
    },
    chooseExportFolder: async () => {
      throw new ApiError('unsupported', 'the native folder dialog exists only in the desktop app; type the folder instead');
    },
    importModelFiles: async (files) => (await post('importModelFiles', packFiles(files), 'application/octet-stream')).json(),
    runModel: (args) => json('runModel', args),
    startExplanation: (args) => json('startExplanation', args),
    getJob: (args) => json('getJob', args),
    listJobs: () => json('listJobs'),
    cancelJob: (args) => json('cancelJob', args),
    getExplanationMap: async (args) => (await post('getExplanationMap', JSON.stringify(args), 'application/json')).arrayBuffer(),
    clearExplanations: () => json('clearExplanations'),
    startSanityCheck: (args) => json('startSanityCheck', args),
    getSanityCheck: (args) => json('getSanityCheck', args),
    exportReport: (args) => json('exportReport', args),
    pacsGetSettings: () => json('pacsGetSettings'),
    pacsSaveSettings: (args) => json('pacsSaveSettings', args),
    pacsSearch: (args) => json('pacsSearch', args),
    pacsListSeries: (args) => json('pacsListSeries', args),
    pacsRetrieve: (args) => json('pacsRetrieve', args),
    pacsTransfer: (args) => json('pacsTransfer', args),
    pacsCancelTransfer: (args) => json('pacsCancelTransfer', args),
    pacsSendExport: (args) => json('pacsSendExport', args),
    importLandmarks: async (seriesUid, files) =>
      (await post(`importLandmarks?seriesUid=${encodeURIComponent(seriesUid)}`, packFiles(files), 'application/octet-stream')).json(),
  };
}
