// Worker thread of ROAD's imputation (imputationThread.ts): on a CT's model grid one solve takes
// 0.5-1 s of CPU, which on the engine's thread froze the window and every call for that long per
// curve point. It holds the session's input and answers one curve point at a time by calling the
// same pure function the engine would (imputation.ts), so the fields are bit-identical.
import { parentPort } from 'node:worker_threads';
import { order, removedAt } from './curves';
import { noisyLinearImputation } from './imputation';
import type { ImputationRequest, ImputationResponse } from './imputationProtocol';

const port = parentPort;
if (!port) throw new Error('imputationWorker.ts runs only as a worker thread');

let input: { x: Float32Array; dims: [number, number, number] } | undefined;
/** Voxels by decreasing saliency: sorting a CT's 1M voxels takes ~0.5 s, better here than on the engine's thread. */
let ranked: Uint32Array | undefined;

port.on('message', (req: ImputationRequest) => {
  if (req.kind === 'input') {
    input = { x: req.x, dims: req.dims };
    return;
  }
  if (req.kind === 'rank') {
    ranked = order(req.map);
    return;
  }
  let res: ImputationResponse;
  try {
    if (!input) throw new Error('no input was sent before the first curve point');
    if (req.kind === 'imputeTop' && ranked?.length !== input.x.length) throw new Error('no map of the input\'s size was sent to rank the voxels by');
    const removed = req.kind === 'impute' ? req.removed : removedAt(ranked!, req.fraction, req.deleting);
    const out = noisyLinearImputation(input.x, input.dims, removed, req.options);
    res = { id: req.id, ok: true, out };
  } catch (err) {
    port.postMessage({ id: req.id, ok: false, reason: err instanceof Error ? err.message : String(err) } satisfies ImputationResponse);
    return;
  }
  // The output was allocated by the solve and nothing here keeps it: hand its buffer over.
  port.postMessage(res, [res.out.buffer as ArrayBuffer]);
});
