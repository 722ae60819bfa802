import { ERROR_CODES, type RsErrorCode } from './error-codes.js';

/**
 * The errors of the project: every one has a stable `code` (a key of {@link ERROR_CODES}, listed in
 * the root README) besides its message, so programs can branch on what went wrong.
 *
 * Conventions (as in onnxruntime-common): a value of the wrong type is a `TypeError`
 * ({@link RsTypeError}), a value of the right type outside its allowed range is a `RangeError`
 * ({@link RsRangeError}); both messages quote the argument name. `err instanceof RsError` is true
 * for all three, and `err instanceof TypeError` / `RangeError` keep working.
 */

export { ERROR_CODES, type RsErrorCode } from './error-codes.js';

/** Options of every project error: the code, and the error that caused it. */
export interface RsErrorOptions {
  cause?: unknown;
}

function checkedCode(code: RsErrorCode): RsErrorCode {
  // A typo in a code is a bug of the project: make it loud in development, never silent.
  if (!Object.hasOwn(ERROR_CODES, code)) throw new Error(`internal: unknown error code ${String(code)}`);
  return code;
}

/**
 * The base error of the project, with a stable `code`. `instanceof RsError` also holds for
 * {@link RsTypeError} and {@link RsRangeError} (which extend the built-in TypeError/RangeError).
 *
 * @example
 * try { await smoothed.certify(x, { n }); }
 * catch (err) { if (err instanceof RsError && err.code === 'RS_ABORTED') console.log('cancelled'); }
 */
export class RsError extends Error {
  readonly code: RsErrorCode;
  constructor(code: RsErrorCode, message: string, options?: RsErrorOptions) {
    super(message, options);
    this.code = checkedCode(code);
    this.name = 'RsError';
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    // Subclasses keep the ordinary prototype check; RsError itself also covers RsTypeError/RsRangeError.
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class instanceof was called on (RsError or a subclass), which is the point
    if (this !== RsError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return isRsError(value);
  }
}

/**
 * A `TypeError` with a stable `code`: an argument of the wrong type.
 *
 * @example
 * throw new RsTypeError('RS_INVALID_ARG_TYPE', `'x' must be a Float32Array, got string`);
 */
export class RsTypeError extends TypeError {
  readonly code: RsErrorCode;
  constructor(code: RsErrorCode, message: string, options?: RsErrorOptions) {
    super(message, options);
    this.code = checkedCode(code);
  }
}

/**
 * A `RangeError` with a stable `code`: an argument of the right type but a bad value.
 *
 * @example
 * throw new RsRangeError('RS_INVALID_ARG_VALUE', `'alpha' must be in (0, 0.5), got 0.7`);
 */
export class RsRangeError extends RangeError {
  readonly code: RsErrorCode;
  constructor(code: RsErrorCode, message: string, options?: RsErrorOptions) {
    super(message, options);
    this.code = checkedCode(code);
  }
}

/**
 * True for an error of this project (any class above, or a subclass): an `Error` whose `code` is a
 * key of {@link ERROR_CODES}.
 *
 * @example
 * if (isRsError(err) && err.code === 'RS_FORWARD_TIMEOUT') retry();
 */
export function isRsError(value: unknown): value is Error & { code: RsErrorCode } {
  if (!(value instanceof Error)) return false;
  const code = (value as { code?: unknown }).code;
  return typeof code === 'string' && Object.hasOwn(ERROR_CODES, code);
}

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
 * The message of anything thrown (an `Error`'s message, else its string form), never throws.
 *
 * @example
 * messageOf(new Error('lost')); // 'lost'
 */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  try {
    return String(err);
  } catch {
    return typeof err;
  }
}

/**
 * The error thrown when a long run is cancelled through an `AbortSignal` (code `RS_ABORTED`). Its
 * `name` is `'AbortError'`, like the DOM's, so `err.name === 'AbortError'` checks work across libraries.
 *
 * @example
 * try { await smoothed.certify(x, { n: 100_000, signal }); }
 * catch (err) { if (err instanceof AbortError) console.log('cancelled, nothing returned'); }
 */
export class AbortError extends RsError {
  constructor(message = 'The operation was aborted', options?: RsErrorOptions) {
    super('RS_ABORTED', message, options);
    this.name = 'AbortError';
  }
}

/**
 * The {@link AbortError} for an aborted `signal` (its reason becomes the cause; a reason that is
 * already an AbortError is returned as is).
 *
 * @example
 * signal.addEventListener('abort', () => reject(abortErrorOf(signal)));
 */
export function abortErrorOf(signal: AbortSignal): AbortError {
  const reason: unknown = signal.reason;
  if (reason instanceof AbortError) return reason;
  return new AbortError('The operation was aborted; no partial result is returned', { cause: reason });
}

/**
 * Throws an {@link AbortError} when `signal` is aborted (the signal's reason becomes the cause).
 *
 * @example
 * throwIfAborted(options.signal);
 */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortErrorOf(signal);
}

/**
 * The error thrown when a classifier (a backend or a user function) breaks its contract: wrong
 * number of logits, NaN or infinite logits (code `RS_CLASSIFIER_CONTRACT`, the default), a call that
 * threw or rejected (`RS_CLASSIFIER_FAILED`), a training loss that is not finite
 * (`RS_TRAINING_DIVERGED`). The message names the classifier call and the batch.
 *
 * @example
 * throw new ClassifierContractError('forward returned 30 values for a batch of 4 x 10 classes (expected 40)');
 */
export class ClassifierContractError extends RsError {
  constructor(message: string, options?: RsErrorOptions & { code?: 'RS_CLASSIFIER_CONTRACT' | 'RS_CLASSIFIER_FAILED' | 'RS_TRAINING_DIVERGED' }) {
    super(options?.code ?? 'RS_CLASSIFIER_CONTRACT', message, options);
    this.name = 'ClassifierContractError';
  }
}

/**
 * The error thrown when a classifier call (forward, vjp, a training step) does not settle within the
 * caller's `forwardTimeoutMs` (code `RS_FORWARD_TIMEOUT`). It names the call, the batch and the
 * input ids; the call itself may still be running, so dispose the classifier before reusing it.
 *
 * @example
 * catch (err) { if (err instanceof ForwardTimeoutError) console.log(err.batch, err.inputIds); }
 */
export class ForwardTimeoutError extends RsError {
  constructor(
    message: string,
    /** Index of the batch (0-based, within the phase) whose call did not settle. */
    readonly batch: number,
    /** Noise ids (or positions, for clean batches) of the inputs in that batch. */
    readonly inputIds: readonly number[],
  ) {
    super('RS_FORWARD_TIMEOUT', message);
    this.name = 'ForwardTimeoutError';
  }
}
