import type { OptionSpec } from '../cli/args.js';

/**
 * A subcommand of `rsmooth`.
 */
export interface Command {
  name: string;
  /** One line for `rsmooth --help`. */
  summary: string;
  /** Full help text for `rsmooth <name> --help`. */
  usage(): string;
  /** Its flags (for help and for the flag fuzzer, which generates argument vectors from them). */
  readonly options?: OptionSpec;
  /** Runs with the arguments after the command name; resolves to the exit status. */
  run(argv: string[]): Promise<number>;
}
