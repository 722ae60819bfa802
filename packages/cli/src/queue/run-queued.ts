import { resolve } from 'node:path';
import {
  collectRun,
  connectQueue,
  createRunSpec,
  explainRedisError,
  parseQueueUrl,
  QueueError,
  RunCancelledError,
  RunFailedError,
  type RunProgress,
  submitRun,
} from '@rs/queue';
import type { InputRunner, RunSummary } from '../commands/run-inputs.js';
import type { SmoothingRunFlags } from '../commands/smoothing-options.js';
import { CliError } from '../errors.js';
import { openResumable } from '../io/resume.js';
import type { RunSettings } from '../io/run-log.js';
import type { ResultRow } from '../io/tsv.js';
import { progressMode } from '../progress.js';
import { QueueProgress } from './queue-progress.js';
import { queueResultSchema, settingsForQueue, type QueueTask } from './queue-task.js';

/**
 * What `rsmooth certify/predict --queue` hands over once the run is resolved (settings, inputs, files).
 */
export interface QueuedRun {
  flags: SmoothingRunFlags;
  runner: InputRunner;
  settings: RunSettings;
  info: Record<string, unknown>;
  /** Dataset indices of the run, in output order. */
  expected: Uint32Array;
  /** Labels of the whole data set (each stored row's label is checked against them). */
  labels: Int32Array;
  /** The files as the submitter resolved them (workers read them, or their own copies). */
  source: { model: string; data: string; labels: string | undefined; bundled: boolean };
  io: { stdout: (s: string) => void; stderr: (s: string) => void };
  signal: AbortSignal;
}

const NAMED = new Set(['fashion-mnist']);

/**
 * The queue mode of certify and predict: opens `--out` as a local run does (resuming after its
 * rows, refusing other settings), submits the run to the queue named by `--queue` (run id from the
 * settings, the model's and the data's SHA-256; one job per `--group` inputs; submitting again adds
 * nothing and retries failed jobs), then writes each stored result, in input order, to the same
 * TSV and JSON Lines log a local run writes, showing progress (done/total, samples/s across
 * workers, ETA, workers alive). Killed and started again, it continues after the rows it wrote;
 * the workers' results wait in Redis.
 */
