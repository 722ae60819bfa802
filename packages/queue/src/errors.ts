/** The codes of the queue's errors (entries of `ERROR_CODES` in `@rs/core`, listed in the root README). */
export type QueueErrorCode = 'RS_QUEUE_FAILED' | 'RS_RUN_REFUSED' | 'RS_RUN_FAILED' | 'RS_RUN_CANCELLED';

/**
 * A queue problem reported as one message: a bad connection string, a Redis that cannot be reached
 * or refuses the credentials, a run that is not there. `code` is `'RS_QUEUE_FAILED'` (the
 * subclasses below have their own), so `isRsError(err)` from `@rs/core` holds for it.
 *
 * @example
 * throw new QueueError("--queue: unknown scheme 'http:' (use redis:// or rediss://)");
 */
export class QueueError extends Error {
  readonly code: QueueErrorCode;
  constructor(message: string, code: QueueErrorCode = 'RS_QUEUE_FAILED') {
    super(message);
    this.name = 'QueueError';
    this.code = code;
  }
}

/**
 * A worker refuses a run it cannot serve exactly (its model or data differ from the run's SHA-256,
 * a backend it lacks): it takes none of the run's jobs.
 *
 * @example
 * throw new RunRefusedError('model SHA-256 mismatch: the run expects 3f2a..., model.onnx is 9c1b...');
 */
export class RunRefusedError extends QueueError {
  constructor(message: string) {
    super(message, 'RS_RUN_REFUSED');
    this.name = 'RunRefusedError';
  }
}

/**
 * A job that failed every attempt, with its last error.
 *
 * @example
 * const f: FailedJob = { jobId: 'p40', inputs: [40], reason: 'out of memory', attempts: 3 };
 */
export interface FailedJob {
  jobId: string;
  /** The input ids (dataset indices) of the job. */
  inputs: number[];
  reason: string;
  attempts: number;
}

/**
 * Collection stopped: jobs failed all their attempts and nothing else is left to run. Running the
 * same submission again retries them.
 *
 * @example
 * if (err instanceof RunFailedError) for (const f of err.failures) console.error(f.inputs, f.reason);
 */
export class RunFailedError extends QueueError {
  constructor(
    message: string,
    readonly failures: FailedJob[],
  ) {
    super(message, 'RS_RUN_FAILED');
    this.name = 'RunFailedError';
  }
}

/**
 * The run was cancelled (`rsmooth queue cancel`) while it was being collected.
 *
 * @example
 * if (err instanceof RunCancelledError) process.exitCode = 1;
 */
export class RunCancelledError extends QueueError {
  constructor(message: string) {
    super(message, 'RS_RUN_CANCELLED');
    this.name = 'RunCancelledError';
  }
}
