// The plain calls of the API contract: one argument object in, a JSON or binary reply out. Both
// clients (the preload over IPC, the renderer over HTTP) build these methods from this one list,
// so adding such a method to ExplicareApi means adding it here; what needs its own transport
// (file uploads, native dialogs) each client writes out, and the typecheck fails when a method
// of ExplicareApi is in neither.
import type { ExplicareApi } from './api';

/** How a call's reply travels: JSON, or the bytes of a Float32/Int16 array (volumes, maps). */
export type ReplyKind = 'json' | 'binary';

export const API_CALLS = {
  capabilities: 'json',
  openDemo: 'json',
  listStudies: 'json',
  loadVolume: 'json',
  getVoxels: 'binary',
  getTags: 'json',
  getGroundTruth: 'json',
  listModels: 'json',
  runModel: 'json',
  startExplanation: 'json',
  getJob: 'json',
  listJobs: 'json',
  cancelJob: 'json',
  getExplanationMap: 'binary',
  clearExplanations: 'json',
  startSanityCheck: 'json',
  getSanityCheck: 'json',
  getExplanationMetrics: 'json',
  cancelExplanationMetrics: 'json',
  listDerived: 'json',
  getDerivedMap: 'binary',
  exportReport: 'json',
  pacsGetSettings: 'json',
  pacsSaveSettings: 'json',
  pacsSearch: 'json',
  pacsListSeries: 'json',
  pacsRetrieve: 'json',
  pacsTransfer: 'json',
  pacsCancelTransfer: 'json',
  pacsSendExport: 'json',
  getProviderSettings: 'json',
  saveProviderSettings: 'json',
  getExportProgress: 'json',
  cancelExport: 'json',
  getExportFile: 'binary',
  openExportFile: 'json',
  clusterSubmit: 'json',
  clusterRun: 'json',
  clusterStop: 'json',
} as const satisfies Partial<Record<keyof ExplicareApi, ReplyKind>>;

export type CallMethod = keyof typeof API_CALLS;
/** The methods each client writes out itself (uploads, native dialogs). */
export type OwnTransportMethod = Exclude<keyof ExplicareApi, CallMethod>;

type Assert<T extends true> = T;
type CallShape = { [M in CallMethod]: (args: never) => Promise<(typeof API_CALLS)[M] extends 'binary' ? ArrayBuffer : unknown> };
/** Fails to compile when a listed method takes more than one argument object, or a 'binary' one does not reply bytes. */
export type CallsMatchApi = Assert<Pick<ExplicareApi, CallMethod> extends CallShape ? true : false>;

/**
 * The plain calls of the API over one transport: `send` carries a method's name and argument
 * object and returns the reply decoded as `reply` says (an ArrayBuffer for 'binary').
 */
export function buildCalls(send: (method: CallMethod, args: object, reply: ReplyKind) => Promise<unknown>): Pick<ExplicareApi, CallMethod> {
  const calls: Record<string, (args?: object) => Promise<unknown>> = {};
  for (const [method, reply] of Object.entries(API_CALLS) as [CallMethod, ReplyKind][]) calls[method] = (args = {}) => send(method, args, reply);
  // The shapes are checked by CallsMatchApi; `send` is what makes each reply the declared type.
  return calls as unknown as Pick<ExplicareApi, CallMethod>;
}
