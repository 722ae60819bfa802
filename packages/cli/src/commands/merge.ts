import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { formatOptions, parseCommandArgs, type OptionSpec } from '../cli/args.js';
import { selectIndices } from '../data/select.js';
import { CliError } from '../errors.js';
import { readResults } from '../io/read-results.js';
import { diffSettings, settingsLine, type RunSettings } from '../io/run-log.js';
import { CERTIFY_HEADER, PREDICT_HEADER, formatCertifyRow, formatPredictRow, type ResultRow } from '../io/tsv.js';
import { cliVersion } from '../assets.js';
import type { Command } from './command.js';

const OPTIONS: OptionSpec = {
  out: { type: 'string', help: 'merged results TSV (its log goes to OUT.jsonl)', arg: 'PATH' },
  force: { type: 'boolean', help: 'overwrite --out if it exists' },
  help: { type: 'boolean', short: 'h', help: 'print this help' },
};
const schema = z.object({ out: z.string().min(1).optional(), force: z.boolean().default(false), help: z.boolean().default(false) }).strict();

/**
 * Joins shard results (each with its log) into one file covering the whole selection, in data set
 * order: refuses mismatched settings (anything but the shard), overlapping rows, gaps, and rows
 * whose log records are missing. Returns the merged rows and settings.
 *
 * @example
 * const { rows } = mergeResults(['s0.tsv', 's1.tsv'], 'all.tsv');
 */
export function mergeResults(paths: string[], out: string, warn: (s: string) => void = () => {}): { rows: ResultRow[]; settings: RunSettings } {
  const parts = paths.map((path) => ({ path, ...readResults(path, { needLog: true, warn }) }));
  const first = parts[0]!;
  const settings: RunSettings = { ...first.log!.settings, selection: { ...first.log!.settings.selection, shard: null } };
  for (const p of parts.slice(1)) {
    if (p.table.kind !== first.table.kind)
      throw new CliError(`rsmooth merge: ${p.path} is a ${p.table.kind} file but ${first.path} is a ${first.table.kind} file`);
    const diff = diffSettings(first.log!.settings, p.log!.settings, ['selection.shard']);
    if (diff.length > 0) throw new CliError(`rsmooth merge: ${p.path} was made with other settings than ${first.path}:\n  ${diff.join('\n  ')}`);
  }
  const full = selectIndices(settings.data.count, { skip: settings.selection.skip, max: settings.selection.max ?? undefined });
  const position = new Map<number, number>();
  for (const [p, idx] of full.entries()) position.set(idx, p);
  const owner = new Map<number, string>();
  const merged: { row: ResultRow; record: Record<string, unknown> }[] = [];
  for (const p of parts) {
    const records = p.log!.records.filter((r) => r.record.type === 'certificate' || r.record.type === 'prediction');
    if (records.length < p.table.rows.length)
      throw new CliError(`rsmooth merge: ${p.path} has ${p.table.rows.length} rows but its log has ${records.length} records`);
    p.table.rows.forEach((row, i) => {
      if (!position.has(row.idx)) throw new CliError(`rsmooth merge: ${p.path} has a row for idx ${row.idx}, which is not in the run's selection`);
      const prev = owner.get(row.idx);
      if (prev !== undefined) throw new CliError(`rsmooth merge: overlap: idx ${row.idx} is in both ${prev} and ${p.path}`);
      owner.set(row.idx, p.path);
      const record = records[i]!.record;
      if (record.idx !== row.idx)
        throw new CliError(`rsmooth merge: ${p.path}: row ${i + 1} (idx ${row.idx}) does not match its log record (idx ${String(record.idx)})`);
      merged.push({ row, record });
    });
  }
  const missing = [...full].filter((idx) => !owner.has(idx));
  if (missing.length > 0) {
    throw new CliError(
      `rsmooth merge: gap: ${missing.length} of ${full.length} inputs have no row (idx ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', ...' : ''}); finish or add the missing shards`,
    );
  }
  merged.sort((a, b) => position.get(a.row.idx)! - position.get(b.row.idx)!);
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
  const tmp = `.tmp-${process.pid}`;
  writeFileSync(`${out}.jsonl${tmp}`, log);
  writeFileSync(`${out}${tmp}`, tsv);
  renameSync(`${out}.jsonl${tmp}`, `${out}.jsonl`);
  renameSync(`${out}${tmp}`, out);
  return { rows: merged.map((m) => m.row), settings };
}

/**
 * `rsmooth merge`: joins shard files into one results file and log.
 *
 * @example
 * process.exitCode = await mergeCommand.run(['s0.tsv', 's1.tsv', '--out', 'all.tsv']);
 */
export const mergeCommand: Command = {
  name: 'merge',
  summary: 'join the results files of --shard runs into one, refusing overlaps, gaps and mismatched settings',
  usage: () => `Usage: rsmooth merge shard0.tsv shard1.tsv ... --out all.tsv

Joins results files of 'rsmooth certify/predict --shard i/N' runs (each with its log FILE.jsonl)
into --out and --out.jsonl, rows in data set order. Refuses files whose settings differ in anything
but the shard, a data set index present twice (overlap), and an input of the selection with no row
(gap: an unfinished or missing shard). The merged file equals a single unsharded run's (except the
time column) and can be analyzed or resumed like one.

Options:
${formatOptions(OPTIONS)}`,
  async run(argv) {
    const { values, positionals } = parseCommandArgs('merge', argv, OPTIONS, schema, { positionals: true });
    if (values.help) {
      process.stdout.write(`${mergeCommand.usage()}\n`);
      return 0;
    }
    if (!values.out) throw new CliError(`rsmooth merge: --out is required (see 'rsmooth merge --help')`);
    if (positionals.length === 0) throw new CliError(`rsmooth merge: give the shard files to merge`);
    if (positionals.some((p) => resolve(p) === resolve(values.out!))) throw new CliError(`rsmooth merge: --out ${values.out} is one of the inputs`);
    if (existsSync(values.out) && !values.force) throw new CliError(`rsmooth merge: ${values.out} exists (pass --force to overwrite it)`);
    const { rows } = mergeResults(positionals, values.out, (s) => process.stderr.write(`rsmooth merge: ${s}`));
    process.stderr.write(`rsmooth merge: ${rows.length} rows from ${positionals.length} files -> ${values.out}\n`);
    return 0;
  },
};
