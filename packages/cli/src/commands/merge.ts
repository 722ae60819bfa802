import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { formatOptions, parseCommandArgs, type OptionSpec } from '../cli/args.js';
import { selectionPosition, selectionSize } from '../data/select.js';
import { CliError } from '../errors.js';
import { lockOutputs, releaseAll } from '../io/output-lock.js';
import { checkOutputPath, isStdout, sameFile } from '../io/output-path.js';
import { readResults } from '../io/read-results.js';
import { diffSettings, settingsLine, type RunSettings } from '../io/run-log.js';
import { CERTIFY_HEADER, PREDICT_HEADER, formatCertifyRow, formatPredictRow, type ResultRow } from '../io/tsv.js';
import { verifyRows } from '../io/verify-records.js';
import { cliVersion } from '../assets.js';
import type { Command } from './command.js';

const OPTIONS: OptionSpec = {
  out: { type: 'string', help: 'merged results TSV (its log goes to OUT.jsonl)', arg: 'PATH' },
  force: { type: 'boolean', help: 'overwrite --out (and OUT.jsonl) if they exist; never an input or its log' },
  help: { type: 'boolean', short: 'h', help: 'print this help' },
};
const schema = z.object({ out: z.string().min(1).optional(), force: z.boolean().default(false), help: z.boolean().default(false) }).strict();

/**
 * Joins shard results (each with its log) into one file covering the whole selection, in data set
 * order: refuses mismatched settings (anything but the shard), rows that disagree with their log
 * records or whose records do not recompute, overlapping rows and gaps. The selection is computed,
 * never listed, so a log claiming 10^15 inputs costs nothing. Writes `out` and `out.jsonl`
 * atomically (temporary files, renamed). Returns the merged rows and settings.
 */
export function mergeResults(paths: string[], out: string, warn: (s: string) => void = () => {}): { rows: ResultRow[]; settings: RunSettings } {
  const parts = paths.map((path) => ({ path, ...readResults(path, { needLog: true, warn }) }));
  const first = parts[0]!;
  const settings: RunSettings = { ...first.log!.settings, selection: { ...first.log!.settings.selection, shard: null } };
  for (const p of parts.slice(1)) {
    if (p.table.kind !== first.table.kind)
      throw new CliError(`rsmooth merge: ${p.path} is a ${p.table.kind} file but ${first.path} is a ${first.table.kind} file`, {
        code: 'RS_SETTINGS_MISMATCH',
      });
    const diff = diffSettings(first.log!.settings, p.log!.settings, ['selection.shard']);
    if (diff.length > 0)
      throw new CliError(`rsmooth merge: ${p.path} was made with other settings than ${first.path}:\n  ${diff.join('\n  ')}`, { code: 'RS_SETTINGS_MISMATCH' });
  }
  const selection = { skip: settings.selection.skip, max: settings.selection.max ?? undefined };
  const total = settings.data.count;
  const owner = new Map<number, string>();
  const merged: { row: ResultRow; record: Record<string, unknown>; position: number }[] = [];
  for (const p of parts) {
    const records = verifyRows(p.table.rows, p.log!, { settings: p.log!.settings, tsvPath: p.path, logPath: p.logPath });
    p.table.rows.forEach((row, i) => {
      const position = selectionPosition(total, row.idx, selection);
      if (position < 0)
        throw new CliError(`rsmooth merge: ${p.path}, line ${i + 2}: a row for idx ${row.idx}, which is not in the run's selection`, {
          code: 'RS_RECORD_MISMATCH',
        });
      const prev = owner.get(row.idx);
      if (prev !== undefined) throw new CliError(`rsmooth merge: overlap: idx ${row.idx} is in both ${prev} and ${p.path}`, { code: 'RS_MERGE_OVERLAP' });
      owner.set(row.idx, p.path);
      merged.push({ row, record: records[i]!.record, position });
    });
  }
  const size = selectionSize(total, selection);
  if (owner.size < size) {
    const missing: number[] = [];
    for (let p = 0; p < size && missing.length < 10; p++) if (!owner.has(p * selection.skip)) missing.push(p * selection.skip);
    throw new CliError(
      `rsmooth merge: gap: ${size - owner.size} of ${size} inputs have no row (idx ${missing.join(', ')}${size - owner.size > missing.length ? ', ...' : ''}); finish or add the missing shards`,
      { code: 'RS_MERGE_GAP' },
    );
  }
  merged.sort((a, b) => a.position - b.position);
  const certify = first.table.kind === 'certify';
  const tsv = [`${certify ? CERTIFY_HEADER : PREDICT_HEADER}\n`, ...merged.map((m) => (certify ? formatCertifyRow(m.row) : formatPredictRow(m.row)))].join('');
  const info = {
    tool: `rsmooth ${cliVersion()}`,
    mergedFrom: paths,
    created: new Date().toISOString(),
    model: first.log!.info.model ?? null,
    data: first.log!.info.data ?? null,
  };
  const log = [settingsLine(settings, info), ...merged.map((m) => `${JSON.stringify(m.record)}\n`)].join('');
  const tmp = `.tmp-${process.pid}-${Date.now()}`;
  try {
    writeFileSync(`${out}.jsonl${tmp}`, log, { flag: 'wx' });
    writeFileSync(`${out}${tmp}`, tsv, { flag: 'wx' });
    renameSync(`${out}.jsonl${tmp}`, `${out}.jsonl`);
    renameSync(`${out}${tmp}`, out);
  } catch (err) {
    throw new CliError(`rsmooth merge: writing ${out} failed: ${(err as Error).message}`, { code: 'RS_WRITE_FAILED', exitCode: 1, cause: err });
  } finally {
    rmSync(`${out}.jsonl${tmp}`, { force: true });
    rmSync(`${out}${tmp}`, { force: true });
  }
  return { rows: merged.map((m) => m.row), settings };
}