export async function runQueued(q: QueuedRun): Promise<RunSummary> {
  const { flags: f, runner, io } = q;
  const cmd = runner.command;
  const started = performance.now();
  if (f.out === undefined) throw new CliError(`rsmooth ${cmd}: --queue needs --out (the results file the queued run is collected into, and resumed from)`);
  let target: ReturnType<typeof parseQueueUrl>;
  try {
    target = parseQueueUrl(f.queue!);
  } catch (err) {
    throw new CliError(`rsmooth ${cmd}: ${(err as Error).message}`);
  }
  let settings: Record<string, unknown>;
  try {
    settings = settingsForQueue(q.settings);
  } catch (err) {
    throw new CliError(`rsmooth ${cmd} --queue: ${(err as Error).message}`);
  }
  const task: QueueTask = {
    bundled: q.source.bundled,
    model: resolve(q.source.model),
    data: NAMED.has(q.source.data) ? q.source.data : resolve(q.source.data),
    labels: q.source.labels === undefined ? null : resolve(q.source.labels),
    split: f.split,
    scaleUint8: f['scale-uint8'],
    batch: f.batch,
  };
  const spec = createRunSpec({
    settings,
    task,
    inputs: q.expected,
    samplesPerInput: q.settings.n + (q.settings.n0 ?? 0),
    group: f.group,
    attempts: f.attempts ?? 3,
    backoffMs: 5000,
  });
  const say = (m: string) => io.stderr(`rsmooth ${cmd}: ${m}\n`);
  const output = openResumable({
    tsvPath: f.out,
    logPath: f.log ?? `${f.out}.jsonl`,
    header: runner.header,
    settings: q.settings,
    info: { ...q.info, queue: target.display, runId: spec.runId },
    expected: q.expected,
  });
  const rows: ResultRow[] = [...output.done];
  try {
    if (output.resumed)
      say(
        `resuming ${f.out}: ${output.done.length} of ${q.expected.length} rows already done${output.droppedBytes ? ` (dropped ${output.droppedBytes} bytes of an interrupted write)` : ''}`,
      );
    if (output.done.length === q.expected.length) {
      say(`${f.out} is already complete (${rows.length} rows)`);
      return { rows, resumedRows: output.done.length, out: f.out, seconds: 0 };
    }
    const redis = await connectQueue(target, { log: say, name: `rsmooth-${cmd}` }).catch((err) => {
      throw new CliError(`rsmooth ${cmd}: ${(err as Error).message}`, 1);
    });
    try {
      const s = await submitRun(redis, target.prefix, spec, { from: output.done.length });
      say(
        `${s.created ? 'submitted' : 'found'} run ${spec.runId} on ${target.display}: ${s.jobsAdded} job${s.jobsAdded === 1 ? '' : 's'} added${s.jobsRetried ? `, ${s.jobsRetried} failed job${s.jobsRetried === 1 ? '' : 's'} retried` : ''}${s.stored ? `, ${s.stored} results already stored` : ''}${s.reactivated ? ' (the run was cancelled or collected before: active again)' : ''}; start workers with: rsmooth worker --queue ${target.display}`,
      );
      const progress = new QueueProgress({
        label: `${cmd} (queue)`,
        mode: progressMode(process.stderr, f.quiet),
        write: io.stderr,
        samplesPerInput: spec.samplesPerInput,
      });
      await collectRun(redis, target.prefix, {
        spec: s.spec,
        from: output.done.length,
        signal: q.signal,
        log: (m) => {
          progress.clear();
          say(m);
        },
        onProgress: (p: RunProgress) => progress.update(p),
        onResult: (idx, value, position) => {
          const r = parseResult(value, idx, q.labels, cmd);
          output.log.writeLine(`${JSON.stringify(r.record)}\n`);
          output.tsv.writeLine(runner.formatRow(r.row));
          rows.push(r.row);
          progress.collected(position + 1);
        },
      });
      progress.finish();
    } finally {
      redis.disconnect();
    }
    return { rows, resumedRows: output.done.length, out: f.out, seconds: (performance.now() - started) / 1000 };
  } catch (err) {
    if (err instanceof RunFailedError)
      throw new CliError(
        `rsmooth ${cmd}: ${err.message}:\n${err.failures.map((x) => `  job ${x.jobId} (idx ${x.inputs.join(', ')}), ${x.attempts} attempts: ${x.reason}`).join('\n')}\nthe ${rows.length} rows before the first failed input are in ${f.out}`,
        1,
      );
    if (err instanceof RunCancelledError) throw new CliError(`rsmooth ${cmd}: ${err.message}; the rows collected are in ${f.out}`, 1);
    if (err instanceof QueueError || /NOPERM/.test((err as Error)?.message)) throw new CliError(`rsmooth ${cmd}: ${explainRedisError(err, target.prefix)}`, 1);
    throw err;
  } finally {
    output.close();
  }
}

function parseResult(value: string, idx: number, labels: Int32Array, cmd: 'certify' | 'predict') {
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    throw new QueueError(`the stored result of idx ${idx} is not JSON`);
  }
  const r = queueResultSchema.safeParse(json);
  if (!r.success)
    throw new QueueError(`the stored result of idx ${idx} is not a valid row: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const { row } = r.data;
  if ((row.radius !== undefined) !== (cmd === 'certify')) throw new QueueError(`the stored result of idx ${idx} is not a ${cmd} row`);
  if (row.idx !== idx) throw new QueueError(`the stored result of idx ${idx} is the row of idx ${row.idx}`);
  if (row.label !== labels[idx]) throw new QueueError(`the stored result of idx ${idx} has label ${row.label}, the data's label is ${labels[idx]}`);
  if (row.correct !== (row.predict === row.label ? 1 : 0))
    throw new QueueError(`the stored result of idx ${idx} has correct ${row.correct} for prediction ${row.predict}`);
  return r.data;
}
