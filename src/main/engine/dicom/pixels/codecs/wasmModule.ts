/**
 * Lazy, once-only initialisation of the Cornerstone Emscripten codec modules.
 * They are CommonJS factories that fetch their .wasm next to themselves; we pass
 * the resolved path explicitly so bundling the engine does not break that lookup,
 * and silence their stdout logging (OpenJPEG prints [INFO] lines per tile).
 */
import { createRequire } from 'node:module';

// Not named `require`: electron-vite's ESM bundle declares its own `const require` shim in the
// same module scope, and a second declaration made the bundled main fail to parse.
const requireCodec = createRequire(import.meta.url);

interface EmscriptenOptions {
  locateFile: (file: string) => string;
  print: (text: string) => void;
  printErr: (text: string) => void;
}

type Factory<M> = (options: EmscriptenOptions) => Promise<M>;

/** `jsSpecifier` and `wasmSpecifier` are package export paths, e.g. '@cornerstonejs/codec-charls/decodewasmjs'. */
export function lazyWasmModule<M>(jsSpecifier: string, wasmSpecifier: string): { get(): Promise<M>; reset(): void } {
  let instance: Promise<M> | undefined;
  return {
    get(): Promise<M> {
      instance ??= (async () => {
        const loaded = requireCodec(jsSpecifier) as Factory<M> | { default: Factory<M> };
        const factory = typeof loaded === 'function' ? loaded : loaded.default;
        const wasmPath = requireCodec.resolve(wasmSpecifier);
        return factory({ locateFile: () => wasmPath, print: () => {}, printErr: () => {} });
      })();
      instance.catch(() => {
        instance = undefined; // let a later call retry instead of caching the failure
      });
      return instance;
    },
    /** Drop a module whose WASM instance aborted: its memory can no longer be trusted. */
    reset(): void {
      instance = undefined;
    },
  };
}

/** Emscripten signals C++ exceptions by throwing a number (a pointer); anything else is an abort/trap. */
export function isWasmCppException(thrown: unknown): thrown is number {
  return typeof thrown === 'number';
}
