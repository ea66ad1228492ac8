// Exposes the engine API contract to the renderer; nothing else of Electron or Node crosses.
import { contextBridge, ipcRenderer } from 'electron';
import type { ExplicareApi } from '../shared/api';
import { buildCalls } from '../shared/apiCalls';
import { API_CHANNEL, type IpcResult } from '../shared/ipc';

/** The view's bytes as an ArrayBuffer, without a copy when the view spans its whole buffer. */
function ownBuffer(view: ArrayBufferView): ArrayBuffer {
  const whole = view.byteOffset === 0 && view.byteLength === view.buffer.byteLength;
  return (whole ? view.buffer : view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength)) as ArrayBuffer;
}

async function call<T>(method: string, args?: unknown): Promise<T> {
  const result = (await ipcRenderer.invoke(API_CHANNEL, method, args ?? {})) as IpcResult;
  if (!result.ok) throw Object.assign(new Error(result.error.message), { code: result.error.code });
  return result.value as T;
}

// The plain calls come from the one list (shared/apiCalls.ts); binary replies arrive as a
// structured-cloned view and leave as an ArrayBuffer. Dialogs and uploads are written out.
const api: ExplicareApi = {
  ...buildCalls((method, args, reply) => (reply === 'binary' ? call<ArrayBufferView>(method, args).then(ownBuffer) : call(method, args))),
  openDialog: (args) => call('openDialog', args),
  openFiles: (files) => call('openFiles', files),
  importModelDialog: () => call('importModelDialog'),
  chooseExportFolder: () => call('chooseExportFolder'),
  importModelFiles: (files) => call('importModelFiles', files),
  importLandmarks: (seriesUid, files) => call('importLandmarks', { seriesUid, files }),
};

contextBridge.exposeInMainWorld('api', api);
