// The API contract over the local HTTP server (browser use and end-to-end tests).
import type { ApiErrorBody, ExplicareApi } from '../../shared/api';
import { buildCalls } from '../../shared/apiCalls';
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
  // The plain calls come from the one list (shared/apiCalls.ts): a JSON body in, JSON or bytes
  // out. Uploads travel framed as octet-stream, and the native dialogs do not exist in a browser.
  return {
    ...buildCalls(async (method, args, reply) => {
      const res = await post(method, JSON.stringify(args), 'application/json');
      return reply === 'binary' ? res.arrayBuffer() : res.json();
    }),
    openDialog: async () => {
      throw new ApiError('unsupported', 'native file dialogs exist only in the desktop app; use "Open files" instead');
    },
    importModelDialog: async () => {
      throw new ApiError('unsupported', 'native file dialogs exist only in the desktop app; use "Import files" instead');
    },
    chooseExportFolder: async () => {
      throw new ApiError('unsupported', 'the native folder dialog exists only in the desktop app; type the folder instead');
    },
    openFiles: async (files) => (await post('openFiles', packFiles(files), 'application/octet-stream')).json(),
    importModelFiles: async (files) => (await post('importModelFiles', packFiles(files), 'application/octet-stream')).json(),
    importLandmarks: async (seriesUid, files) =>
      (await post(`importLandmarks?seriesUid=${encodeURIComponent(seriesUid)}`, packFiles(files), 'application/octet-stream')).json(),
  };
}
