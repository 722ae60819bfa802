/**
 * Error helpers shared by every public entry point of `@rs/core`.
 *
 * Conventions (as in onnxruntime-common): a value of the wrong type is a `TypeError`, a value of the
 * right type outside its allowed range is a `RangeError`; both messages quote the argument name.
 */

/**
 * Formats a value for an error message: short, unambiguous, never throws.
 *
 * @example
 * describeValue(0.7); // '0.7'
 * describeValue('x'); // '"x"'
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined || value === null) return String(value);
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as unknown as { length: number }).length})`;
  if (Array.isArray(value)) return `array(${value.length})`;
  if (typeof value === 'function') return 'function';
  return typeof value;
}

/**
 * The error thrown when a long run is cancelled through an `AbortSignal`. Its `name` is
 * `'AbortError'`, like the DOM's, so `err.name === 'AbortError'` checks work across libraries.
 *
 * @example
 * try { await smoothed.certify(x, { n: 100_000, signal }); }
 * catch (err) { if (err instanceof AbortError) console.log('cancelled, nothing returned'); }
 */
export class AbortError extends Error {
  override readonly name = 'AbortError';
  constructor(message = 'The operation was aborted', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * Throws an {@link AbortError} when `signal` is aborted (the signal's reason becomes the cause).
 *
 * @example
 * throwIfAborted(options.signal);
 */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    const reason: unknown = signal.reason;
    if (reason instanceof AbortError) throw reason;
    throw new AbortError('The operation was aborted; no partial result is returned', { cause: reason });
  }
}

/**
 * The error thrown when a classifier (a backend or a user function) breaks its contract: wrong
 * number of logits, NaN logits, a rejected promise. The message names the classifier and the batch.
 *
 * @example
 * throw new ClassifierContractError('forward returned 30 values for a batch of 4 x 10 classes (expected 40)');
 */
export class ClassifierContractError extends Error {
  override readonly name = 'ClassifierContractError';
}
