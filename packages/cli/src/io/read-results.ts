import { existsSync, readFileSync } from 'node:fs';
import { CliError } from '../errors.js';
import { parseLog, type ParsedLog } from './run-log.js';
import { parseResultsTsv, type ResultsTable } from './tsv.js';

/**
 * Reads a results TSV (a last line without newline, an interrupted write, is dropped with a
 * warning through `warn`) and, when present, its log `PATH.jsonl` (or `logPath`).
 *
 * @example
 * const { table, log } = readResults('results.tsv');
 */
export function readResults(
  path: string,
  o: { logPath?: string; warn?: (s: string) => void; needLog?: boolean } = {},
): { table: ResultsTable; log: ParsedLog | null } {
  if (!existsSync(path)) throw new CliError(`results file not found: ${path}`);
  let table: ResultsTable;
  try {
    table = parseResultsTsv(readFileSync(path, 'utf8'), path);
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  if (table.partialTail) o.warn?.(`${path}: ignoring a last line without its newline (an interrupted write)\n`);
  const logPath = o.logPath ?? `${path}.jsonl`;
  let log: ParsedLog | null = null;
  if (existsSync(logPath)) {
    try {
      log = parseLog(readFileSync(logPath, 'utf8'), logPath);
    } catch (err) {
      throw new CliError((err as Error).message);
    }
  } else if (o.needLog) {
    throw new CliError(`${path}: its log ${logPath} (with the run's settings) is missing`);
  }
  return { table, log };
}
