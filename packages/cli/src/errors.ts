import { RsError, type RsErrorCode } from '@rs/core';

/** What a {@link CliError} carries besides its message. */
export interface CliErrorOptions {
  /** The stable code (see the root README's table); default from the exit status. */
  code?: RsErrorCode;
  /** 2 (default): usage and validation errors, nothing was run; 1: failures while running; 130: interrupted. */
  exitCode?: number;
  cause?: unknown;
}

const DEFAULT_CODE: Record<number, RsErrorCode> = { 1: 'RS_WRITE_FAILED', 2: 'RS_USAGE', 130: 'RS_INTERRUPTED' };

/**
 * An error the command line reports as one message and a non-zero exit status, without a stack
 * trace: a bad option, a missing file, settings that do not match a file being resumed. It is an
 * `RsError` with a stable `code` (`RS_USAGE`, `RS_OUTPUT_LOCKED`, ...).
 *
 * Exit statuses: 2 for usage and validation errors (nothing was run), 1 for failures while running,
 * 130 when interrupted. The second argument is the options, or (older call sites) the exit status.
 *
 * @example
 * throw new CliError(`--n must be an integer >= 10 at alpha 0.001`);
 * throw new CliError(`${out} is being written by process 4242`, { code: 'RS_OUTPUT_LOCKED' });
 */
export class CliError extends RsError {
  readonly exitCode: number;
  constructor(message: string, options: CliErrorOptions | number = {}) {
    const o = typeof options === 'number' ? { exitCode: options } : options;
    const exitCode = o.exitCode ?? 2;
    super(o.code ?? DEFAULT_CODE[exitCode] ?? 'RS_USAGE', message, o.cause === undefined ? undefined : { cause: o.cause });
    this.exitCode = exitCode;
    this.name = 'CliError';
  }
}

/**
 * A {@link CliError} from any error a library below the command line threw (a file reader, a
 * backend): its message, with `prefix`, and its code when it has one.
 *
 * @example
 * catch (err) { throw cliErrorFrom(err, `--data ${path}: `); }
 */
export function cliErrorFrom(err: unknown, prefix = '', fallback: RsErrorCode = 'RS_MALFORMED_FILE', exitCode = 2): CliError {
  if (err instanceof CliError && prefix === '') return err;
  const code = err instanceof RsError ? err.code : fallback;
  return new CliError(`${prefix}${err instanceof Error ? err.message : String(err)}`, { code, exitCode, cause: err });
}
