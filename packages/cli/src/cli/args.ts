import { parseArgs, type ParseArgsConfig } from 'node:util';
import { z } from 'zod';
import { CliError } from '../errors.js';
import { applyFlagAliases } from './flag-aliases.js';

/**
 * The option table of one command: node:util parseArgs' format plus a one-line help per option.
 */
export type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean; help: string; arg?: string }>;

/**
 * Parses `argv` strictly (unknown flags and missing values are errors) with node:util's parseArgs,
 * then validates and converts the values with a zod schema. Every problem becomes a {@link CliError}
 * that names the flag and says what it must be.
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
  let parsed: { values: Record<string, unknown>; positionals: string[]; tokens: { kind: string; name?: string; value?: string }[] };
  try {
    parsed = parseArgs({ args: applyFlagAliases(argv, spec), options, strict: true, allowPositionals: positionals, tokens: true }) as typeof parsed;
  } catch (err) {
    throw new CliError(`rsmooth ${command}: ${cleanParseError((err as Error).message)} (see 'rsmooth ${command} --help')`, { code: 'RS_USAGE' });
  }
  // A flag given twice is a mistake to report, not a choice to make silently (the last one used to win).
  const seen = new Map<string, string[]>();
  for (const t of parsed.tokens) {
    if (t.kind !== 'option' || !t.name || spec[t.name]?.multiple) continue;
    seen.set(t.name, [...(seen.get(t.name) ?? []), t.value ?? 'true']);
  }
  for (const [name, given] of seen) {
    if (given.length > 1)
      throw new CliError(
        `rsmooth ${command}: --${name} is given ${given.length === 2 ? 'twice' : `${given.length} times`} (${given.join(', ')}); give it once`,
        {
          code: 'RS_USAGE',
        },
      );
  }
  const result = schema.safeParse(parsed.values);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const key = issue.path.map(String).join('.');
      const given = key && key in parsed.values ? ` (got ${JSON.stringify(parsed.values[key])})` : '';
      if (issue.code === 'unrecognized_keys') return `unknown option(s) ${(issue as { keys: string[] }).keys.map((k) => `--${k}`).join(', ')}`;
      return key ? `--${key} ${issue.message}${given}` : issue.message;
    });
    throw new CliError(`rsmooth ${command}: ${lines.join('; ')} (see 'rsmooth ${command} --help')`, { code: 'RS_USAGE' });
  }
  return { values: result.data, positionals: parsed.positionals };
}

function cleanParseError(message: string): string {
  // node's messages end with a hint about '--' and positionals; keep the first sentence.
  return message.replace(/\. To specify a positional argument.*$/s, '').replace(/^Unknown option/, 'unknown option');
}

/** A decimal number as people write it: `0.25`, `-1`, `.5`, `1e-3`. Not hex, binary, octal, `Infinity` or padded. */
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * The number a flag value spells in decimal, or NaN (`Number()` alone would also take `0x10`,
 * `0b1`, `Infinity` and surrounding blanks).
 */
export function decimalNumber(s: string): number {
  return DECIMAL.test(s) ? Number(s) : Number.NaN;
}

/**
 * A flag whose value is a finite decimal number satisfying `check` (message: what it must be).
 */
export function numberFlag(what: string, check: (v: number) => boolean = () => true) {
  return z
    .string({ error: `needs a value: ${what}` })
    .refine((s) => Number.isFinite(decimalNumber(s)) && check(decimalNumber(s)), { error: `must be ${what}` })
    .transform(decimalNumber);
}

/**
 * A flag whose value is an integer in [`min`, `max`]. Accepts `100000`, `100_000` (underscores
 * between digits) and `1e5`; not hex or padded values.
 */
export function intFlag(min: number, max = Number.MAX_SAFE_INTEGER) {
  const what = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer in [${min}, ${max}]`;
  const value = (s: string) => decimalNumber(s.replace(/(?<=\d)_(?=\d)/g, ''));
  return z
    .string({ error: `needs a value: ${what}` })
    .refine((s) => Number.isInteger(value(s)) && value(s) >= min && value(s) <= max, { error: `must be ${what}` })
    .transform(value);
}

/**
 * `--seed`: a decimal integer in [0, 2^64).
 */
export const seedFlag = z
  .string({ error: 'needs a value' })
  .refine((s) => /^\d{1,20}$/.test(s) && BigInt(s) < 1n << 64n, { error: 'must be a decimal integer in [0, 2^64)' });

/**
 * `--shard i/N`: shard index i in [0, N), 0-based.
 */
export const shardFlag = z
  .string({ error: 'needs a value i/N' })
  .refine((s) => /^\d+\/\d+$/.test(s) && Number(s.split('/')[1]) >= 1 && Number(s.split('/')[0]) < Number(s.split('/')[1]), {
    error: 'must be i/N with 0 <= i < N (shards are numbered from 0)',
  })
  .transform((s) => ({ index: Number(s.split('/')[0]), count: Number(s.split('/')[1]) }));

/**
 * `--clip min:max`: the valid input domain.
 */
export const clipFlag = z
  .string()
  .refine(
    (s) => {
      const parts = s.split(':').map(decimalNumber);
      return parts.length === 2 && parts.every(Number.isFinite) && parts[0]! < parts[1]!;
    },
    { error: 'must be min:max with min < max, e.g. 0:1' },
  )
  .transform((s) => s.split(':').map(decimalNumber) as [number, number]);

/**
 * Formats an option table as help text: one line per flag, aligned.
 */
export function formatOptions(spec: OptionSpec): string {
  const rows = Object.entries(spec).map(
    ([name, o]) => [`  ${o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ` ${o.arg ?? name.toUpperCase()}` : ''}`, o.help] as const,
  );
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  return rows.map(([l, h]) => l.padEnd(width) + h).join('\n');
}
