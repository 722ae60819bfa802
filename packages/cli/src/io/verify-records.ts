import {
  binomialTestPValue,
  certificateFromCounts,
  type SequentialCertificate,
  type SequentialOptions,
  type SequentialPlan,
  type SequentialRadiusSettings,
  sequentialCertificateFromCounts,
  sequentialPlan,
  topTwo,
} from '@rs/core';
import { CliError } from '../errors.js';
import type { CertificateRecord, PredictionRecord } from './log-schema.js';
import type { ParsedLog, RunSettings } from './run-log.js';
import type { ResultRow } from './tsv.js';

/**
 * Where the rows and records being checked come from, and what else is known about them.
 *
 * @example
 * verifyRows(table.rows, log, { settings: log.settings, tsvPath: 'r.tsv', logPath: 'r.tsv.jsonl' });
 */
export interface VerifyContext {
  settings: RunSettings;
  tsvPath: string;
  logPath: string;
  /** The data set's labels by idx (a resume has them): each row's label must be its input's. */
  labels?: Int32Array | undefined;
}

/** The record type of each command's rows. */
export const RECORD_TYPE: Readonly<Record<RunSettings['command'], string>> = { certify: 'certificate', predict: 'prediction' };

type Record_ = ParsedLog['records'][number];
type Check = (rec: Record_['record'], settings: RunSettings) => string | null;

/** Relative tolerance for recomputed floats: far below any edit, above a change of the last bits between versions. */
const TOLERANCE = 1e-9;
const close = (a: number, b: number) => Math.abs(a - b) <= TOLERANCE * Math.max(1, Math.abs(a), Math.abs(b));
const sum = (v: readonly number[]) => v.reduce((s, x) => s + x, 0);

/**
 * Recomputes a certificate from its counts: nA, n, alpha -> pALower -> prediction, radius (sigma);
 * the class from n0's counts. A sequential run's record is replayed from its checkpoint hits by
 * core's `sequentialCertificateFromCounts`, the function certify made it with.
 */
const checkCertificate: Check = (record, settings) => {
  const r = record as CertificateRecord;
  if (r.n0 !== settings.n0) return `n0 ${r.n0} is not the run's ${settings.n0}`;
  const c = r.estimationCounts.length;
  if (c < 2 || r.selected >= c) return `selected class ${r.selected} is not one of ${c} estimation counts`;
  const seq = settings.sequential;
  if ((seq === undefined) !== (r.sequential === undefined))
    return seq ? 'the run is sequential but the record has no sequential evidence' : 'the record is sequential but the run is not';
  const used = seq ? r.samplesUsed : r.n;
  if (seq && used === undefined) return "a sequential record needs 'samplesUsed'";
  if (r.samplesUsed !== undefined && r.samplesUsed !== used) return `samplesUsed ${r.samplesUsed} is not n = ${r.n} (a fixed-n run)`;
  if (sum(r.estimationCounts) !== used) return `its estimation counts add up to ${sum(r.estimationCounts)}, not ${seq ? 'samplesUsed' : 'n'} = ${used}`;
  if (r.estimationCounts[r.selected] !== r.nA) return `nA ${r.nA} is not the count of its selected class ${r.selected} (${r.estimationCounts[r.selected]})`;
  if (r.selectionCounts) {
    if (r.selectionCounts.length !== c) return `it has ${r.selectionCounts.length} selection counts and ${c} estimation counts`;
    if (sum(r.selectionCounts) !== r.n0) return `its selection counts add up to ${sum(r.selectionCounts)}, not n0 = ${r.n0}`;
    const top = topTwo(Int32Array.from(r.selectionCounts), 0, c)[0];
    if (top !== r.selected) return `selected class ${r.selected} is not the top selection count (class ${top})`;
  }
  // The certificate follows from the counts under the run's settings, as core's certify computes it.
  const norm = r.norm ?? settings.norm ?? 'l2';
  if (norm !== 'l2' && (r.dim === undefined || !Number.isInteger(r.dim)))
    return `an ${norm} radius needs the record's dim (features per input), which it lacks`;
  if (seq) return checkSequential(r, seq, norm, settings);
  const cert = certificateFromCounts({
    selected: r.selected,
    estimationCounts: r.estimationCounts,
    n: r.n,
    alpha: r.alpha,
    sigma: r.sigma,
    noise: settings.noise ?? 'gaussian',
    norm,
    dim: r.dim,
    radiusMethod: r.radiusMethod ?? settings.radiusMethod ?? 'one-sided',
    soundTv: r.sound && r.dim ? r.sound.tvBound / r.dim : undefined,
  });
  if (!close(r.pALower, cert.pALower)) return `pALower ${r.pALower} does not follow from nA ${r.nA}, n ${r.n}, alpha ${r.alpha} (it gives ${cert.pALower})`;
  if (r.prediction !== cert.prediction) return `prediction ${r.prediction} does not follow from pALower ${cert.pALower} (expected ${cert.prediction})`;
  if (!close(r.radius, cert.radius)) return `radius ${r.radius} does not follow from pALower ${cert.pALower} and sigma ${r.sigma} (expected ${cert.radius})`;
  return null;
};