/**
 * `rsmooth merge`: joins shard files into one results file and log.
 */
export const mergeCommand: Command = {
  name: 'merge',
  summary: 'join the results files of --shard runs into one, refusing overlaps, gaps and mismatched settings',
  options: OPTIONS,
  usage: () => `Usage: rsmooth merge shard0.tsv shard1.tsv ... --out all.tsv

Joins results files of 'rsmooth certify/predict --shard i/N' runs (each with its log FILE.jsonl)
into --out and --out.jsonl, rows in data set order. Refuses files whose settings differ in anything
but the shard, rows that disagree with their log records or whose records do not recompute (counts
-> pA lower bound -> radius), a data set index present twice (overlap), and an input of the
selection with no row (gap: an unfinished or missing shard). The merged file equals a single
unsharded run's (except the time column) and can be analyzed or resumed like one. An existing --out
is replaced only with --force, and never when it is one of the inputs or their logs.

Options:
${formatOptions(OPTIONS)}`,
  async run(argv) {
    const { values, positionals } = parseCommandArgs('merge', argv, OPTIONS, schema, { positionals: true });
    if (values.help) {
      process.stdout.write(`${mergeCommand.usage()}\n`);
      return 0;
    }
    const out = values.out;
    if (!out) throw new CliError(`rsmooth merge: --out is required (see 'rsmooth merge --help')`);
    if (isStdout(out)) throw new CliError(`rsmooth merge: --out must be a file ('-' is not: merge writes a log beside it)`);
    if (positionals.length === 0) throw new CliError(`rsmooth merge: give the shard files to merge`);
    const outputs = [out, `${out}.jsonl`];
    const existing = outputs.map((o) => checkOutputPath('merge', o === out ? '--out' : 'the log of --out', o));
    for (const input of positionals) {
      for (const [what, file] of [
        ['', input],
        ['the log of ', `${input}.jsonl`],
      ] as const) {
        const hit = outputs.find((o) => existsSync(file) && sameFile(o, file));
        if (hit)
          throw new CliError(
            `rsmooth merge: ${hit === out ? '--out' : 'the log of --out'} ${hit} is ${what}the input ${input}: refusing to write over an input`,
            { code: 'RS_OUTPUT_CONFLICT' },
          );
      }
    }
    if (existing.some(Boolean) && !values.force)
      throw new CliError(
        `rsmooth merge: ${outputs.filter((_, i) => existing[i]).join(' and ')} exist${existing.every(Boolean) ? '' : 's'} (pass --force to overwrite)`,
        {
          code: 'RS_OUTPUT_EXISTS',
        },
      );
    const locks = await lockOutputs(outputs, 'rsmooth merge', () => undefined);
    try {
      const { rows } = mergeResults(positionals, out, (s) => process.stderr.write(`rsmooth merge: ${s}`));
      process.stderr.write(`rsmooth merge: ${rows.length} rows from ${positionals.length} files -> ${out}\n`);
      return 0;
    } finally {
      await releaseAll(locks);
    }
  },
};
