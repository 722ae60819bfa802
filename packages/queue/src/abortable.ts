/**
 * Resolves after `ms`, or rejects with the signal's reason as soon as it aborts.
 *
 * @example
 * await sleep(500, controller.signal);
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return abortable(new Promise((resolve) => setTimeout(resolve, ms).unref?.()), signal);
}

/**
 * `promise`, or a rejection with the signal's reason as soon as it aborts (a Redis command that waits
 * for a reconnection must not keep Ctrl-C waiting).
 *
 * @example
 * const n = await abortable(redis.hlen(key), signal);
 */
export function abortable<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
