// Exposes the engine API contract to the renderer; nothing else of Electron or Node crosses.
import { contextBridge, ipcRenderer } from 'electron';
import type { ExplicareApi } from '../shared/api';
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

const api: ExplicareApi = {
  capabilities: () => call('capabilities'),
  openDemo: (args) => call('openDemo', args),
  openDialog: (args) => call('openDialog', args),
  openFiles: (files) => call('openFiles', files),
  listStudies: () => call('listStudies'),
  loadVolume: (args) => call('loadVolume', args),
  getVoxels: (args) => call<ArrayBufferView>('getVoxels', args).then(ownBuffer),
  getTags: (args) => call('getTags', args),
  getGroundTruth: (args) => call('getGroundTruth', args),
  listModels: () => call('listModels'),
  importModelDialog: () => call('importModelDialog'),
  chooseExportFolder: () => call('chooseExportFolder'),
  importModelFiles: (files) => call('importModelFiles', files),
  runModel: (args) => call('runModel', args),
  importLandmarks: (seriesUid, files) => call('importLandmarks', { seriesUid, files }),
  startExplanation: (args) => call('startExplanation', args),
  getJob: (args) => call('getJob', args),
  listJobs: () => call('listJobs'),
  cancelJob: (args) => call('cancelJob', args),
  getExplanationMap: (args) => call<ArrayBufferView>('getExplanationMap', args).then(ownBuffer),
  clearExplanations: () => call('clearExplanations'),
  startSanityCheck: (args) => call('startSanityCheck', args),
  getSanityCheck: (args) => call('getSanityCheck', args),
  exportReport: (args) => call('exportReport', args),
  pacsGetSettings: () => call('pacsGetSettings'),
  pacsSaveSettings: (args) => call('pacsSaveSettings', args),
  pacsSearch: (args) => call('pacsSearch', args),
  pacsListSeries: (args) => call('pacsListSeries', args),
  pacsRetrieve: (args) => call('pacsRetrieve', args),
  pacsTransfer: (args) => call('pacsTransfer', args),
  pacsCancelTransfer: (args) => call('pacsCancelTransfer', args),
  pacsSendExport: (args) => call('pacsSendExport', args),
};

contextBridge.exposeInMainWorld('api', api);
