import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { gridCoordinates, minimumSamplesToCertify, minimumSamplesToPredict, OffGridInputError } from '@rs/core';
import { bundledDefault, cliVersion } from '../assets.js';
import { getBackend, type BackendModel } from '../backends/index.js';
import { checkDataFitsModel, checkLabels, loadData, type LoadedData } from '../data/load.js';
import { selectIndices } from '../data/select.js';
import { CliError } from '../errors.js';
import { openResumable } from '../io/resume.js';
import { RNG_ALGORITHM, type RunSettings } from '../io/run-log.js';
import type { ResultRow } from '../io/tsv.js';
import { ProgressReporter, progressMode } from '../progress.js';
import { resolveComposition } from './composition-flags.js';
import { noiseProvenance } from './noise-provenance.js';
import type { SmoothingRunFlags } from './smoothing-options.js';

/**
 * What one command (certify or predict) plugs into {@link runInputs}.
 *
 * @example
 * await runInputs(flags, certifyRunner(100));
 */
export interface InputRunner {
  command: 'certify' | 'predict';
  header: string;
  /** Selection samples (certify) or null. */
  n0: number | null;
  /** The norm of the radii (certify) or null. */
  norm?: 'l1' | 'l2' | 'linf' | null;
  /** The certificate (certify) or null. */
  radiusMethod?: 'one-sided' | 'top-two' | null;
  formatRow(row: ResultRow): string;
  /** Runs the library on a group of inputs; returns one TSV row and one log record per input. */
  run(
    model: BackendModel,
    x: Float32Array,
    ids: Uint32Array,
    labels: Int32Array,
    ctx: RunContext,
  ): Promise<{ row: ResultRow; record: Record<string, unknown> }[]>;
}

/**
 * The resolved settings of a run, handed to {@link InputRunner.run}.
 *
 * @example
 * await model.certify(x, { n: ctx.n, batchSize: ctx.batch, signal: ctx.signal });
 */
export interface RunContext {
  n: number;
  batch: number;
  sigma: number;
  alpha: number;
  seed: string;
  backend: string;
  /** Features per input. */
  dim: number;
  onSamples: (samplesInGroup: number) => void;
  signal: AbortSignal;
}

/**
 * What {@link runInputs} did.
 *
 * @example
 * const { rows, resumedRows } = await runInputs(flags, predictRunner());
 */
export interface RunSummary {
  rows: ResultRow[];
  /** Rows kept from an earlier run. */
  resumedRows: number;
  out: string | null;
  seconds: number;
}

/**
 * Resolves the flags shared by certify and predict (bundled default, n vs alpha, files, data vs
 * model shape), all before any sampling; then certifies/predicts the selected inputs one group
 * at a time, appending each row (fsync'd) to `--out` and its record to the log, resuming after the
 * rows an earlier run with the same settings left, or printing rows to stdout without `--out`.
 *
 * @example
 * const summary = await runInputs(flags, certifyRunner);
 */
