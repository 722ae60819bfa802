import { existsSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { CliError } from '../errors.js';
import { AppendFile } from './append-file.js';
import { diffSettings, parseLog, settingsLine, type RunSettings } from './run-log.js';
import { parseResultsTsv, type ResultRow } from './tsv.js';

/**
 * Open results and log files, positioned after the last complete row.
 *
 * @example
 * const out = openResumable(o); out.log.writeLine(record); out.tsv.writeLine(row); out.close();
 */
export interface ResumableOutput {
  tsv: AppendFile;
  log: AppendFile;
  /** Rows already in the file (from an earlier run with the same settings). */
  done: ResultRow[];
  /** True when an earlier run's rows were kept. */
  resumed: boolean;
  /** Bytes of a partial last line dropped from the TSV and log (0 when none). */
  droppedBytes: number;
  close(): void;
}

/**
 * Opens `tsvPath` and its JSON Lines log `logPath` for a run whose rows are, in order, the
 * dataset indices `expected`:
 *
 * - no TSV yet (or an empty one): writes the header and the settings line;
 * - a TSV from an earlier run: drops a partial last line, checks the header, the settings stored in
 *   the log (refusing any difference, listed key by key) and that its rows are a prefix of
 *   `expected`; cuts the log back to one record per kept row (records are written before rows, so a
 *   kill between the two leaves one extra record); then appends after them.
 *
 * @example
 * const out = openResumable({ tsvPath: 'r.tsv', logPath: 'r.tsv.jsonl', header: CERTIFY_HEADER, settings, info, expected });
 * for (const idx of expected.slice(out.done.length)) { out.log.writeLine(record); out.tsv.writeLine(row); }
 */
export function openResumable(o: {
  tsvPath: string;
  logPath: string;
  header: string;
  settings: RunSettings;
  info: Record<string, unknown>;
  expected: Uint32Array;
}): ResumableOutput {
  let done: ResultRow[] = [];
  let dropped = 0;
  const fresh = !existsSync(o.tsvPath) || readFileSync(o.tsvPath).length === 0;
  if (fresh) {
    writeFileSync(o.tsvPath, `${o.header}\n`);
    writeFileSync(o.logPath, settingsLine(o.settings, o.info));
  } else {
    const text = readFileSync(o.tsvPath, 'utf8');
    let table: ReturnType<typeof parseResultsTsv>;
    try {
      table = parseResultsTsv(text, o.tsvPath);
    } catch (err) {
      throw new CliError(`cannot resume ${o.tsvPath}: ${(err as Error).message}; use another --out or delete it`);
    }
    const firstLine = text.slice(0, text.indexOf('\n'));
    if (firstLine !== o.header) throw new CliError(`cannot resume ${o.tsvPath}: it is a ${table.kind} file, not the output of this command; use another --out`);
    if (!existsSync(o.logPath))
      throw new CliError(`cannot resume ${o.tsvPath}: its log ${o.logPath} (which holds the settings) is missing; use another --out or delete ${o.tsvPath}`);
    const logText = readFileSync(o.logPath, 'utf8');
    let log: ReturnType<typeof parseLog>;
    try {
      log = parseLog(logText, o.logPath);
    } catch (err) {
      throw new CliError(`cannot resume ${o.tsvPath}: ${(err as Error).message}`);
    }
    const diff = diffSettings(log.settings, o.settings);
    if (diff.length > 0) {
      throw new CliError(
        `refusing to resume ${o.tsvPath}: it was started with other settings, and rows of different settings must not be mixed:\n  ${diff.join('\n  ')}\nrun again with the file's settings, or write to another --out`,
      );
    }
    done = table.rows;
    if (done.length > o.expected.length)
      throw new CliError(`cannot resume ${o.tsvPath}: it has ${done.length} rows but this run covers only ${o.expected.length} inputs`);
    const off = done.findIndex((r, i) => r.idx !== o.expected[i]);
    if (off >= 0) throw new CliError(`cannot resume ${o.tsvPath}: row ${off + 1} has idx ${done[off]!.idx} where this run expects ${o.expected[off]}`);
    const records = log.records.filter((r) => r.record.type === 'certificate' || r.record.type === 'prediction');
    if (records.length < done.length)
      throw new CliError(`cannot resume ${o.tsvPath}: its log ${o.logPath} has ${records.length} records for ${done.length} rows`);
    const logEnd = done.length === 0 ? log.headerEnd : records[done.length - 1]!.end;
    const logBytes = Buffer.byteLength(logText);
    if (table.completeBytes < Buffer.byteLength(text)) {
      dropped += Buffer.byteLength(text) - table.completeBytes;
      truncateSync(o.tsvPath, table.completeBytes);
    }
    if (logEnd < logBytes) {
      dropped += logBytes - logEnd;
      truncateSync(o.logPath, logEnd);
    }
  }
  const tsv = new AppendFile(o.tsvPath);
  const log = new AppendFile(o.logPath);
  return {
    tsv,
    log,
    done,
    resumed: !fresh,
    droppedBytes: dropped,
    close: () => {
      tsv.close();
      log.close();
    },
  };
}
