import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { z } from 'zod';
import { formatOptions, numberFlag, parseCommandArgs, type OptionSpec } from '../cli/args.js';
import { analyzeTables, type NamedTable } from '../analyze/certified-accuracy.js';
import { formatAnalysis } from '../analyze/format.js';
import { parseRadii } from '../analyze/radii.js';
import { CliError } from '../errors.js';
import { checkOutputPath, isStdout, sameFile } from '../io/output-path.js';
import { readResults } from '../io/read-results.js';
import type { ParsedLog } from '../io/run-log.js';
import type { ResultRow } from '../io/tsv.js';
import { writePlot } from '../plot/write-plot.js';
import type { Command } from './command.js';

const OPTIONS: OptionSpec = {
  radii: { type: 'string', help: 'radius grid start:stop:step (stop included) or a list a,b,c (default 0:2:0.25)', arg: 'SPEC' },
  format: { type: 'string', help: 'md (default), csv or latex', arg: 'md|csv|latex' },
  names: { type: 'string', help: 'comma-separated legend names, one per file (default: file names)', arg: 'A,B' },
  alpha: { type: 'string', help: "alpha of the high-probability bound (default: the files' alpha from their logs, else 0.001)", arg: 'A' },
  rho: { type: 'string', help: 'the high-probability bound holds with probability 1 - rho (default 0.001)', arg: 'R' },
  plot: { type: 'string', help: 'write certified accuracy vs radius: .svg, or .png (needs ImageMagick convert)', arg: 'PATH' },
  title: { type: 'string', help: 'plot title', arg: 'TEXT' },
  out: { type: 'string', help: "write the table to a file instead of stdout ('-': stdout)", arg: 'PATH' },
  force: { type: 'boolean', help: 'overwrite an existing --out or --plot file (never an input)' },
  help: { type: 'boolean', short: 'h', help: 'print this help' },
};

const schema = z
  .object({
    radii: z.string().default('0:2:0.25'),
    format: z.enum(['md', 'csv', 'latex'], { error: "must be 'md', 'csv' or 'latex'" }).default('md'),
    names: z.string().optional(),
    alpha: numberFlag('in (0, 0.5)', (v) => v > 0 && v < 0.5).optional(),
    rho: numberFlag('in (0, 1)', (v) => v > 0 && v < 1).default(0.001),
    plot: z
      .string()
      .refine((s) => /\.(svg|png)$/i.test(s), { error: 'must end in .svg or .png' })
      .optional(),
    title: z.string().optional(),
    out: z.string().min(1).optional(),
    force: z.boolean().default(false),
    help: z.boolean().default(false),
  })
  .strict();

/**
 * The samples each row took, from its log record (`n0 + samplesUsed`; `n0 + n` in logs written
 * before `samplesUsed` existed), and the target radius of a sequential radius-mode run.
 */
export function samplesFromLog(rows: readonly ResultRow[], log: ParsedLog): { samples: (number | null)[]; targetRadius: number | null } {
  const byIdx = new Map<number, Record<string, unknown>>();
  for (const { record } of log.records) if (record.type === 'certificate' && typeof record.idx === 'number') byIdx.set(record.idx, record);
  const samples = rows.map((row) => {
    const r = byIdx.get(row.idx);
    const n0 = typeof r?.n0 === 'number' ? r.n0 : 0;
    const used = typeof r?.samplesUsed === 'number' ? r.samplesUsed : typeof r?.n === 'number' ? r.n : null;
    return used === null ? null : n0 + used;
  });
  const seq = log.settings.sequential;
  return { samples, targetRadius: seq?.mode === 'radius' ? seq.radius : null };
}

/**
 * `rsmooth analyze`: certified accuracy at each radius, average certified radius, abstain rate and
 * Cohen et al.'s high-probability variant of one or more results files, as md/csv/latex; optional
 * SVG/PNG plot.
 */
