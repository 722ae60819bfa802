import type { z } from 'zod';
import { describeValue, RsRangeError, RsTypeError } from '../errors.js';
import { schemaOptionNames, suggestOptionName } from './familiar-names.js';

/**
 * Validates `value` against a zod schema and returns the parsed value, or throws one error that
 * names the offending option: a `TypeError` for a wrong type (code `RS_INVALID_ARG_TYPE`; an unknown
 * key is `RS_UNKNOWN_OPTION`), a `RangeError` for a bad value (`RS_INVALID_ARG_VALUE`).
 *
 * Schemas built with the helpers in `schema-helpers.ts` carry messages such as
 * `must be in (0, 0.5)`; this function prefixes the option name and appends the value:
 * `'alpha' must be in (0, 0.5), got 0.7`. An unknown key is named with the option it probably
 * stands for: ART's and Cohen et al.'s names (`sigma`, `sample_size`, `nb_classes`, `N`) and typos
 * get `unknown option 'sigma' (did you mean 'scale'?)`.
 *
 * @example
 * const opts = parseOptions(smoothingOptionsSchema, { scale: 0.25 }, 'smoothing options');
 */
export function parseOptions<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  // An unknown key first: it is usually why a required option looks missing (`{ N: 100 }` for `n`).
  const issue = result.error.issues.find((i) => i.code === 'unrecognized_keys') ?? result.error.issues[0]!;
  const name = issue.path.length > 0 ? issue.path.map(String).join('.') : what;
  const input = pick(value, issue.path);
  if (issue.code === 'unrecognized_keys') {
    const keys = (issue as { keys: string[] }).keys;
    const known = issue.path.length === 0 ? schemaOptionNames(schema, value) : [];
    const named = keys.map((k) => {
      const hint = suggestOptionName(
        k,
        known.filter((name) => name !== k),
      ); // a key another branch of a union takes is no typo
      return hint ? `'${k}' (did you mean '${hint}'?)` : `'${k}'`;
    });
    throw new RsTypeError('RS_UNKNOWN_OPTION', `${what}: unknown option${keys.length > 1 ? 's' : ''} ${named.join(', ')}`);
  }
  const typeProblem = issue.code === 'invalid_type' || issue.code === 'invalid_union';
  const message = `'${name}' ${issue.message}, got ${describeValue(input)}`;
  throw typeProblem && !(typeof input === 'number' && !Number.isFinite(input))
    ? new RsTypeError('RS_INVALID_ARG_TYPE', message)
    : new RsRangeError('RS_INVALID_ARG_VALUE', message);
}

function pick(value: unknown, path: PropertyKey[]): unknown {
  let current: unknown = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}
