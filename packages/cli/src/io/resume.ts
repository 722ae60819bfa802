import { readFileSync, statSync, truncateSync } from 'node:fs';
import { CliError, cliErrorFrom } from '../errors.js';
import { AppendFile } from './append-file.js';
import { diffSettings, parseLog, settingsLine, type ParsedLog, type RunSettings } from './run-log.js';
import { parseResultsTsv, type ResultRow, type ResultsTable } from './tsv.js';
import { verifyRows } from './verify-records.js';

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

/** What {@link openResumable} needs to know about the run. */
export interface ResumableOptions {
  tsvPath: string;
  logPath: string;
  /** How to name the log in messages: `--log` when the user gave it, else `the log`. */
  logFlag?: string | undefined;
  header: string;
  settings: RunSettings;
  info: Record<string, unknown>;
  /** The run's inputs (data set indices), in order. */
  expected: Uint32Array;
  /** The data set's labels by index: every kept row's label is checked against them. */
  labels?: Int32Array | undefined;
}

function sizeOf(path: string): number | null {
  try {
    return statSync(path).size;
  } catch {
    return null;
  }
}

function readLog(path: string, what: string): { text: string; log: ParsedLog } {
  const text = readFileSync(path, 'utf8');
  try {
    return { text, log: parseLog(text, path) };
  } catch (err) {
    throw cliErrorFrom(err, what);
  }
}

/**
 * Opens `tsvPath` and its JSON Lines log `logPath` for a run whose rows are, in order, the data set
 * indices `expected`. The caller holds the lock on both (see `lockOutputs`) and has checked they are
 * regular files or absent. Never overwrites a file this run did not create:
 *
 * - no TSV yet (or an empty one): the log must be absent, empty, or the settings line of this very
 *   run with no records (left by a run killed between creating the log and the TSV); anything else
 *   is refused (`RS_OUTPUT_EXISTS`). Then the settings line is written, then the header;
 * - a TSV from an earlier run: refuses CRLF line endings, another header, other settings (listed key
 *   by key), rows that are not a prefix of `expected`, and any row that disagrees with its log record
 *   or whose record does not recompute (`verifyRows`); drops a partial last line and cuts the log
 *   back to one record per kept row (records are written before rows, so a kill between the two
 *   leaves one extra record); then appends after them.
 *
 * @example
 * const out = openResumable({ tsvPath: 'r.tsv', logPath: 'r.tsv.jsonl', header: CERTIFY_HEADER, settings, info, expected });
 */
export function openResumable(o: ResumableOptions): ResumableOutput {
  let done: ResultRow[] = [];
  let dropped = 0;
  const tsvSize = sizeOf(o.tsvPath);
  const fresh = tsvSize === null || tsvSize === 0;
  if (fresh) {
    let reuseLog = false;
    const logSize = sizeOf(o.logPath);
    if (logSize !== null && logSize > 0) {
      let log: ParsedLog | null = null;
      try {
        log = parseLog(readFileSync(o.logPath, 'utf8'), o.logPath);
      } catch {
        log = null;
      }
      reuseLog = log !== null && log.records.length === 0 && diffSettings(log.settings, o.settings).length === 0;
      if (!reuseLog) {
        throw new CliError(
          `${o.logFlag ?? 'the log'} ${o.logPath} exists and this run did not create it (it is not the empty log of a run with these settings); refusing to overwrite it: move it away, or give another ${o.logFlag === '--log' ? '--log' : '--out or --log'}`,
          { code: 'RS_OUTPUT_EXISTS' },
        );
      }
      if (log!.headerEnd < logSize) {
        dropped += logSize - log!.headerEnd;
        truncateSync(o.logPath, log!.headerEnd);
      }
    }
    const log = new AppendFile(o.logPath);
    if (!reuseLog) log.writeLine(settingsLine(o.settings, o.info));
    const tsv = new AppendFile(o.tsvPath);
    tsv.writeLine(`${o.header}\n`);
    return output(tsv, log, done, false, dropped);
  }
  const cannot = `cannot resume ${o.tsvPath}`;
  const text = readFileSync(o.tsvPath, 'utf8');
  let table: ResultsTable;
  try {
    table = parseResultsTsv(text, o.tsvPath);
  } catch (err) {
    throw cliErrorFrom(err, `${cannot}: `);
  }
  if (table.crlf)
    throw new CliError(`${cannot}: it has Windows (CRLF) line endings and this run would append LF lines to it: convert it (dos2unix) or use another --out`, {
      code: 'RS_MALFORMED_FILE',
    });
  if (text.slice(0, text.indexOf('\n')) !== o.header)
    throw new CliError(`${cannot}: it is a ${table.kind} file, not the output of this command; use another --out`, { code: 'RS_SETTINGS_MISMATCH' });
  if (sizeOf(o.logPath) === null)
    throw new CliError(`${cannot}: its log ${o.logPath} (which holds the settings) is missing; use another --out or delete ${o.tsvPath}`, {
      code: 'RS_FILE_NOT_FOUND',
    });
  const { text: logText, log } = readLog(o.logPath, `${cannot}: `);
  const diff = diffSettings(log.settings, o.settings);
  if (diff.length > 0) {
    throw new CliError(
      `refusing to resume ${o.tsvPath}: it was started with other settings, and rows of different settings must not be mixed:\n  ${diff.join('\n  ')}\nrun again with the file's settings, or write to another --out`,
      { code: 'RS_SETTINGS_MISMATCH' },
    );
  }
  done = table.rows;
  if (done.length > o.expected.length)
    throw new CliError(`${cannot}: it has ${done.length} rows but this run covers only ${o.expected.length} inputs`, { code: 'RS_RECORD_MISMATCH' });
  const off = done.findIndex((r, i) => r.idx !== o.expected[i]);
  if (off >= 0)
    throw new CliError(`${cannot}: ${o.tsvPath}, line ${off + 2} has idx ${done[off]!.idx} where this run expects ${o.expected[off]}`, {
      code: 'RS_RECORD_MISMATCH',
    });
  const records = verifyRows(done, log, { settings: o.settings, tsvPath: o.tsvPath, logPath: o.logPath, labels: o.labels });
  const logEnd = done.length === 0 ? log.headerEnd : records[done.length - 1]!.end;
  const logBytes = Buffer.byteLength(logText);
  const tsvBytes = Buffer.byteLength(text);
  if (table.completeBytes < tsvBytes) {
    dropped += tsvBytes - table.completeBytes;
    truncateSync(o.tsvPath, table.completeBytes);
  }
  if (logEnd < logBytes) {
    dropped += logBytes - logEnd;
    truncateSync(o.logPath, logEnd);
  }
  return output(new AppendFile(o.tsvPath), new AppendFile(o.logPath), done, true, dropped);
}

function output(tsv: AppendFile, log: AppendFile, done: ResultRow[], resumed: boolean, droppedBytes: number): ResumableOutput {
  return {
    tsv,
    log,
    done,
    resumed,
    droppedBytes,
    close: () => {
      tsv.close();
      log.close();
    },
  };
}
