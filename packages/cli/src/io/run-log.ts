import { CliError } from '../errors.js';
import { describeIssue, RECORD_SCHEMAS, settingsLineSchema } from './log-schema.js';

/**
 * The version tag of the JSON Lines log's first line.
 */
export const LOG_FORMAT = 'rsmooth-log/1';
/**
 * The noise generator's algorithm, recorded in every log.
 */
export const RNG_ALGORITHM = 'philox4x32-10';

/**
 * The settings that decide a run's rows. A resumed run must have equal settings; shards being
 * merged must have equal settings except `selection.shard`. (Batch size, device and threads do not
 * change the noise, so they are recorded per certificate but not compared.)
 *
 * @example
 * diffSettings(parseLog(text, path).settings, settings); // [] when a resume may go on
 */
export interface RunSettings {
  command: 'certify' | 'predict';
  backend: string;
  modelSha256: string;
  /** SHA-256 of the inputs (float32 bytes) and labels (int32 bytes), and the data set's size. */
  data: { count: number; sha256: string; labelsSha256: string | null };
  selection: { skip: number; max: number | null; shard: { index: number; count: number } | null };
  sigma: number;
  /** Selection samples (certify; null for predict). */
  n0: number | null;
  n: number;
  alpha: number;
  seed: string;
  rng: typeof RNG_ALGORITHM;
  /** The noise family (logs written before families existed read as 'gaussian'). */
  noise: 'gaussian' | 'uniform' | 'laplace';
  /** The norm of the certified radii (certify; null for predict; older certify logs read as 'l2'). */
  norm: 'l1' | 'l2' | 'linf' | null;
  /** The sound mode's grid, or null (float mode; older logs read as null). */
  sound: { levels: number } | null;
  /** The certificate (certify: 'one-sided' or 'top-two'; null for predict; older certify logs read as 'one-sided'). */
  radiusMethod: 'one-sided' | 'top-two' | null;
  /** The noise identity of each input: its index in the data set. */
  noiseIds: 'dataset-index';
  clip: [number, number] | null;
  /** Sequential certification (absent for fixed n): mode, target and bound decide the rows. */
  sequential?: { mode: 'radius' | 'budget'; radius: number | null; tolerance: number | null; bound: 'clopper-pearson' | 'beta-binomial-mixture' };
  /** Present only when used (composition-flags.ts): ART defences `{ name, params }`, clipping of the noisy copies, a denoiser, an ensemble. */
  preprocessingDefences?: { name: string; params: Record<string, unknown> }[];
  postprocessingDefences?: { name: string; params: Record<string, unknown> }[];
  clipNoisy?: true;
  denoiserSha256?: string;
  ensemble?: { combine: string; modelSha256: string[] };
}

/**
 * The first line of a log.
 */
export interface SettingsLine {
  type: 'settings';
  format: typeof LOG_FORMAT;
  settings: RunSettings;
  /** Informational, not compared: paths as given, tool version, when the file was started. */
  info: Record<string, unknown>;
}

/**
 * The settings line of a log, with its newline.
 */
export function settingsLine(settings: RunSettings, info: Record<string, unknown>): string {
  const line: SettingsLine = { type: 'settings', format: LOG_FORMAT, settings, info };
  return `${JSON.stringify(line)}\n`;
}

/**
 * A parsed log: its settings and record lines (with the line number and the byte offset after each).
 */
export interface ParsedLog {
  settings: RunSettings;
  info: Record<string, unknown>;
  records: { record: Record<string, unknown> & { type: string }; line: number; end: number }[];
  /** Bytes up to the end of the settings line. */
  headerEnd: number;
}

/**
 * Parses and validates a JSON Lines log (zod schemas of `log-schema.ts`): the settings line, then one
 * record per line; a last line without its newline (an interrupted write) is ignored. Any other
 * problem is a {@link CliError} (`RS_MALFORMED_FILE`) naming the file, the line and the field.
 *
 * @example
 * const log = parseLog(readFileSync('results.tsv.jsonl', 'utf8'), 'results.tsv.jsonl');
 */
export function parseLog(text: string, path: string): ParsedLog {
  const bad = (line: number, what: string) => new CliError(`${path}, line ${line}: ${what}`, { code: 'RS_MALFORMED_FILE' });
  const lines: { text: string; end: number }[] = [];
  let start = 0;
  let bytes = 0;
  for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
    const line = text.slice(start, nl);
    bytes += Buffer.byteLength(line) + 1;
    lines.push({ text: line, end: bytes });
    start = nl + 1;
  }
  const first = lines.shift();
  const json = (t: string): unknown => {
    try {
      return JSON.parse(t);
    } catch {
      return undefined;
    }
  };
  const head = first ? json(first.text) : undefined;
  if (!first || head === null || typeof head !== 'object' || (head as { type?: unknown }).type !== 'settings')
    throw bad(1, `not an rsmooth log: its first line must be the settings line (format ${LOG_FORMAT})`);
  const parsedHead = settingsLineSchema.safeParse(head);
  if (!parsedHead.success) throw bad(1, describeIssue(parsedHead.error, head));
  const records = lines.map((l, i) => {
    const value = json(l.text);
    if (value === null || typeof value !== 'object' || Array.isArray(value) || typeof (value as { type?: unknown }).type !== 'string')
      throw bad(i + 2, 'not a JSON record with a "type"');
    const schema = RECORD_SCHEMAS.get((value as { type: string }).type);
    if (schema) {
      const r = schema.safeParse(value);
      if (!r.success) throw bad(i + 2, describeIssue(r.error, value));
    }
    return { record: value as Record<string, unknown> & { type: string }, line: i + 2, end: l.end };
  });
  return {
    settings: withDefaults(parsedHead.data.settings as unknown as RunSettings),
    info: (parsedHead.data.info ?? {}) as Record<string, unknown>,
    records,
    headerEnd: first.end,
  };
}

/** Settings of a log written before a field existed, with that field's value then. */
function withDefaults(s: RunSettings): RunSettings {
  const certify = s.command === 'certify';
  return {
    ...s,
    noise: s.noise ?? 'gaussian',
    sound: s.sound ?? null,
    norm: s.norm !== undefined ? s.norm : certify ? 'l2' : null,
    radiusMethod: s.radiusMethod !== undefined ? s.radiusMethod : certify ? 'one-sided' : null,
  };
}

/**
 * The settings that differ between two runs, as `key: old -> new` lines (empty when equal).
 *
 * @example
 * diffSettings(old, now); // ['sigma: 0.25 -> 0.5']
 */
export function diffSettings(a: RunSettings, b: RunSettings, ignore: string[] = []): string[] {
  const fa = flatten(a);
  const fb = flatten(b);
  const keys = [...new Set([...Object.keys(fa), ...Object.keys(fb)])].filter((k) => !ignore.some((i) => k === i || k.startsWith(`${i}.`)));
  return keys.filter((k) => fa[k] !== fb[k]).map((k) => `${k}: ${fa[k] ?? '(none)'} -> ${fb[k] ?? '(none)'}`);
}

function flatten(v: unknown, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) flatten(x, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out[prefix] = JSON.stringify(v);
  }
  return out;
}
