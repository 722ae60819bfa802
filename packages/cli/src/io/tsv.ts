/**
 * The header of Cohen et al.'s certify.py output.
 *
 * @example
 * writeFileSync('r.tsv', `${CERTIFY_HEADER}\n`);
 */
export const CERTIFY_HEADER = 'idx\tlabel\tpredict\tradius\tcorrect\ttime';
/**
 * The header of Cohen et al.'s predict.py output.
 *
 * @example
 * writeFileSync('p.tsv', `${PREDICT_HEADER}\n`);
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

/**
 * Parses a certify or predict results file (this tool's or Cohen et al.'s). A last line without
 * its newline is an interrupted write: it is left out of `rows` and reported in `partialTail`.
 * Any other malformed line is an error naming the file and line.
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
  if (header === undefined) throw new Error(`${path}: no complete header line (expected '${CERTIFY_HEADER.replaceAll('\t', '\\t')}')`);
  const h = header.replace(/\r$/, '');
  const kind = h === CERTIFY_HEADER ? 'certify' : h === PREDICT_HEADER ? 'predict' : null;
  if (!kind) throw new Error(`${path}: not a certify or predict results file: header is '${h.replaceAll('\t', '\\t')}'`);
  const width = kind === 'certify' ? 6 : 5;
  const rows = lines.map((raw, i) => {
    const line = raw.replace(/\r$/, '');
    const f = line.split('\t');
    const bad = (what: string) => new Error(`${path}, line ${i + 2}: ${what}: '${line.replaceAll('\t', '\\t')}'`);
    if (f.length !== width) throw bad(`expected ${width} tab-separated fields`);
    const ints = [f[0], f[1], f[2], f[width - 2]].map((s) => Number(s));
    if (ints.some((v) => !Number.isInteger(v)) || f.slice(0, 3).some((s) => s!.trim() === '')) throw bad('idx, label, predict and correct must be integers');
    const row: ResultRow = { idx: ints[0]!, label: ints[1]!, predict: ints[2]!, correct: ints[3]!, time: f[width - 1]! };
    if (kind === 'certify') {
      const r = Number(f[3]);
      if (f[3]!.trim() === '' || !Number.isFinite(r)) throw bad('radius must be a number');
      row.radius = r;
    }
    if (row.correct !== 0 && row.correct !== 1) throw bad('correct must be 0 or 1');
    return row;
  });
  return { kind, rows, completeBytes: Buffer.byteLength(complete), partialTail };
}
