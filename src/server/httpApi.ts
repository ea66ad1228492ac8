// The local HTTP transport of the API contract: POST /api/<method>, JSON in and out, binary voxels
// and uploads. Bound to 127.0.0.1 and guarded by a per-launch token.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { seriesUidSchema, uploadLimits, type ApiErrorBody, type Capabilities, type UploadFile } from '../shared/api';
import { unpackFiles } from '../shared/uploadFraming';
import { dispatch, isDispatchable, toApiError } from '../main/engine/dispatch';
import type { Engine } from '../main/engine/engine';
import { hasToken, isSameOriginRequest, SECURITY_HEADERS } from './security';
import { serveStatic } from './staticFiles';

const MAX_JSON_BYTES = 1 << 20;

export interface ApiServerOptions {
  engine: Engine;
  token: string;
  staticDir: string;
  version: string;
  port?: number;
}

class HttpError extends Error {
  constructor(readonly status: number, readonly body: ApiErrorBody) {
    super(body.message);
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new HttpError(413, { code: 'bad-request', message: `request body larger than ${limit} bytes` }));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks, size)));
    req.on('error', reject);
  });
}

const STATUS: Record<ApiErrorBody['code'], number> = {
  'bad-request': 400, 'bad-input': 422, 'not-found': 404, unsupported: 501, internal: 500, unauthorized: 401,
};

export function createApiServer(opts: ApiServerOptions): Promise<{ server: Server; port: number }> {
  let port = 0;
  const json = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(JSON.stringify(body));
  };

  async function readUpload(req: IncomingMessage): Promise<UploadFile[]> {
    const body = await readBody(req, uploadLimits.maxTotalBytes);
    try {
      return unpackFiles(body, uploadLimits);
    } catch (err) {
      throw new HttpError(400, { code: 'bad-request', message: (err as Error).message });
    }
  }

  async function handleApi(method: string, req: IncomingMessage, res: ServerResponse, query: URLSearchParams): Promise<void> {
    if (!hasToken(req, opts.token)) throw new HttpError(401, { code: 'unauthorized', message: 'missing or wrong session token' });
    if (method === 'capabilities') {
      const caps: Capabilities = { transport: 'http', nativeDialog: false, version: opts.version };
      return json(res, 200, caps);
    }
    if (method === 'openFiles') return json(res, 200, await opts.engine.openFiles(await readUpload(req)));
    if (method === 'importModelFiles') return json(res, 200, await opts.engine.importModelFiles(await readUpload(req)));
    if (method === 'importLandmarks') {
      const seriesUid = seriesUidSchema.parse(query.get('seriesUid') ?? '');
      return json(res, 200, await opts.engine.importLandmarks(seriesUid, await readUpload(req)));
    }
    if (!isDispatchable(method)) throw new HttpError(404, { code: 'not-found', message: `no API method "${method}"` });
    const raw = await readBody(req, MAX_JSON_BYTES);
    let args: unknown;
    try {
      args = raw.length ? JSON.parse(raw.toString('utf8')) : {};
    } catch {
      throw new HttpError(400, { code: 'bad-request', message: 'request body is not JSON' });
    }
    const result = await dispatch(opts.engine, method, args);
    if (ArrayBuffer.isView(result)) {
      res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'application/octet-stream', 'Content-Length': result.byteLength, 'Cache-Control': 'no-store' });
      res.end(Buffer.from(result.buffer, result.byteOffset, result.byteLength));
      return;
    }
    json(res, 200, result ?? null);
  }

  const server = createServer((req, res) => {
    if (!isSameOriginRequest(req, port)) {
      res.writeHead(403, { 'Content-Type': 'text/plain' }).end('forbidden');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const api = /^\/api\/([A-Za-z]+)$/.exec(url.pathname);
    if (!api) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405).end();
      return serveStatic(opts.staticDir, url.pathname, res, SECURITY_HEADERS);
    }
    if (req.method !== 'POST') return void json(res, 405, { code: 'bad-request', message: 'use POST' });
    handleApi(api[1], req, res, url.searchParams).catch((err: unknown) => {
      if (err instanceof HttpError) return json(res, err.status, err.body);
      const body = toApiError(err);
      // Log the kind of failure only: messages may contain file names, which may contain patient data.
      if (body.code === 'internal') console.error(`[api] ${api[1]} failed: ${(err as Error)?.name ?? 'error'}`, (err as Error)?.stack?.split('\n').slice(1, 4).join(' '));
      json(res, STATUS[body.code], body);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      port = (server.address() as AddressInfo).port;
      resolve({ server, port });
    });
  });
}
