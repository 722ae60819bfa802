/**
 * An error the command line reports as one message and a non-zero exit status, without a stack
 * trace: a bad option, a missing file, settings that do not match a file being resumed.
 *
 * Exit statuses: 2 for usage and validation errors (nothing was run), 1 for failures while running.
 *
 * @example
 * throw new CliError(`--n must be an integer >= 10 at alpha 0.001`);
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
