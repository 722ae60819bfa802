import { CliError } from '../errors.js';

/**
 * The header of Cohen et al.'s certify.py output.
 */
export const CERTIFY_HEADER = 'idx\tlabel\tpredict\tradius\tcorrect\ttime';
/**
 * The header of Cohen et al.'s predict.py output.
 */
export const PREDICT_HEADER = 'idx\tlabel\tpredict\tcorrect\ttime';

/**
 * One row of a results file (certify rows have `radius`).
 *
 * @example
 * const row: ResultRow = { idx: 0, label: 9, predict: 9, radius: 0.81, correct: 1, time: '0:00:00.127000' };
 */
export interface ResultRow {
  idx: number;
  label: number;
  predict: number;
  radius?: number;
  correct: number;
  /** The time column as written. */
  time: string;
}

/**
 * A parsed results file.
 *
 * @example
 * const { kind, rows, partialTail } = parseResultsTsv(text, 'r.tsv');
 */
export interface ResultsTable {
  kind: 'certify' | 'predict';
  rows: ResultRow[];
  /** Bytes up to the end of the last complete line. */
  completeBytes: number;
  /** True when the file ended in a line without its newline (dropped from `rows`). */
  partialTail: boolean;
  /** True when its lines end in CRLF (a file edited on Windows; readers accept it, a resume does not append to it). */
  crlf: boolean;
}

/**
 * Formats seconds as Python's `str(datetime.timedelta(seconds=s))`: `h:mm:ss`, plus `.ffffff` when
 * the microseconds are not zero, with a `N day(s), ` prefix from 24 hours on.
 *
 * @example
 * formatTimedelta(1.5); // '0:00:01.500000'
 * formatTimedelta(3600); // '1:00:00'
 */
export function formatTimedelta(seconds: number): string {
  let us = Math.round(seconds * 1e6);
  const days = Math.floor(us / 86_400e6);
  us -= days * 86_400e6;
  const h = Math.floor(us / 3_600e6);
  us -= h * 3_600e6;
  const m = Math.floor(us / 60e6);
  us -= m * 60e6;
  const s = Math.floor(us / 1e6);
  us -= s * 1e6;
  const base = `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}${us > 0 ? `.${String(us).padStart(6, '0')}` : ''}`;
  return days > 0 ? `${days} day${days === 1 ? '' : 's'}, ${base}` : base;
}

/**
 * One certify row with its newline: `idx label predict radius correct time`, tab-separated, radius
 * with 3 decimals (Cohen's script writes `{:.3}`, 3 significant digits; both parse as floats).
 *
 * @example
 * formatCertifyRow({ idx: 0, label: 9, predict: 9, radius: 0.8123, correct: 1, time: '0:00:00.127000' }); // '0\t9\t9\t0.812\t1\t0:00:00.127000\n'
 */
export function formatCertifyRow(r: ResultRow): string {
  return `${r.idx}\t${r.label}\t${r.predict}\t${(r.radius ?? 0).toFixed(3)}\t${r.correct}\t${r.time}\n`;
}

/**
 * One predict row with its newline: `idx label predict correct time`.
 *
 * @example
 * formatPredictRow({ idx: 3, label: 1, predict: -1, correct: 0, time: '0:00:00.050000' });
 */
export function formatPredictRow(r: ResultRow): string {
  return `${r.idx}\t${r.label}\t${r.predict}\t${r.correct}\t${r.time}\n`;
}

const INDEX = /^\d{1,10}$/;
const CLASS = /^(-1|\d{1,10})$/;
/** A radius as certify.py (`{:.3}`) or this tool (`toFixed(3)`) writes it: non-negative, decimal. */
const RADIUS = /^\d+(\.\d*)?([eE][+-]?\d+)?$/;

/**
 * Parses a certify or predict results file (this tool's or Cohen et al.'s) and checks every row:
 * idx and label non-negative decimal integers, predict a class or -1, radius a non-negative decimal
 * (0 on abstain), correct 0 or 1 and equal to `predict == label`. A last line without its newline is
 * an interrupted write: it is left out of `rows` and reported in `partialTail`; blank lines at the
 * end are ignored. Any other malformed line is a {@link CliError} (`RS_MALFORMED_FILE`) naming the
 * file and line.
 *
 * @example
 * const { kind, rows } = parseResultsTsv(readFileSync('results.tsv', 'utf8'), 'results.tsv');
 */
export function parseResultsTsv(text: string, path: string): ResultsTable {
  const end = text.lastIndexOf('\n');
  const partialTail = end < text.length - 1;
  const complete = end < 0 ? '' : text.slice(0, end + 1);
  const lines = complete.split('\n');
  lines.pop();
  const header = lines.shift();
  const malformed = (what: string) => new CliError(`${path}: ${what}`, { code: 'RS_MALFORMED_FILE' });
  if (header === undefined) throw malformed(`no complete header line (expected '${CERTIFY_HEADER.replaceAll('\t', '\\t')}')`);
  const crlf = header.endsWith('\r');
  const h = crlf ? header.slice(0, -1) : header;
  const kind = h === CERTIFY_HEADER ? 'certify' : h === PREDICT_HEADER ? 'predict' : null;
  if (!kind) throw malformed(`not a certify or predict results file: header is '${h.replaceAll('\t', '\\t').slice(0, 80)}'`);
  while (lines.length > 0 && lines[lines.length - 1]!.replace(/\r$/, '') === '') lines.pop(); // blank lines at the end
  const width = kind === 'certify' ? 6 : 5;
  const rows = lines.map((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const f = line.split('\t');
    const bad = (what: string) =>
      new CliError(`${path}, line ${i + 2}: ${what}: '${line.replaceAll('\t', '\\t').slice(0, 120)}'`, { code: 'RS_MALFORMED_FILE' });
    if (f.length !== width) throw bad(`expected ${width} tab-separated fields`);
    const [idx, label, predict] = f as [string, string, string];
    const correct = f[width - 2]!;
    if (!INDEX.test(idx) || Number(idx) > 2 ** 32 - 1) throw bad('idx must be a non-negative decimal integer below 2^32');
    if (!INDEX.test(label)) throw bad('label must be a non-negative decimal integer');
    if (!CLASS.test(predict)) throw bad('predict must be a class index or -1');
    if (correct !== '0' && correct !== '1') throw bad('correct must be 0 or 1');
    const row: ResultRow = { idx: Number(idx), label: Number(label), predict: Number(predict), correct: Number(correct), time: f[width - 1]! };
    if (row.correct !== (row.predict === row.label ? 1 : 0))
      throw bad(`correct must be ${row.predict === row.label ? 1 : 0} when predict is ${row.predict} and label ${row.label}`);
    if (kind === 'certify') {
      const r = Number(f[3]);
      if (!RADIUS.test(f[3]!) || !Number.isFinite(r)) throw bad('radius must be a non-negative decimal number');
      if (row.predict === -1 && r !== 0) throw bad('an abstain (predict -1) must have radius 0');
      row.radius = r;
    }
    return row;
  });
  // Through the last row: a resume drops blank lines at the end with a torn last line.
  const completeBytes = [header, ...lines].reduce((sum, l) => sum + Buffer.byteLength(l) + 1, 0);
  return { kind, rows, completeBytes, partialTail, crlf };
}
