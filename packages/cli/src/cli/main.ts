import { cliVersion } from '../assets.js';
import { availableBackends, BACKEND_PACKAGES, missingPackages, registerBuiltinBackends } from '../backends/index.js';
import { COMMANDS } from '../commands/index.js';
import { CliError } from '../errors.js';

/**
 * The top-level help text.
 *
 * @example
 * console.log(mainUsage());
 */
export function mainUsage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return `rsmooth ${cliVersion()}: randomized smoothing (Cohen, Rosenfeld & Kolter 2019) from the command line

Usage: rsmooth <command> [options]      rsmooth <command> --help

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`).join('\n')}

Backends (--backend): ${availableBackends()
    .map((b) => {
      const missing = b in BACKEND_PACKAGES ? missingPackages(b as keyof typeof BACKEND_PACKAGES) : [];
      return missing.length ? `${b} (not installed: ${BACKEND_PACKAGES[b as keyof typeof BACKEND_PACKAGES].install})` : b;
    })
    .join(', ')}
Examples:
  rsmooth demo
  rsmooth certify --model model.onnx --data fashion-mnist --sigma 0.25 --n 100000 --skip 20 --out results.tsv
  rsmooth analyze results.tsv --radii 0:1:0.25 --plot curve.svg`;
}

/**
 * Runs `rsmooth` with `argv` (the arguments after the program name) and resolves to the exit
 * status: 0 on success, 2 for usage/validation errors, 1 for other failures, 130 when interrupted.
 * Errors are printed to stderr as one message (a stack trace only with RSMOOTH_DEBUG=1).
 *
 * @example
 * process.exitCode = await main(process.argv.slice(2));
 */
export async function main(argv: string[]): Promise<number> {
  registerBuiltinBackends();
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      const topic = name === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
      process.stdout.write(`${topic ? topic.usage() : mainUsage()}\n`);
      return name === undefined ? 2 : 0;
    }
    if (name === '--version' || name === '-v') {
      process.stdout.write(`${cliVersion()}\n`);
      return 0;
    }
    const command = COMMANDS.find((c) => c.name === name);
    if (!command)
      throw new CliError(`rsmooth: unknown command '${name}'; commands: ${COMMANDS.map((c) => c.name).join(', ')} (see 'rsmooth --help')`, {
        code: 'RS_USAGE',
      });
    return await command.run(rest);
  } catch (err) {
    if (err instanceof CliError) {
      process.stderr.write(`${process.stderr.isTTY ? '\n' : ''}error: ${err.message}\n`);
      return err.exitCode;
    }
    const e = err as Error;
    process.stderr.write(`error: ${e?.message ?? String(err)}\n${process.env.RSMOOTH_DEBUG ? `${e?.stack}\n` : ''}`);
    return 1;
  }
}