type SequentialSettingsOfRun = NonNullable<RunSettings['sequential']>;

/** Plans by their settings: a log's records share one or a few, and building one costs a schedule and a bound. */
const plans = new Map<string, SequentialPlan>();

/** The core options of a run's sequential settings. */
function optionsOf(seq: SequentialSettingsOfRun): SequentialOptions {
  return seq.mode === 'radius' ? { radius: seq.radius!, bound: seq.bound } : { tolerance: seq.tolerance!, bound: seq.bound };
}

function planOf(n: number, alpha: number, radius: SequentialRadiusSettings, seq: SequentialSettingsOfRun): SequentialPlan {
  const options = optionsOf(seq);
  const key = JSON.stringify([n, alpha, radius, options]);
  let plan = plans.get(key);
  if (!plan) {
    if (plans.size > 64) plans.clear();
    plan = sequentialPlan(n, alpha, radius, options);
    plans.set(key, plan);
  }
  return plan;
}

/** A sequential record: its evidence replayed through the plan of the run's settings, every field compared. */
function checkSequential(r: CertificateRecord, seq: SequentialSettingsOfRun, norm: 'l1' | 'l2' | 'linf', settings: RunSettings): string | null {
  const s = r.sequential!;
  for (const [name, inRecord, inRun] of [
    ['mode', s.mode, seq.mode],
    ['radius', s.radius, seq.radius],
    ['tolerance', s.tolerance, seq.tolerance],
    ['bound', r.bound, seq.bound],
  ] as const) {
    if (inRecord !== inRun) return `sequential ${name} ${JSON.stringify(inRecord)} is not the run's ${JSON.stringify(inRun)}`;
  }
  const hits = s.checkpointHits;
  if (hits.at(-1) !== r.nA) return `nA ${r.nA} is not the hits at its last checkpoint (${hits.at(-1)})`;
  const radius: SequentialRadiusSettings = {
    sigma: r.sigma,
    noise: settings.noise ?? 'gaussian',
    norm,
    dim: r.dim,
    soundTv: r.sound && r.dim ? r.sound.tvBound / r.dim : undefined,
  };
  let cert: SequentialCertificate;
  try {
    cert = sequentialCertificateFromCounts(
      { selected: r.selected, checkpointHits: hits, n: r.n, alpha: r.alpha, sequential: optionsOf(seq), radius },
      planOf(r.n, r.alpha, radius, seq),
    );
  } catch (err) {
    return `its checkpoint hits do not replay: ${(err as Error).message}`;
  }
  if (r.samplesUsed !== cert.samplesUsed)
    return `samplesUsed ${r.samplesUsed} is not the checkpoint its ${hits.length} recorded hits end at (${cert.samplesUsed})`;
  if (s.stopReason !== cert.stopReason) return `stopReason '${s.stopReason}' does not follow from its checkpoint hits (expected '${cert.stopReason}')`;
  if (!close(s.pAUpper, cert.pAUpper)) return `pAUpper ${s.pAUpper} does not follow from its checkpoint hits (expected ${cert.pAUpper})`;
  if (!close(r.pALower, cert.pALower))
    return `pALower ${r.pALower} does not follow from its checkpoint hits under the sequential ${seq.bound} bound (it gives ${cert.pALower})`;
  if (r.prediction !== cert.prediction) return `prediction ${r.prediction} does not follow from pALower ${cert.pALower} (expected ${cert.prediction})`;
  if (!close(r.radius, cert.radius)) return `radius ${r.radius} does not follow from pALower ${cert.pALower} and sigma ${r.sigma} (expected ${cert.radius})`;
  return null;
}

