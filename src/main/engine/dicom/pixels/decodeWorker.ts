// Worker thread of the decode pool: decodes compressed frames (JPEG 2000, JPEG-LS, JPEG, RLE) so
// that a 35-70 ms J2K slice never blocks the engine's thread. One task at a time; the pool
// terminates a worker whose task runs past its timeout and starts a fresh one.
import { parentPort } from 'node:worker_threads';
import { DicomInputError } from '../errors';
import { decodeEncapsulated } from './decodeEncapsulated';
import type { DecodeRequest, DecodeResponse } from './decodeProtocol';

const port = parentPort;
if (!port) throw new Error('decodeWorker.ts runs only as a worker thread');

port.on('message', (req: DecodeRequest) => {
  void decodeEncapsulated(req.transferSyntaxUid, req.encoded, req.format, req.frameIndex).then(
    (frame) => {
      const res: DecodeResponse = { id: req.id, ok: true, ...frame };
      // The decoded pixels always own their buffer (toStoredValues allocates it): hand it over.
      port.postMessage(res, [frame.pixels.buffer as ArrayBuffer]);
    },
    (err: unknown) => {
      const res: DecodeResponse = err instanceof DicomInputError
        ? { id: req.id, ok: false, input: true, reason: err.reason, detail: err.detail }
        : { id: req.id, ok: false, input: false, reason: err instanceof Error ? err.message : String(err) };
      port.postMessage(res);
    },
  );
});
