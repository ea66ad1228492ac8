// Exposes the engine API contract to the renderer; nothing else of Electron or Node crosses.
import { contextBridge, ipcRenderer } from 'electron';
import type { ExplicareApi } from '../shared/api';
import { API_CHANNEL, type IpcResult } from '../shared/ipc';

async function call<T>(method: string, args?: unknown): Promise<T> {
  const result = (await ipcRenderer.invoke(API_CHANNEL, method, args ?? {})) as IpcResult;
  if (!result.ok) throw Object.assign(new Error(result.error.message), { code: result.error.code });
  return result.value as T;
}

const api: ExplicareApi = {
  capabilities: () => call('capabilities'),
  openDemo: (args) => call('openDemo', args),
  openDialog: (args) => call('openDialog', args),
  openFiles: (files) => call('openFiles', files),
  listStudies: () => call('listStudies'),
  loadVolume: (args) => call('loadVolume', args),
  getVoxels: async (args) => {
    const view = await call<Uint8Array>('getVoxels', args);
    return view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength) as ArrayBuffer;
  },
  getTags: (args) => call('getTags', args),
  getGroundTruth: (args) => call('getGroundTruth', args),
  listModels: () => call('listModels'),
  importModelDialog: () => call('importModelDialog'),
  importModelFiles: (files) => call('importModelFiles', files),
  runModel: (args) => call('runModel', args),
  importLandmarks: (seriesUid, files) => call('importLandmarks', { seriesUid, files }),
};

contextBridge.exposeInMainWorld('api', api);