export const analyzeCommand: Command = {
  name: 'analyze',
  summary: 'certified accuracy vs radius, ACR, abstain rate (table and plot) of results files',
  options: OPTIONS,
  usage: () => `Usage: rsmooth analyze results.tsv [more.tsv ...] [--radii 0:2:0.25] [--format md|csv|latex] [--plot curve.svg]

Reads certify (or predict) TSV files (this tool's or Cohen et al.'s) and prints, per file (radii in
the norm recorded in each file's log: L2 for certify.py files; files of different norms are refused):
  accuracy   fraction of rows with correct = 1
  abstain    fraction of rows with predict = -1
  ACR        average certified radius: mean of (correct ? radius : 0)
  r = x      approximate certified accuracy: fraction of rows with correct = 1 and radius >= x
  samples    (from the logs) mean noisy samples (n0 + estimation) per input and per certified input
             (not abstaining; a --sequential --radius run: radius >= its radius)
and the high-probability certified accuracy of Cohen et al.'s analyze.py (HighProbAccuracy):
  mean - alpha - sqrt(alpha (1 - alpha) ln(1/rho) / m) - ln(1/rho) / (3 m), clamped at 0, for m rows.
A last line without its newline (an interrupted write) is ignored, with a warning.

Options:
${formatOptions(OPTIONS)}`,
  async run(argv) {
    const { values, positionals } = parseCommandArgs('analyze', argv, OPTIONS, schema, { positionals: true });
    if (values.help) {
      process.stdout.write(`${analyzeCommand.usage()}\n`);
      return 0;
    }
    if (positionals.length === 0) throw new CliError(`rsmooth analyze: give at least one results file (see 'rsmooth analyze --help')`);
    const out = values.out === undefined || isStdout(values.out) ? undefined : values.out;
    for (const [flag, path] of [
      ['--out', out],
      ['--plot', values.plot],
    ] as const) {
      if (path === undefined) continue;
      const exists = checkOutputPath('analyze', flag, path);
      for (const input of positionals.flatMap((p) => [p, `${p}.jsonl`])) {
        if (existsSync(input) && sameFile(path, input))
          throw new CliError(`rsmooth analyze: ${flag} ${path} is the input ${input}: refusing to write over an input`, { code: 'RS_OUTPUT_CONFLICT' });
      }
      if (exists && !values.force) throw new CliError(`rsmooth analyze: ${flag} ${path} exists (pass --force to overwrite it)`, { code: 'RS_OUTPUT_EXISTS' });
    }
    if (out !== undefined && values.plot !== undefined && sameFile(out, values.plot))
      throw new CliError(`rsmooth analyze: --out and --plot are the same file (${out})`, { code: 'RS_OUTPUT_CONFLICT' });
    let radii: number[];
    try {
      radii = parseRadii(values.radii);
    } catch (err) {
      throw new CliError(`rsmooth analyze: --radii: ${(err as Error).message}`, { code: 'RS_USAGE' });
    }
    const names = values.names?.split(',');
    if (names && names.length !== positionals.length)
      throw new CliError(`rsmooth analyze: --names has ${names.length} names for ${positionals.length} files`, { code: 'RS_USAGE' });
    const alphas = new Set<number>();
    const norms = new Set<'l1' | 'l2' | 'linf'>();
    const tables: NamedTable[] = positionals.map((path, i) => {
      const { table, log } = readResults(path, { warn: (s) => process.stderr.write(`rsmooth analyze: ${s}`) });
      if (log) alphas.add(log.settings.alpha);
      if (table.kind === 'certify') norms.add(log?.settings.norm ?? 'l2'); // certify.py files: Gaussian L2
      return { name: names?.[i] ?? basename(path), kind: table.kind, rows: table.rows, ...(log ? samplesFromLog(table.rows, log) : {}) };
    });
    if (values.alpha === undefined && alphas.size > 1)
      throw new CliError(
        `rsmooth analyze: the files were made with different alphas (${[...alphas].join(', ')}); pass --alpha for the high-probability bound`,
        {
          code: 'RS_SETTINGS_MISMATCH',
        },
      );
    const alpha = values.alpha ?? [...alphas][0] ?? 0.001;
    if (norms.size > 1)
      throw new CliError(
        `rsmooth analyze: the files measure radii in different norms (${[...norms].join(', ')}): analyze them separately, one norm per table and plot`,
      );
    const norm = [...norms][0];
    const analysis = analyzeTables(tables, { radii, alpha, rho: values.rho, norm });
    const text = `${formatAnalysis(analysis, values.format)}\n`;
    if (out !== undefined) writeAtomic(out, text);
    else process.stdout.write(text);
    if (values.plot) {
      const certify = tables.filter((t) => t.kind === 'certify');
      if (certify.length === 0)
        throw new CliError('rsmooth analyze: --plot needs at least one certify file (predict files have no radii)', { code: 'RS_USAGE' });
      writePlot(values.plot, certify, { maxRadius: radii[radii.length - 1]! > 0 ? radii[radii.length - 1]! : 1, title: values.title, norm });
      process.stderr.write(`rsmooth analyze: plot written to ${values.plot}\n`);
    }
    return 0;
  },
};

/** Writes `text` to `path` through a temporary file and a rename, leaving no temporary file behind. */
function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  try {
    writeFileSync(tmp, text, { flag: 'wx' });
    renameSync(tmp, path);
  } catch (err) {
    throw new CliError(`rsmooth analyze: writing ${path} failed: ${(err as Error).message}`, { code: 'RS_WRITE_FAILED', exitCode: 1, cause: err });
  } finally {
    rmSync(tmp, { force: true });
  }
}