export async function runInputs(
  f: SmoothingRunFlags,
  runner: InputRunner,
  io: { stdout: (s: string) => void; stderr: (s: string) => void } = defaultIo(),
): Promise<RunSummary> {
  const cmd = runner.command;
  // 1. The bundled default, and required flags.
  let { model, data, labels, sigma, n, clip } = f;
  if (f.ensemble !== undefined) {
    if (model !== undefined) throw new CliError(`rsmooth ${cmd}: give --model or --ensemble, not both`);
    model = f.ensemble[0];
  }
  const bundled = model === undefined && data === undefined;
  if (bundled) {
    const d = bundledDefault();
    ({ model, data, labels } = d);
    sigma ??= d.sigma;
    n ??= d.n;
    clip ??= d.clip;
  }
  if (model === undefined) throw new CliError(`rsmooth ${cmd}: --model is required when --data is given (give neither for the bundled default)`);
  if (data === undefined) throw new CliError(`rsmooth ${cmd}: --data is required when --model is given (give neither for the bundled default)`);
  if (sigma === undefined) throw new CliError(`rsmooth ${cmd}: --sigma is required (the noise level the model was trained for, e.g. 0.25)`);
  n ??= 100_000;
  // 2. Can this n ever give a certificate / a non-abstaining prediction at this alpha?
  if (cmd === 'certify') {
    const need = minimumSamplesToCertify(f.alpha);
    if (n < need)
      throw new CliError(
        `rsmooth certify: --n ${n} can never certify at --alpha ${f.alpha}: even ${n} hits out of ${n} give a lower bound pA < 0.5, so every input would abstain; use --n >= ${need}`,
      );
  } else {
    const need = minimumSamplesToPredict(f.alpha);
    if (n < need)
      throw new CliError(
        `rsmooth predict: --n ${n} always abstains at --alpha ${f.alpha}: even ${n} of ${n} samples in one class give a binomial test p-value > alpha; use --n >= ${need}`,
      );
  }
  const backend = getBackend(f.backend);
  if (!existsSync(model)) throw new CliError(`rsmooth ${cmd}: model file not found: ${model}`);
  if (f.out !== undefined) {
    const dir = dirname(resolve(f.out));
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CliError(`rsmooth ${cmd}: the folder of --out does not exist: ${dir}`);
  }
  if (f.log !== undefined && f.out === undefined) throw new CliError(`rsmooth ${cmd}: --log needs --out (without --out, rows go to stdout and no log is kept)`);
  // 3. Data and selection.
  const loaded: LoadedData = loadData({ data, labels, split: f.split, scaleUint8: f['scale-uint8'] });
  if (!loaded.labels) throw new CliError(`rsmooth ${cmd}: no labels: pass --labels (a .npy or IDX file), or a named data set such as fashion-mnist`);
  if (clip) {
    const bad = loaded.x.findIndex((v) => !(v >= clip[0] && v <= clip[1]));
    if (bad >= 0)
      throw new CliError(
        `rsmooth ${cmd}: input ${Math.floor(bad / (loaded.x.length / loaded.count))} has a value ${loaded.x[bad]} outside --clip ${clip.join(':')}${f['scale-uint8'] ? '' : ' (uint8 data? add --scale-uint8)'}`,
      );
  }
  const expected = selectIndices(loaded.count, { skip: f.skip, max: f.max, shard: f.shard });
  const { composition, settings: composed } = resolveComposition(cmd, f, clip);
  if (f.queue !== undefined && (f.denoiser !== undefined || f.ensemble !== undefined)) {
    throw new CliError(
      `rsmooth ${cmd}: --queue runs one model file; --denoiser and --ensemble cannot go on the queue (their files would have to reach every worker)`,
    );
  }
  // 4. The model.
  if (f['sound-levels'] !== undefined && !f.sound) throw new CliError(`rsmooth ${cmd}: --sound-levels needs --sound`);
  const sound = f.sound ? { levels: f['sound-levels'] ?? 255 } : undefined;
  if (sound && f.noise !== 'gaussian')
    throw new CliError(`rsmooth ${cmd}: --sound draws a discretized Gaussian; it cannot be combined with --noise ${f.noise}`);
  if (sound) {
    try {
      gridCoordinates(loaded.x, loaded.x.length / loaded.count, sound.levels);
    } catch (err) {
      if (!(err instanceof OffGridInputError)) throw err;
      throw new CliError(
        `rsmooth ${cmd}: --sound: data set input ${err.input}, feature ${err.feature} = ${err.value} is not on the grid m / ${sound.levels}${f['scale-uint8'] ? '' : ' (uint8 data? add --scale-uint8)'}`,
      );
    }
  }
  const m = await backend.open({
    model,
    sigma,
    noise: f.noise,
    sound,
    n0: runner.n0 ?? 1,
    alpha: f.alpha,
    seed: f.seed,
    clip,
    device: f.device,
    threads: f.threads,
    composition,
  });
  let output: ReturnType<typeof openResumable> | null = null;
  const controller = new AbortController();
  const onSigint = () => controller.abort(new CliError('interrupted', 130));
  process.once('SIGINT', onSigint);
  process.once('SIGTERM', onSigint);
  const started = performance.now();
  try {
    checkDataFitsModel(loaded, m.inputShape, model);
    checkLabels(loaded, m.nbClasses);
    const provenance = await noiseProvenance(m);
    const settings: RunSettings = {
      command: cmd,
      backend: backend.name,
      modelSha256: m.modelSha256,
      data: { count: loaded.count, sha256: loaded.sha256, labelsSha256: loaded.labelsSha256 ?? null },
      selection: { skip: f.skip, max: f.max ?? null, shard: f.shard ?? null },
      sigma,
      n0: runner.n0,
      n,
      alpha: f.alpha,
      seed: f.seed,
      rng: RNG_ALGORITHM,
      noise: f.noise,
      sound: sound ?? null,
      norm: runner.norm ?? null,
      radiusMethod: runner.radiusMethod ?? null,
      noiseIds: 'dataset-index',
      clip: clip ?? null,
      ...composed,
    };
    const info = {
      tool: `rsmooth ${cliVersion()}`,
      model,
      data: loaded.source,
      labels: loaded.labelsSource ?? null,
      created: new Date().toISOString(),
      argv: process.argv.slice(2),
    };
    if (f.queue !== undefined)
      return await (await import('../queue/run-queued.js')).runQueued({
        flags: f,
        runner,
        settings,
        info,
        expected,
        labels: loaded.labels,
        source: { model, data, labels, bundled },
        io,
        signal: controller.signal,
      });
    if (f.attempts !== undefined) throw new CliError(`rsmooth ${cmd}: --attempts needs --queue`);
    let done: ResultRow[] = [];
    let writeRow: (row: string, record: Record<string, unknown>) => void;
    if (f.out !== undefined) {
      output = openResumable({ tsvPath: f.out, logPath: f.log ?? `${f.out}.jsonl`, header: runner.header, settings, info, expected });
      done = output.done;
      const o = output;
      if (o.resumed)
        io.stderr(
          `rsmooth ${cmd}: resuming ${f.out}: ${done.length} of ${expected.length} rows already done${o.droppedBytes ? ` (dropped ${o.droppedBytes} bytes of an interrupted write)` : ''}\n`,
        );
      writeRow = (row, record) => {
        o.log.writeLine(`${JSON.stringify(record)}\n`);
        o.tsv.writeLine(row);
      };
    } else {
      io.stdout(`${runner.header}\n`);
      writeRow = (row) => io.stdout(row);
    }
    const todo = expected.subarray(done.length);
    const dim = m.inputShape.reduce((a, b) => a * b, 1);
    const samplesPerInput = n + (runner.n0 ?? 0);
    const progress = new ProgressReporter({ label: cmd, total: todo.length, samplesPerInput, mode: progressMode(process.stderr, f.quiet), write: io.stderr });
    const rows = [...done];
    const ctx: RunContext = {
      n,
      batch: f.batch,
      sigma,
      alpha: f.alpha,
      seed: f.seed,
      backend: backend.name,
      dim,
      onSamples: (s) => progress.samples(s),
      signal: controller.signal,
    };
    for (let start = 0; start < todo.length; start += f.group) {
      const ids = todo.slice(start, start + f.group);
      const x = new Float32Array(ids.length * dim);
      ids.forEach((id, i) => {
        x.set(loaded.x.subarray(id * dim, (id + 1) * dim), i * dim);
      });
      const y = Int32Array.from(ids, (id) => loaded.labels![id]!);
      const results = await runner.run(m, x, ids, y, ctx);
      for (const r of results) {
        r.record.device = m.device;
        r.record.modelSha256 = m.modelSha256;
        r.record.noiseGenerator = m.noiseGenerator;
        r.record.noise = f.noise;
        r.record.noiseDigest = provenance.digest;
        writeRow(runner.formatRow(r.row), r.record);
        rows.push(r.row);
        progress.inputDone();
      }
    }
    progress.finish();
    if (f.out !== undefined && todo.length === 0) io.stderr(`rsmooth ${cmd}: ${f.out} is already complete (${rows.length} rows)\n`);
    return { rows, resumedRows: done.length, out: f.out ?? null, seconds: (performance.now() - started) / 1000 };
  } catch (err) {
    if (controller.signal.aborted) {
      throw new CliError(`rsmooth ${cmd}: interrupted${f.out ? `; the finished rows are in ${f.out}: run the same command again to continue` : ''}`, 130);
    }
    throw err;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    output?.close();
    // After an interrupt a model call may still be in flight: releasing its session under it would
    // crash; the process is about to exit anyway.
    if (!controller.signal.aborted) await m.dispose();
  }
}

function defaultIo() {
  return { stdout: (s: string) => void process.stdout.write(s), stderr: (s: string) => void process.stderr.write(s) };
}
