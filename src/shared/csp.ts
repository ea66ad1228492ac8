// One Content-Security-Policy for every way the renderer is served (Electron, local HTTP).
// 'wasm-unsafe-eval' lets cornerstone/vtk compile WebAssembly; no eval, no remote origins.
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
