import type { z } from 'zod';

/**
 * Option names users bring from IBM ART (`sample_size`, `nb_classes`, ...) and from Cohen et al.'s
 * code (`sigma`, `N0`, `N`, `noise_sd`), with the name this library uses for each. snake_case
 * names whose camelCase form is an option (`clip_values` -> `clipValues`) need no entry here.
 */
export const FAMILIAR_OPTION_NAMES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  sigma: ['scale'],
  noise_sd: ['scale'],
  noiseSd: ['scale'],
  std: ['scale'],
  N0: ['sampleSize'],
  n0: ['sampleSize'],
  N: ['n'],
  num: ['n'],
  nb_samples: ['n', 'sampleSize'],
  num_classes: ['nbClasses'],
  numClasses: ['nbClasses'],
  nClasses: ['nbClasses'],
  epochs: ['nbEpochs'],
  nb_epoch: ['nbEpochs'],
  lr: ['learningRate'],
  batch: ['batchSize'],
  abstain: ['isAbstain'],
  device: ['deviceType'],
  clip: ['clipValues'],
});

/**
 * The option a user probably meant by an unknown `key`, among `known` (the schema's options):
 * ART's and Cohen et al.'s names (`sigma` -> `scale`, `sample_size` -> `sampleSize`,
 * `nb_classes` -> `nbClasses`, `N` -> `n`), a different case, or a typo of at most two edits
 * (one for names of 3-4 letters, none for shorter ones). Undefined when nothing is close.
 *
 * @example
 * suggestOptionName('sigma', ['scale', 'alpha']); // 'scale'
 * suggestOptionName('alpah', ['scale', 'alpha']); // 'alpha'
 */
export function suggestOptionName(key: string, known: readonly string[]): string | undefined {
  const has = new Set(known);
  for (const candidate of FAMILIAR_OPTION_NAMES[key] ?? []) if (has.has(candidate)) return candidate;
  const camel = key.replace(/_([a-z0-9])/gi, (_, c: string) => c.toUpperCase());
  if (camel !== key && has.has(camel)) return camel;
  const lower = key.toLowerCase();
  const sameCase = known.find((k) => k.toLowerCase() === lower || k.toLowerCase() === camel.toLowerCase());
  if (sameCase) return sameCase;
  const limit = key.length <= 2 ? 0 : key.length <= 4 ? 1 : 2;
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const k of known) {
    const d = editDistance(lower, k.toLowerCase(), limit);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

/**
 * The top-level option names of a zod schema (objects, through optional / default / pipe /
 * intersection wrappers); empty for other schemas.
 */
export function schemaOptionNames(schema: z.ZodType, value?: unknown): string[] {
  const def = (schema as unknown as { def?: Record<string, unknown> }).def;
  if (!def) return [];
  switch (def.type) {
    case 'object':
      return Object.keys(def.shape as object);
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
      return schemaOptionNames(def.innerType as z.ZodType);
    case 'pipe':
      return schemaOptionNames(def.in as z.ZodType);
    case 'intersection':
      return [...schemaOptionNames(def.left as z.ZodType), ...schemaOptionNames(def.right as z.ZodType)];
    case 'union': {
      // A discriminated union (e.g. fit's options by `method`): the names of the branch the value
      // selects (its discriminator, or the branch whose discriminator has a default), else of any branch.
      const options = def.options as z.ZodType[];
      const key = def.discriminator as string | undefined;
      if (key && value !== null && typeof value === 'object') {
        const given = (value as Record<string, unknown>)[key];
        const branch = options.find((o) => (o as unknown as { shape?: Record<string, z.ZodType> }).shape?.[key]?.safeParse(given).success);
        if (branch) return schemaOptionNames(branch);
      }
      return [...new Set(options.flatMap((o) => schemaOptionNames(o)))];
    }
    default:
      return [];
  }
}

/** Levenshtein distance, or limit + 1 as soon as it must exceed `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      row.push(v);
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin > limit) return limit + 1;
    previous = row;
  }
  return previous[b.length]!;
}
