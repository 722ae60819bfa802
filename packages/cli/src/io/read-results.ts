import { existsSync } from 'node:fs';
import { CliError } from '../errors.js';
import { readInputFile } from './input-file.js';
import { parseLog, type ParsedLog } from './run-log.js';
import { parseResultsTsv, type ResultsTable } from './tsv.js';

/**
 * Reads and validates a results TSV (a last line without newline, an interrupted write, is dropped
 * with a warning through `warn`) and, when present, its log `PATH.jsonl` (or `logPath`). Both go
 * through their validating parsers; errors are {@link CliError}s with the file, line and code.
 */
export function readResults(
  path: string,
  o: { logPath?: string; warn?: (s: string) => void; needLog?: boolean } = {},
): { table: ResultsTable; log: ParsedLog | null; logPath: string } {
  if (!existsSync(path)) throw new CliError(`results file not found: ${path}`, { code: 'RS_FILE_NOT_FOUND' });
  const table = parseResultsTsv(readInputFile('results file', path).toString('utf8'), path);
  if (table.partialTail) o.warn?.(`${path}: ignoring a last line without its newline (an interrupted write)\n`);
  const logPath = o.logPath ?? `${path}.jsonl`;
  let log: ParsedLog | null = null;
  if (existsSync(logPath)) {
    log = parseLog(readInputFile('log', logPath).toString('utf8'), logPath);
    if (log.settings.command !== table.kind)
      throw new CliError(`${logPath}: the log of a ${log.settings.command} run beside the ${table.kind} file ${path}`, { code: 'RS_RECORD_MISMATCH' });
  } else if (o.needLog) {
    throw new CliError(`${path}: its log ${logPath} (with the run's settings) is missing`, { code: 'RS_FILE_NOT_FOUND' });
  }
  return { table, log, logPath };
}
