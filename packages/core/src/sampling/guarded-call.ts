import { AbortError, abortErrorOf, ClassifierContractError, ForwardTimeoutError, messageOf } from '../errors.js';

/**
 * How long a classifier call may take and what may cancel it.
 */
export interface CallGuard {
  signal?: AbortSignal | undefined;
  /** Milliseconds a single call may take before it becomes a {@link ForwardTimeoutError}. */
  timeoutMs?: number | undefined;
}

/** What a guarded call is, for its timeout message: the call, the batch index and the inputs in it. */
export interface CallSite {
  call: string;
  batch: number;
  rows: number;
  inputIds: readonly number[];
  /** Extra words after the inputs, e.g. `in the estimation phase`. */
  where?: string;
}

const noop = () => undefined;

/**
 * Runs `start()` (a classifier call, sync or async) and settles with its result, or rejects with an
 * {@link AbortError} as soon as `guard.signal` aborts, or a {@link ForwardTimeoutError} once
 * `guard.timeoutMs` passes, whichever comes first. The call's own promise always gets a handler, so a
 * call that rejects after the caller gave up (a session disposed under it) is never an unhandled
 * rejection. The returned promise is marked handled too: a caller that throws before awaiting it
 * leaves nothing behind. A synchronous call cannot be interrupted; it runs to its end first.
 */
export function guardedCall<T>(start: () => T | Promise<T>, guard: CallGuard, site: CallSite): Promise<T> {
  let call: Promise<T>;
  try {
    call = Promise.resolve(start());
  } catch (err) {
    call = Promise.reject(err);
  }
  const { signal, timeoutMs } = guard;
  if (!signal && timeoutMs === undefined) {
    call.catch(noop);
    return call;
  }
  const guarded = new Promise<T>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = () => {
      cleanup();
      reject(abortErrorOf(signal!));
    };
    const cleanup = () => {
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    call.then(
      (value) => {
        cleanup();
        resolve(value);
      },
      (err: unknown) => {
        cleanup();
        reject(err);
      },
    );
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    if (timeoutMs !== undefined) {
      timer = setTimeout(() => {
        cleanup();
        reject(
          new ForwardTimeoutError(
            `${site.call} did not settle within ${timeoutMs} ms on batch ${site.batch} (${site.rows} rows, input ids ${formatIds(site.inputIds)})${site.where ? ` ${site.where}` : ''}; the call may still be running: dispose the classifier before using it again`,
            site.batch,
            site.inputIds,
          ),
        );
      }, timeoutMs);
    }
  });
  guarded.catch(noop);
  return guarded;
}

/**
 * The error a failed classifier call becomes: errors of the guard and of the contract pass through,
 * anything else is wrapped in a {@link ClassifierContractError} (code `RS_CLASSIFIER_FAILED`) naming the call.
 */
export function callFailure(err: unknown, what: string): Error {
  if (err instanceof AbortError || err instanceof ForwardTimeoutError || err instanceof ClassifierContractError) return err;
  return new ClassifierContractError(`${what}: ${messageOf(err)}`, { cause: err, code: 'RS_CLASSIFIER_FAILED' });
}

/**
 * Lets the event loop run (timers, I/O, an `AbortSignal.timeout`) before the next batch, so a run
 * over a classifier that answers synchronously can still be cancelled between batches.
 */
export function yieldToEventLoop(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (cb: () => void) => unknown }).setImmediate;
  return new Promise((resolve) => (immediate ? immediate(resolve) : setTimeout(resolve, 0)));
}

function formatIds(ids: readonly number[]): string {
  return ids.length > 10 ? `${ids.slice(0, 10).join(', ')}, ... (${ids.length})` : ids.join(', ');
}
