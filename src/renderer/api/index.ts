// Picks the transport: the preload's IPC bridge in Electron, the local HTTP server in a browser.
import type { ExplicareApi } from '../../shared/api';
import { EngineUnreachableError, createHttpApi } from './httpApi';

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

/** Told of every call that reached the engine (true) or could not (false): the disconnected banner listens. */
type ReachListener = (reached: boolean) => void;
const reachListeners = new Set<ReachListener>();
export function onEngineReach(listener: ReachListener): () => void {
  reachListeners.add(listener);
  return () => reachListeners.delete(listener);
}

/** Every method of `inner`, reporting whether the engine answered (an error answer counts as reached). */
function watched(inner: ExplicareApi): ExplicareApi {
  return new Proxy(inner, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        try {
          const out = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          reachListeners.forEach((l) => l(true));
          return out;
        } catch (err) {
          reachListeners.forEach((l) => l(!(err instanceof EngineUnreachableError)));
          throw err;
        }
      };
    },
  });
}

export function useApi(): ExplicareApi {
  api ??= watched(window.api ?? createHttpApi(tokenFromLocation()));
  return api;
}
