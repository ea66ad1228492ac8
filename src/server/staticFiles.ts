// Serves the built renderer (out/web) read-only; nothing outside that folder is reachable.
import { createReadStream, existsSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import path from 'node:path';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

/** Types of the files an export writes (the browser opens the PDF in a tab from these bytes). */
const EXPORT_MIME: Record<string, string> = { '.pdf': 'application/pdf', '.dcm': 'application/dicom' };

/**
 * One file of an export, already checked by the engine (a name that export wrote, a plain file in
 * its folder): its own content type (never sniffed), shown inline under its bare name.
 */
export function sendExportFile(res: ServerResponse, name: string, data: Uint8Array, headers: Record<string, string>): void {
  const base = path.basename(name.replace(/\\/g, '/')).replace(/[^\w.-]/g, '_');
  res.writeHead(200, {
    ...headers,
    'Content-Type': EXPORT_MIME[path.extname(base).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': data.byteLength,
    'Content-Disposition': `inline; filename="${base}"`,
    'Cache-Control': 'no-store',
  });
  res.end(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
}

export function serveStatic(root: string, urlPath: string, res: ServerResponse, headers: Record<string, string>): void {
  let rel: string;
  try {
    rel = decodeURIComponent(urlPath === '/' ? '/index.html' : urlPath);
  } catch {
    // "/%FF" is not UTF-8: a bad request, never an exception that could reach the server loop.
    res.writeHead(400, { ...headers, 'Content-Type': 'text/plain' }).end('bad request');
    return;
  }
  const file = path.resolve(root, '.' + rel);
  if (rel.includes('\0') || !file.startsWith(path.resolve(root) + path.sep) || !existsSync(file) || !statSync(file).isFile()) {
    res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('not found');
    return;
  }
  res.writeHead(200, {
    ...headers,
    'Content-Type': MIME[path.extname(file)] ?? 'application/octet-stream',
    'Cache-Control': file.endsWith('index.html') ? 'no-store' : 'max-age=3600',
  });
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy()); // a file removed while being served
  stream.pipe(res);
}