/** Recomputes a prediction from its counts: the top two counts -> two-sided binomial p-value -> prediction or abstain. */
const checkPrediction: Check = (record) => {
  const r = record as PredictionRecord;
  const c = r.counts.length;
  if (c < 2) return `it has ${c} class counts`;
  if (sum(r.counts) !== r.n) return `its counts add up to ${sum(r.counts)}, not n = ${r.n}`;
  const [a, b] = topTwo(Int32Array.from(r.counts), 0, c);
  const pValue = binomialTestPValue(r.counts[a]!, r.counts[a]! + r.counts[b]!, 0.5);
  if (!close(r.pValue, pValue))
    return `pValue ${r.pValue} does not follow from its top two counts ${r.counts[a]} and ${r.counts[b]} (the binomial test gives ${pValue})`;
  const prediction = pValue > r.alpha ? -1 : a;
  if (r.prediction !== prediction) return `prediction ${r.prediction} does not follow from its counts (expected ${prediction})`;
  return null;
};

/**
 * How each record type is recomputed from its own evidence (a later record type registers its own).
 */
export const RECORD_CHECKS: ReadonlyMap<string, Check> = new Map([
  ['certificate', checkCertificate],
  ['prediction', checkPrediction],
]);

/**
 * Checks results rows against their log records, one by one in order, and each record against the
 * run's settings and its own counts (recomputing pALower, the prediction and the radius, or the
 * p-value), and each row's label against the data set when known. The first mismatch is a
 * {@link CliError} (`RS_RECORD_MISMATCH`) naming the file and line. Returns the row records.
 *
 * @example
 * verifyRows(table.rows, log, { settings, tsvPath: 'r.tsv', logPath: 'r.tsv.jsonl', labels });
 */
export function verifyRows(rows: readonly ResultRow[], log: ParsedLog, ctx: VerifyContext): Record_[] {
  const type = RECORD_TYPE[ctx.settings.command];
  const check = RECORD_CHECKS.get(type);
  const mismatch = (what: string) => new CliError(what, { code: 'RS_RECORD_MISMATCH' });
  if (!check) throw mismatch(`${ctx.logPath}: no check for '${type}' records`);
  const other = log.records.find((r) => RECORD_CHECKS.has(r.record.type) && r.record.type !== type);
  if (other) throw mismatch(`${ctx.logPath}, line ${other.line}: a '${other.record.type}' record in the log of a ${ctx.settings.command} run`);
  const records = log.records.filter((r) => r.record.type === type);
  if (records.length < rows.length) throw mismatch(`${ctx.tsvPath} has ${rows.length} rows but its log has ${records.length} records (${ctx.logPath})`);
  rows.forEach((row, i) => {
    const { record, line } = records[i]!;
    const rec = record as CertificateRecord | PredictionRecord;
    const at = `${ctx.logPath}, line ${line}`;
    const rowAt = `${ctx.tsvPath}, line ${i + 2}`;
    if (rec.idx !== row.idx) throw mismatch(`${at}: the record is for idx ${rec.idx} but its row (${rowAt}) has idx ${row.idx}`);
    const fields: [string, number, number][] = [
      ['label', row.label, rec.label],
      ['predict', row.predict, rec.prediction],
      ['correct', row.correct, rec.correct],
    ];
    if (row.radius !== undefined && 'radius' in rec) fields.push(['radius', row.radius, Number((rec.radius as number).toFixed(3))]);
    for (const [name, inRow, inRecord] of fields) {
      if (inRow !== inRecord) {
        const show = (v: number) => (name === 'radius' ? v.toFixed(3) : String(v));
        throw mismatch(`${rowAt}: ${name} ${show(inRow)} but its log record (${at}) gives ${name} ${show(inRecord)}`);
      }
    }
    if (ctx.labels && ctx.labels[row.idx] !== row.label)
      throw mismatch(`${rowAt}: label ${row.label} but the data set's label of input ${row.idx} is ${ctx.labels[row.idx] ?? '(none: idx out of range)'}`);
    const s = ctx.settings;
    const runField: [string, unknown, unknown][] = [
      ['n', rec.n, s.n],
      ['alpha', rec.alpha, s.alpha],
      ['sigma', rec.sigma, s.sigma],
      ['seed', rec.seed, s.seed],
      ['rng', rec.rng, s.rng],
      ['noiseId', rec.noiseId, rec.idx],
    ];
    for (const [name, inRecord, inRun] of runField) {
      if (inRecord !== inRun) throw mismatch(`${at}: ${name} ${JSON.stringify(inRecord)} is not the run's ${JSON.stringify(inRun)}`);
    }
    if (rec.correct !== (rec.prediction === rec.label ? 1 : 0))
      throw mismatch(`${at}: correct ${rec.correct} does not follow from prediction ${rec.prediction} and label ${rec.label}`);
    const problem = check(record, s);
    if (problem) throw mismatch(`${at}: ${problem}`);
  });
  return records.slice(0, rows.length);
}
