// Metrics runs shared by their callers (services/explanationMetrics.ts): one computation per result
// and part (the suite, or max-sensitivity with given settings) while it runs, stopped when its last
// caller with a signal leaves, when the app cancels it, when a later request replaces it, or when the
// engine closes; a failed or stopped run is forgotten, so the next request computes it afresh.

/**
 * Why a metrics run stopped before its end: every caller went away (the app's card was closed, the
 * HTTP client disconnected), the app cancelled it, a later request replaced it, or the engine closed.
 * The run's work stops at its next model call (ROAD's worker at once) and nothing of it is kept.
 */
export class MetricsCancelled extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'MetricsCancelled';
  }
}

/**
 * One computation of a part (the suite, or max-sensitivity with given options), shared by every
 * caller that asks for it while it runs. It is stopped when its last caller with a signal leaves
 * (a caller without one, the CLI, never leaves), or by cancelMetrics / cancelAllMetrics.
 */
interface SharedRun {
  promise: Promise<unknown>;
  controller: AbortController;
  callers: number;
  settled: boolean;
  /** Removes the run from its result's table, if it is still the one there. */
  forget: () => void;
}

/**
 * Parts already computed for a result (job card, then PDF, then the card again): a CT's suite takes
 * tens of seconds, max-sensitivity N reruns of the method. The two are kept apart, so asking for
 * max-sensitivity after the curves reruns only the method. Keyed by the result object (a cleared
 * job frees its entry) and by everything else the part depends on; a failed or stopped run is
 * forgotten at once, so the next request computes it afresh.
 */
const computed = new WeakMap<object, Map<string, SharedRun>>();
/** Every run still going, of any result: the engine's dispose stops them all. */
const running = new Set<SharedRun>();

function stop(run: SharedRun, why: string): boolean {
  if (run.settled || run.controller.signal.aborted) return false;
  run.forget();
  running.delete(run);
  run.controller.abort(new MetricsCancelled(why));
  return true;
}

export function remembered<T>(
  r: object,
  key: string,
  start: (signal: AbortSignal) => Promise<T>,
  caller: AbortSignal | undefined,
  keep: (v: T) => boolean = () => true,
): Promise<T> {
  if (caller?.aborted) return Promise.reject(new MetricsCancelled('the metrics request was withdrawn'));
  let forResult = computed.get(r);
  if (!forResult) computed.set(r, (forResult = new Map()));
  const table = forResult;
  let run = table.get(key);
  if (!run) {
    const controller = new AbortController();
    const created: SharedRun = {
      promise: Promise.resolve(),
      controller,
      callers: 0,
      settled: false,
      forget: () => table.get(key) === created && table.delete(key),
    };
    created.promise = start(controller.signal);
    table.set(key, created);
    running.add(created);
    const done = (kept: boolean) => {
      created.settled = true;
      running.delete(created);
      if (!kept || controller.signal.aborted) created.forget();
    };
    created.promise.then(
      (v) => done(keep(v as T)),
      () => done(false),
    );
    run = created;
  }
  return join(run, caller) as Promise<T>;
}

/** A caller's view of a shared run: it rejects at once when the caller leaves or the run is stopped. */
function join(run: SharedRun, caller: AbortSignal | undefined): Promise<unknown> {
  run.callers++;
  return new Promise((resolve, reject) => {
    const runSignal = run.controller.signal;
    const leave = () => {
      caller?.removeEventListener('abort', onCaller);
      runSignal.removeEventListener('abort', onRun);
    };
    const onRun = () => {
      leave();
      reject(runSignal.reason);
    };
    const onCaller = () => {
      leave();
      reject(new MetricsCancelled('the metrics request was withdrawn'));
      if (--run.callers === 0) stop(run, 'no one is waiting for the metrics any more');
    };
    caller?.addEventListener('abort', onCaller, { once: true });
    runSignal.addEventListener('abort', onRun, { once: true });
    run.promise.then(
      (v) => (leave(), resolve(v)),
      (e: unknown) => (leave(), reject(e)),
    );
  });
}

/** Stops every metrics run of this result still going (the app's cancel); returns how many. */
export function cancelMetrics(r: object, why = 'the metrics run was cancelled'): number {
  return [...(computed.get(r)?.values() ?? [])].filter((run) => stop(run, why)).length;
}

/** Stops every metrics run of every result (the engine is closing). */
export function cancelAllMetrics(): number {
  return [...running].filter((run) => stop(run, 'the engine closed')).length;
}

/** Stops the runs of `r` whose key starts with `prefix`, except `keep` (a request with other settings replaces them). */
export function stopOthers(r: object, prefix: string, keep: string, why: string): void {
  for (const [k, run] of computed.get(r) ?? []) if (k.startsWith(prefix) && k !== keep) stop(run, why);
}
