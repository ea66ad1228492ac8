// The IPC envelope between preload and main: errors travel as data so the renderer sees clean messages.
import type { ApiErrorBody } from './api';

export const API_CHANNEL = 'explicare:api';

export type IpcResult = { ok: true; value: unknown } | { ok: false; error: ApiErrorBody };
