// HTTP to the PACS: base URL + path, the stored authorization header, and an idle timeout that
// restarts whenever bytes arrive (a large retrieval may take minutes; a silent server may not).
import { connectionFailure, PacsError, statusFailure } from './pacsError';
import type { PacsSettings } from './settings';

/** QIDO and STOW answers are DICOM JSON: tens of thousands of matches fit in far less. */
export const MAX_JSON_ANSWER_BYTES = 64 * 2 ** 20;

export interface PacsRequest {
  method?: 'GET' | 'POST';
  /** Path below the base URL, starting with "/" (query included). */
  path: string;
  accept: string;
  /** What the request is for, in the user's words ("the study search"). */
  what: string;
  body?: Uint8Array;
  contentType?: string;
  signal?: AbortSignal;
  /** Statuses that are answers rather than failures (STOW-RS 202/409 carry per-instance results). */
  okStatuses?: number[];
}

export interface PacsResponse {
  response: Response;
  /** The body as a stream whose reads keep the idle timer alive; throws PacsError on timeout. */
  chunks(): AsyncGenerator<Uint8Array>;
  /** The whole body, refused beyond maxBytes (JSON answers are small; a hostile server's are not). */
  bytes(maxBytes?: number): Promise<Buffer>;
  /** Stops the idle timer (call when done with the response). */
  close(): void;
}

export async function pacsRequest(settings: PacsSettings, req: PacsRequest): Promise<PacsResponse> {
  const server = new URL(settings.baseUrl).host;
  const timeoutMs = settings.timeoutSeconds * 1000;
  const controller = new AbortController();
  let timedOut = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
  };
  const onOuterAbort = () => controller.abort();
  const close = () => {
    clearTimeout(timer);
    req.signal?.removeEventListener('abort', onOuterAbort);
  };
  req.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const timeoutError = () =>
    new PacsError(`the PACS at ${server} did not answer within ${settings.timeoutSeconds} s (${req.what}); the timeout is set in the PACS settings`);
  const failure = (err: unknown): Error => {
    if (timedOut) return timeoutError();
    if (req.signal?.aborted) return new PacsError(`${req.what}: cancelled`);
    if (err instanceof PacsError) return err;
    return connectionFailure(err, server);
  };

  const headers: Record<string, string> = { Accept: req.accept };
  if (settings.authorization) headers.Authorization = settings.authorization;
  if (req.contentType) headers['Content-Type'] = req.contentType;
  arm();
  let response: Response;
  try {
    // No redirects: the authorization header must never be replayed to a host the user did not enter.
    response = await fetch(settings.baseUrl + req.path, { method: req.method ?? 'GET', headers, body: req.body, signal: controller.signal, redirect: 'error' });
  } catch (err) {
    close();
    throw failure(err);
  }
  if (!response.ok && !(req.okStatuses ?? []).includes(response.status)) {
    close();
    await response.body?.cancel().catch(() => undefined);
    throw statusFailure(response.status, req.what, server);
  }

  async function* chunks(): AsyncGenerator<Uint8Array> {
    if (!response.body) return;
    const reader = response.body.getReader();
    let finished = false;
    try {
      for (;;) {
        arm();
        const { done, value } = await reader.read();
        if (done) {
          finished = true;
          return;
        }
        yield value;
      }
    } catch (err) {
      finished = true;
      throw failure(err);
    } finally {
      close();
      // A consumer that stops early (an error in a part) must not leave the connection open.
      if (!finished) await reader.cancel().catch(() => undefined);
      reader.releaseLock();
    }
  }
  return {
    response,
    chunks,
    async bytes(maxBytes = MAX_JSON_ANSWER_BYTES) {
      const parts: Uint8Array[] = [];
      let size = 0;
      // fetch inflates gzip/deflate/br itself: counting what it yields caps the inflated size.
      for await (const c of chunks()) {
        size += c.byteLength;
        if (size > maxBytes)
          throw new PacsError(`${req.what}: the PACS at ${server} sent more than ${Math.round(maxBytes / 2 ** 20)} MB; the answer was refused`);
        parts.push(c);
      }
      return Buffer.concat(parts, size);
    },
    close,
  };
}
