import { parseArgs, type ParseArgsConfig } from 'node:util';
import { z } from 'zod';
import { CliError } from '../errors.js';
import { applyFlagAliases } from './flag-aliases.js';

/**
 * The option table of one command: node:util parseArgs' format plus a one-line help per option.
 *
 * @example
 * const spec: OptionSpec = { out: { type: 'string', help: 'output file', arg: 'PATH' } };
 */
export type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean; help: string; arg?: string }>;

/**
 * Parses `argv` strictly (unknown flags and missing values are errors) with node:util's parseArgs,
 * then validates and converts the values with a zod schema. Every problem becomes a {@link CliError}
 * that names the flag and says what it must be.
 *
 * @example
 * const { values, positionals } = parseCommandArgs('analyze', ['a.tsv', '--radii', '0:1:0.25'], spec, schema, { positionals: true });
 */
export function parseCommandArgs<S extends z.ZodType>(
  command: string,
  argv: string[],
  spec: OptionSpec,
  schema: S,
  { positionals = false }: { positionals?: boolean } = {},
): { values: z.output<S>; positionals: string[] } {
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, o] of Object.entries(spec))
    options[name] = { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) };
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: applyFlagAliases(argv, spec), options, strict: true, allowPositionals: positionals }) as typeof parsed;
  } catch (err) {
    throw new CliError(`rsmooth ${command}: ${cleanParseError((err as Error).message)} (see 'rsmooth ${command} --help')`);
  }
  const result = schema.safeParse(parsed.values);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const key = issue.path.map(String).join('.');
      const given = key && key in parsed.values ? ` (got ${JSON.stringify(parsed.values[key])})` : '';
      if (issue.code === 'unrecognized_keys') return `unknown option(s) ${(issue as { keys: string[] }).keys.map((k) => `--${k}`).join(', ')}`;
      return key ? `--${key} ${issue.message}${given}` : issue.message;
    });
    throw new CliError(`rsmooth ${command}: ${lines.join('; ')} (see 'rsmooth ${command} --help')`);
  }
  return { values: result.data, positionals: parsed.positionals };
}

function cleanParseError(message: string): string {
  // node's messages end with a hint about '--' and positionals; keep the first sentence.
  return message.replace(/\. To specify a positional argument.*$/s, '').replace(/^Unknown option/, 'unknown option');
}

/**
 * A flag whose value is a finite number satisfying `check` (message: what it must be).
 *
 * @example
 * z.object({ sigma: numberFlag('a number > 0', (v) => v > 0) }); // '--sigma 0.25' -> 0.25
 */
export function numberFlag(what: string, check: (v: number) => boolean = () => true) {
  return z
    .string({ error: `needs a value: ${what}` })
    .refine((s) => s.trim() !== '' && Number.isFinite(Number(s)) && check(Number(s)), { error: `must be ${what}` })
    .transform(Number);
}

/**
 * A flag whose value is an integer >= `min`. Accepts `100000`, `100_000` and `1e5`.
 *
 * @example
 * z.object({ n: intFlag(1) }); // '--n 100_000' -> 100000
 */
export function intFlag(min: number, max = Number.MAX_SAFE_INTEGER) {
  const what = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer in [${min}, ${max}]`;
  return z
    .string({ error: `needs a value: ${what}` })
    .transform((s) => s.replaceAll('_', ''))
    .refine((s) => s.trim() !== '' && Number.isInteger(Number(s)) && Number(s) >= min && Number(s) <= max, { error: `must be ${what}` })
    .transform(Number);
}

/**
 * `--seed`: a decimal integer in [0, 2^64).
 *
 * @example
 * seedFlag.parse('18446744073709551615'); // ok (2^64 - 1)
 */
export const seedFlag = z
  .string({ error: 'needs a value' })
  .refine((s) => /^\d{1,20}$/.test(s) && BigInt(s) < 1n << 64n, { error: 'must be a decimal integer in [0, 2^64)' });

/**
 * `--shard i/N`: shard index i in [0, N), 0-based.
 *
 * @example
 * shardFlag.parse('1/4'); // { index: 1, count: 4 }
 */
export const shardFlag = z
  .string({ error: 'needs a value i/N' })
  .refine((s) => /^\d+\/\d+$/.test(s) && Number(s.split('/')[1]) >= 1 && Number(s.split('/')[0]) < Number(s.split('/')[1]), {
    error: 'must be i/N with 0 <= i < N (shards are numbered from 0)',
  })
  .transform((s) => ({ index: Number(s.split('/')[0]), count: Number(s.split('/')[1]) }));

/**
 * `--clip min:max`: the valid input domain.
 *
 * @example
 * clipFlag.parse('0:1'); // [0, 1]
 */
export const clipFlag = z
  .string()
  .refine((s) => /^-?[\d.e+-]+:-?[\d.e+-]+$/.test(s) && Number(s.split(':')[0]) < Number(s.split(':')[1]), {
    error: 'must be min:max with min < max, e.g. 0:1',
  })
  .transform((s) => s.split(':').map(Number) as [number, number]);

/**
 * Formats an option table as help text: one line per flag, aligned.
 *
 * @example
 * console.log(formatOptions(CERTIFY_OPTIONS));
 */
export function formatOptions(spec: OptionSpec): string {
  const rows = Object.entries(spec).map(
    ([name, o]) => [`  ${o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ` ${o.arg ?? name.toUpperCase()}` : ''}`, o.help] as const,
  );
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  return rows.map(([l, h]) => l.padEnd(width) + h).join('\n');
}
