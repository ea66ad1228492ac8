// Picks the transport: the preload's IPC bridge in Electron, the local HTTP server in a browser.
import type { ExplicareApi } from '../../shared/api';
import { createHttpApi } from './httpApi';

declare global {
  interface Window {
    api?: ExplicareApi;
  }
}

function tokenFromLocation(): string {
  // The server prints a URL with #token=...; keep it for reloads of this tab only.
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromHash) sessionStorage.setItem('explicare-token', fromHash);
  return fromHash ?? sessionStorage.getItem('explicare-token') ?? '';
}

let api: ExplicareApi | undefined;

export function useApi(): ExplicareApi {
  api ??= window.api ?? createHttpApi(tokenFromLocation());
  return api;
}
