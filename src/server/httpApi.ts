// The local HTTP transport of the API contract: POST /api/<method>, JSON in and out, binary voxels
// and uploads. Bound to 127.0.0.1 and guarded by a per-launch token.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { apiArgs, seriesUidSchema, uploadLimits as defaultUploadLimits, type ApiErrorBody, type Capabilities } from '../shared/api';
import { UploadFramingError, type UploadLimits } from '../shared/uploadFraming';
import type { AppLog } from '../main/engine/appLog';
import { dispatch, isDispatchable, toApiError } from '../main/engine/dispatch';
import type { Engine } from '../main/engine/engine';
import { hasToken, isSameOriginRequest, SECURITY_HEADERS } from './security';
import { sendExportFile, serveStatic } from './staticFiles';
import { receiveUpload, type ReceivedFile } from './uploadStream';

const MAX_JSON_BYTES = 1 << 20;
/** A landmark file is a few kilobytes of text. */
const MAX_LANDMARK_FILE_BYTES = 16 * 2 ** 20;

export interface ApiServerOptions {
  engine: Engine;
  token: string;
  staticDir: string;
  version: string;
  port?: number;
  /** Internal failures are recorded here (without patient data); error messages point to it. */
  log?: AppLog;
  /** Upload limits (tests lower them). */
  uploadLimits?: UploadLimits;
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
        // Stop reading; the error answer is sent, then the connection closed (see fail()).
        req.pause();
        reject(new HttpError(413, { code: 'bad-request', message: `request body larger than ${limit} bytes` }));
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
  const limits = opts.uploadLimits ?? defaultUploadLimits;
  /** Upload folders of studies opened over HTTP: their files stay while the server runs. */
  const studyUploads: string[] = [];
  const json = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(JSON.stringify(body));
  };

  /** Streams the framed upload into a new private folder (0700); the caller owns the folder. */
  async function readUpload(req: IncomingMessage, fileLimit = limits.maxFileBytes): Promise<{ dir: string; files: ReceivedFile[] }> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'explicare-upload-'));
    try {
      const files = await receiveUpload(req, dir, { ...limits, maxFileBytes: Math.min(fileLimit, limits.maxFileBytes) });
      if (files.length === 0) throw new HttpError(400, { code: 'bad-request', message: 'no files were given' });
      return { dir, files };
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      if (err instanceof UploadFramingError) throw new HttpError(err.tooLarge ? 413 : 400, { code: 'bad-request', message: err.message });
      throw err;
    }
  }

  async function handleApi(method: string, req: IncomingMessage, res: ServerResponse, query: URLSearchParams): Promise<void> {
    if (!hasToken(req, opts.token)) throw new HttpError(401, { code: 'unauthorized', message: 'missing or wrong session token' });
    if (method === 'capabilities') {
      const caps: Capabilities = { transport: 'http', nativeDialog: false, version: opts.version };
      return json(res, 200, caps);
    }
    if (method === 'openFiles') {
      const { dir, files } = await readUpload(req);
      studyUploads.push(dir);
      return json(res, 200, await opts.engine.openPaths(files.map((f) => f.file)));
    }
    if (method === 'importModelFiles') {
      const { dir, files } = await readUpload(req);
      try {
        const names = files.map((f) => f.name).sort();
        const zip = files.length === 1 && /\.zip$/i.test(files[0].name);
        if (!zip && names.join(',') !== 'model.json,model.onnx') {
          throw new HttpError(422, { code: 'bad-input', message: 'Model not imported: send one .zip, or the two files model.json and model.onnx' });
        }
        return json(res, 200, await opts.engine.importModel(zip ? files[0].file : dir));
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
    if (method === 'importLandmarks') {
      const seriesUid = seriesUidSchema.parse(query.get('seriesUid') ?? '');
      const { dir, files } = await readUpload(req, MAX_LANDMARK_FILE_BYTES);
      try {
        const uploaded = await Promise.all(files.map(async (f) => {
          const data = await readFile(f.file);
          return { name: f.name, data: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer };
        }));
        return json(res, 200, await opts.engine.importLandmarks(seriesUid, uploaded));
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
    if (!isDispatchable(method)) throw new HttpError(404, { code: 'not-found', message: `no API method "${method}"` });
    const raw = await readBody(req, MAX_JSON_BYTES);
    let args: unknown;
    try {
      args = raw.length ? JSON.parse(raw.toString('utf8')) : {};
    } catch {
      throw new HttpError(400, { code: 'bad-request', message: 'request body is not JSON' });
    }
    if (method === 'getExportFile') {
      const a = apiArgs.getExportFile.parse(args);
      return sendExportFile(res, a.file, (await opts.engine.exportFile(a.exportId, a.file)).data, SECURITY_HEADERS);
    }
    // A client that disconnects (the page was left or reloaded) no longer waits: long work it asked
    // for (a map's metric suite) stops when no other caller waits for it.
    const gone = new AbortController();
    res.once('close', () => res.writableFinished || gone.abort());
    const result = await dispatch(opts.engine, method, args, gone.signal);
    if (ArrayBuffer.isView(result)) {
      res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'application/octet-stream', 'Content-Length': result.byteLength, 'Cache-Control': 'no-store' });
      res.end(Buffer.from(result.buffer, result.byteOffset, result.byteLength));
      return;
    }
    json(res, 200, result ?? null);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<{ method?: string }> {
    if (!isSameOriginRequest(req, port)) {
      res.writeHead(403, { 'Content-Type': 'text/plain' }).end('forbidden');
      return {};
    }
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://127.0.0.1');
    } catch {
      throw new HttpError(400, { code: 'bad-request', message: 'malformed request URL' });
    }
    const api = /^\/api\/([A-Za-z]+)$/.exec(url.pathname);
    if (!api) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405).end(), {};
      serveStatic(opts.staticDir, url.pathname, res, SECURITY_HEADERS);
      return {};
    }
    if (req.method !== 'POST') return json(res, 405, { code: 'bad-request', message: 'use POST' }), {};
    await handleApi(api[1], req, res, url.searchParams);
    return { method: api[1] };
  }

  /** Any failure in the request path becomes an answer: nothing a request does can stop the server. */
  function fail(req: IncomingMessage, res: ServerResponse, err: unknown): void {
    const method = /^\/api\/([A-Za-z]+)/.exec(req.url ?? '')?.[1] ?? 'request';
    let status: number;
    let body: ApiErrorBody;
    if (err instanceof HttpError) ({ status, body } = err);
    else {
      body = toApiError(err, opts.log?.file);
      status = STATUS[body.code];
      if (body.code === 'internal') opts.log?.error(method, err);
    }
    if (res.headersSent) return void res.destroy();
    // An upload refused half-way: answer, then drop the connection instead of reading the rest.
    if (!req.complete) {
      res.setHeader('Connection', 'close');
      res.once('finish', () => req.destroy());
    }
    json(res, status, body);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      try {
        fail(req, res, err);
      } catch {
        res.destroy();
      }
    });
  });
  server.on('close', () => {
    for (const dir of studyUploads.splice(0)) void rm(dir, { recursive: true, force: true });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      port = (server.address() as AddressInfo).port;
      resolve({ server, port });
    });
  });
}
