import { type Postprocessor, type Preprocessor, RsRangeError, RsTypeError } from '@rs/core';
import { featureSqueezing } from './feature-squeezing.js';
import { jpegCompression } from './jpeg-compression.js';
import { classLabels, gaussianNoise, highConfidence, reverseSigmoid, rounded } from './postprocessors.js';
import { spatialSmoothing } from './spatial-smoothing.js';
import { thermometerEncoding } from './thermometer-encoding.js';

type Factory<T> = { make: (o: Record<string, unknown>) => T; params: readonly string[]; className: string };

/** The preprocessing defences by spec name (ART's class name in kebab-case), with their parameters. */
export const PREPROCESSOR_SPECS: Readonly<Record<string, Factory<Preprocessor>>> = {
  'feature-squeezing': { make: (o) => featureSqueezing(o as never), params: ['clipValues', 'bitDepth'], className: 'FeatureSqueezing' },
  'spatial-smoothing': { make: (o) => spatialSmoothing(o as never), params: ['windowSize', 'channelsFirst', 'clipValues'], className: 'SpatialSmoothing' },
  'jpeg-compression': { make: (o) => jpegCompression(o as never), params: ['clipValues', 'quality', 'channelsFirst', 'codec'], className: 'JpegCompression' },
  'thermometer-encoding': {
    make: (o) => thermometerEncoding(o as never),
    params: ['clipValues', 'numSpace', 'channelsFirst'],
    className: 'ThermometerEncoding',
  },
};

/** The postprocessing defences by spec name, with their parameters. */
export const POSTPROCESSOR_SPECS: Readonly<Record<string, Factory<Postprocessor>>> = {
  'class-labels': { make: () => classLabels(), params: [], className: 'ClassLabels' },
  'high-confidence': { make: (o) => highConfidence(o as never), params: ['cutoff'], className: 'HighConfidence' },
  'reverse-sigmoid': { make: (o) => reverseSigmoid(o as never), params: ['beta', 'gamma'], className: 'ReverseSigmoid' },
  rounded: { make: (o) => rounded(o as never), params: ['decimals'], className: 'Rounded' },
  'gaussian-noise': { make: (o) => gaussianNoise(o as never), params: ['scale', 'seed'], className: 'GaussianNoise' },
};

/** Short names accepted in specs (the issue's `feature-squeezing:bit=4`). */
const ALIASES: Readonly<Record<string, string>> = { bit: 'bitDepth', bits: 'bitDepth', window: 'windowSize', space: 'numSpace', clip: 'clipValues' };

/** `bit_depth`, `bit-depth`, `bitDepth` -> `bitDepth`. */
function camel(key: string): string {
  return key.replace(/[-_]([a-z0-9])/g, (_, ch: string) => ch.toUpperCase());
}

function parseValue(raw: string, key: string, spec: string): unknown {
  if (key === 'clipValues') {
    const parts = raw.split('/');
    if (parts.length !== 2 || parts.some((p) => p.trim() === '' || !Number.isFinite(Number(p)))) {
      throw new RsRangeError('RS_INVALID_ARG_VALUE', `defence '${spec}': 'clip-values' must be min/max (e.g. clip-values=0/1), got ${JSON.stringify(raw)}`);
    }
    return parts.map(Number);
  }
  if (raw === 'true' || raw === 'false') return raw === 'true';
  if (key === 'seed' || key === 'codec') return raw;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n))
    throw new RsRangeError('RS_INVALID_ARG_VALUE', `defence '${spec}': '${key}' must be a number, got ${JSON.stringify(raw)}`);
  return n;
}

/** Defaults a command line applies to the defences that take them (the data's domain and layout). */
export interface DefenceSpecDefaults {
  clipValues?: [number, number];
  channelsFirst?: boolean;
}

