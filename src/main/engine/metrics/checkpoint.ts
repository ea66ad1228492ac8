// A turn of the event loop between two pieces of a metric's arithmetic. The engine runs in Electron's
// main process and in the HTTP server: a CT's suite does several 1M-voxel passes in a row, and run
// back to back they held every call and the window for their sum. It is also where a stopped run
// notices: the signal's reason (MetricsCancelled) is thrown.
export async function checkpoint(signal?: AbortSignal): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  signal?.throwIfAborted();
}