function fromSpec<T>(spec: string, table: Readonly<Record<string, Factory<T>>>, role: string, defaults: DefenceSpecDefaults): T {
  if (typeof spec !== 'string' || spec.trim() === '')
    throw new RsTypeError('RS_INVALID_ARG_TYPE', `a ${role} spec must be a non-empty string such as 'feature-squeezing:bit-depth=4'`);
  const colon = spec.indexOf(':');
  const name = (colon < 0 ? spec : spec.slice(0, colon)).trim();
  const entry = table[name];
  if (!entry) throw new RsRangeError('RS_INVALID_ARG_VALUE', `unknown ${role} '${name}' in '${spec}' (known: ${Object.keys(table).join(', ')})`);
  const options: Record<string, unknown> = {};
  const body = colon < 0 ? '' : spec.slice(colon + 1).trim();
  for (const part of body === '' ? [] : body.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new RsRangeError('RS_INVALID_ARG_VALUE', `defence '${spec}': '${part}' must be key=value`);
    const rawKey = part.slice(0, eq).trim();
    const key = ALIASES[rawKey] ?? camel(rawKey);
    if (!entry.params.includes(key)) {
      throw new RsRangeError(
        'RS_INVALID_ARG_VALUE',
        `defence '${spec}': unknown parameter '${rawKey}' (parameters of ${name}: ${entry.params.join(', ') || 'none'})`,
      );
    }
    options[key] = parseValue(part.slice(eq + 1).trim(), key, spec);
  }
  if (entry.params.includes('clipValues') && options.clipValues === undefined && defaults.clipValues) options.clipValues = [...defaults.clipValues];
  if (entry.params.includes('channelsFirst') && options.channelsFirst === undefined && defaults.channelsFirst !== undefined) {
    options.channelsFirst = defaults.channelsFirst;
  }
  return entry.make(options);
}

/**
 * A preprocessing defence from a command-line spec, `name[:key=value,...]`: the name is ART's class
 * name in kebab-case, keys are ART's parameter names (snake_case, kebab-case or camelCase; `bit`,
 * `window`, `space` for short), `clip-values=min/max`. `defaults` fill `clipValues` and
 * `channelsFirst` where the spec leaves them out.
 *
 * @example
 * preprocessorFromSpec('feature-squeezing:bit=4', { clipValues: [0, 1] }); // featureSqueezing({ clipValues: [0, 1], bitDepth: 4 })
 */
export function preprocessorFromSpec(spec: string, defaults: DefenceSpecDefaults = {}): Preprocessor {
  return fromSpec(spec, PREPROCESSOR_SPECS, 'preprocessing defence', defaults);
}

/**
 * A postprocessing defence from a command-line spec (see {@link preprocessorFromSpec}).
 *
 * @example
 * postprocessorFromSpec('rounded:decimals=2'); // rounded({ decimals: 2 })
 */
export function postprocessorFromSpec(spec: string, defaults: DefenceSpecDefaults = {}): Postprocessor {
  return fromSpec(spec, POSTPROCESSOR_SPECS, 'postprocessing defence', defaults);
}

function fromRecord<T extends { name: string }>(record: unknown, table: Readonly<Record<string, Factory<T>>>, role: string): T {
  const r = record as { name?: unknown; params?: unknown } | null;
  if (r === null || typeof r !== 'object' || typeof r.name !== 'string' || r.params === null || typeof r.params !== 'object') {
    throw new RsTypeError('RS_INVALID_ARG_TYPE', `a ${role} record must be { name, params }, got ${JSON.stringify(record)}`);
  }
  const entry = Object.values(table).find((f) => f.className === r.name);
  if (!entry)
    throw new RsRangeError(
      'RS_INVALID_ARG_VALUE',
      `unknown ${role} '${r.name}' (known: ${Object.values(table)
        .map((f) => f.className)
        .join(', ')})`,
    );
  const made = entry.make({ ...(r.params as Record<string, unknown>) });
  return made;
}

/**
 * A preprocessing defence from its run-log record `{ name, params }` (core's `describeDefence`):
 * the inverse of the record, so a worker rebuilds the defences of a queued run exactly.
 *
 * @example
 * preprocessorFromRecord({ name: 'FeatureSqueezing', params: { clipValues: [0, 1], bitDepth: 4 } });
 */
export function preprocessorFromRecord(record: unknown): Preprocessor {
  return fromRecord(record, PREPROCESSOR_SPECS, 'preprocessing defence');
}

/**
 * A postprocessing defence from its run-log record `{ name, params }`.
 *
 * @example
 * postprocessorFromRecord({ name: 'Rounded', params: { decimals: 2 } });
 */
export function postprocessorFromRecord(record: unknown): Postprocessor {
  return fromRecord(record, POSTPROCESSOR_SPECS, 'postprocessing defence');
}
