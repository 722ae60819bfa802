import { existsSync } from 'node:fs';
import { gridCoordinates, minimumSamplesToCertify, minimumSamplesToPredict, OffGridInputError } from '@rs/core';
import { bundledDefault, cliVersion } from '../assets.js';
import { getBackend, type BackendModel } from '../backends/index.js';
import { checkDataFitsModel, checkLabels, checkUint8Domain, loadData, type LoadedData } from '../data/load.js';
import { selectIndices } from '../data/select.js';
import { CliError } from '../errors.js';
import { checkInputFile } from '../io/input-file.js';
import { lockOutputs, releaseAll, type OutputLock } from '../io/output-lock.js';
import { checkOutputPath, isStdout, sameFile } from '../io/output-path.js';
import { openResumable } from '../io/resume.js';
import { RNG_ALGORITHM, type RunSettings } from '../io/run-log.js';
import type { ResultRow } from '../io/tsv.js';
import { ProgressReporter, progressMode } from '../progress.js';
import { resolveComposition } from './composition-flags.js';
import { noiseProvenance } from './noise-provenance.js';
import type { SmoothingRunFlags } from './smoothing-options.js';

/**
 * What one command (certify or predict) plugs into {@link runInputs}.
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
  /** Settings of this runner recorded in the log and compared on resume/merge (e.g. `sequential`). */
  settings?: Partial<RunSettings>;
  /** Checks the resolved n, sigma, alpha and noise family before anything is loaded (throws a CliError). */
  validate?(resolved: { n: number; sigma: number; alpha: number; noise: 'gaussian' | 'uniform' | 'laplace' }): void;
  /** Runs the library on a group of inputs; returns one TSV row and one log record per input (and the samples it took, when not n + n0). */
  run(
    model: BackendModel,
    x: Float32Array,
    ids: Uint32Array,
    labels: Int32Array,
    ctx: RunContext,
  ): Promise<{ row: ResultRow; record: Record<string, unknown>; samples?: number }[]>;
}

/**
 * The resolved settings of a run, handed to {@link InputRunner.run}.
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
    if (model !== undefined) throw new CliError(`rsmooth ${cmd}: give --model or --ensemble, not both`, { code: 'RS_USAGE' });
    model = f.ensemble[0];
  }
  const bundled = model === undefined && data === undefined;
  if (bundled) {
    const d = bundledDefault();
    ({ model, data, labels } = d);
    if (f.backend === 'tfjs') model = d.tfjsModel; // the same weights as a TF.js model
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
        { code: 'RS_SAMPLES_INSUFFICIENT' },
      );
  } else {
    const need = minimumSamplesToPredict(f.alpha);
    if (n < need)
      throw new CliError(
        `rsmooth predict: --n ${n} always abstains at --alpha ${f.alpha}: even ${n} of ${n} samples in one class give a binomial test p-value > alpha; use --n >= ${need}`,
        { code: 'RS_SAMPLES_INSUFFICIENT' },
      );
  }
  runner.validate?.({ n, sigma, alpha: f.alpha, noise: f.noise });
  const backend = getBackend(f.backend);
  if (!existsSync(model)) throw new CliError(`rsmooth ${cmd}: model file not found: ${model}`, { code: 'RS_FILE_NOT_FOUND' });
  checkInputFile(`rsmooth ${cmd}: --model ${model}`, model, { folderAllowed: true });
  // 3. Outputs: regular files or absent, distinct from each other and from the inputs; '-' is stdout.
  const out = f.out === undefined || isStdout(f.out) ? undefined : f.out;
  const logPath = out === undefined ? undefined : (f.log ?? `${out}.jsonl`);
  if (f.log !== undefined && out === undefined) throw new CliError(`rsmooth ${cmd}: --log needs --out (without --out, rows go to stdout and no log is kept)`);
  if (isStdout(f.log)) throw new CliError(`rsmooth ${cmd}: --log must be a file ('-' is for --out: rows stream to stdout, the log does not)`);
  if (out !== undefined && logPath !== undefined) {
    checkOutputPath(cmd, '--out', out);
    checkOutputPath(cmd, f.log === undefined ? 'the log' : '--log', logPath);
    if (sameFile(out, logPath)) throw new CliError(`rsmooth ${cmd}: --log and --out are the same file (${logPath})`, { code: 'RS_OUTPUT_CONFLICT' });
    const inputs: [string, string | undefined][] = [
      ['--model', model],
      ['--data', data],
      ['--labels', labels],
    ];
    for (const [flag, input] of inputs) {
      for (const [what, output] of [
        ['--out', out],
        [f.log === undefined ? 'the log' : '--log', logPath],
      ] as const) {
        if (input !== undefined && existsSync(input) && sameFile(input, output))
          throw new CliError(`rsmooth ${cmd}: ${what} ${output} is the ${flag} file: refusing to write over an input`, { code: 'RS_OUTPUT_CONFLICT' });
      }
    }
  }
  // 4. The lock on the outputs, held to the end: a second writer is refused, naming this process.
  const controller = new AbortController();
  const locks: OutputLock[] =
    out !== undefined && logPath !== undefined ? await lockOutputs([out, logPath], `rsmooth ${cmd}`, (err) => controller.abort(err)) : [];
  let m: BackendModel | null = null;
  let output: ReturnType<typeof openResumable> | null = null;
  const onSigint = () => controller.abort(new CliError('interrupted', 130));
  process.once('SIGINT', onSigint);
  process.once('SIGTERM', onSigint);
  const started = performance.now();
  try {
    // 5. Data and selection.
    const loaded: LoadedData = loadData({ data, labels, split: f.split, scaleUint8: f['scale-uint8'] });
    if (!loaded.labels) throw new CliError(`rsmooth ${cmd}: no labels: pass --labels (a .npy or IDX file), or a named data set such as fashion-mnist`);
    checkUint8Domain(loaded, { scaleUint8: f['scale-uint8'], clip, command: cmd });
    if (clip) {
      const bad = loaded.x.findIndex((v) => !(v >= clip[0] && v <= clip[1]));
      if (bad >= 0)
        throw new CliError(
          `rsmooth ${cmd}: input ${Math.floor(bad / (loaded.x.length / loaded.count))} has a value ${loaded.x[bad]} outside --clip ${clip.join(':')}${f['scale-uint8'] ? '' : ' (uint8 data? add --scale-uint8)'}`,
          { code: 'RS_INVALID_INPUT' },
        );
    }
    const expected = selectIndices(loaded.count, { skip: f.skip, max: f.max, shard: f.shard });
    const { composition, settings: composed } = resolveComposition(cmd, f, clip);
    if (f.queue !== undefined && (f.denoiser !== undefined || f.ensemble !== undefined)) {
      throw new CliError(
        `rsmooth ${cmd}: --queue runs one model file; --denoiser and --ensemble cannot go on the queue (their files would have to reach every worker)`,
        { code: 'RS_USAGE' },
      );
    }
    if (f['sound-levels'] !== undefined && !f.sound) throw new CliError(`rsmooth ${cmd}: --sound-levels needs --sound`, { code: 'RS_USAGE' });
    const sound = f.sound ? { levels: f['sound-levels'] ?? 255 } : undefined;
    if (sound && f.noise !== 'gaussian')
      throw new CliError(`rsmooth ${cmd}: --sound draws a discretized Gaussian; it cannot be combined with --noise ${f.noise}`, { code: 'RS_USAGE' });
    if (sound) {
      try {
        gridCoordinates(loaded.x, loaded.x.length / loaded.count, sound.levels);
      } catch (err) {
        if (!(err instanceof OffGridInputError)) throw err;
        throw new CliError(
          `rsmooth ${cmd}: --sound: data set input ${err.input}, feature ${err.feature} = ${err.value} is not on the grid m / ${sound.levels}${f['scale-uint8'] ? '' : ' (uint8 data? add --scale-uint8)'}`,
          { code: 'RS_INVALID_INPUT' },
        );
      }
    }
    // 6. The model.
    m = await backend.open({
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
    if (!f.quiet) for (const note of m.notes) io.stderr(`rsmooth ${cmd}: ${note}\n`);
    checkDataFitsModel(loaded, m.inputShape, model);
    checkLabels(loaded, m.nbClasses);
    checkBatch(cmd, f.batch, Math.min(f.group, expected.length) * Math.max(n, runner.n0 ?? 0), m.inputShape);
    const provenance = await noiseProvenance(m);
    const settings: RunSettings = {
      command: cmd,
      backend: m.backend,
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
      ...runner.settings,
      ...composed,
    };
    const info = {
      tool: `rsmooth ${cliVersion()}`,
      model,
      data: loaded.source,
      labels: loaded.labelsSource ?? null,
      created: new Date().toISOString(),
      argv: process.argv.slice(2),
      ...(m.notes.length > 0 ? { notes: m.notes } : {}),
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
    if (f.attempts !== undefined) throw new CliError(`rsmooth ${cmd}: --attempts needs --queue`, { code: 'RS_USAGE' });
    let done: ResultRow[] = [];
    let writeRow: (row: string, record: Record<string, unknown>) => void;
    if (out !== undefined && logPath !== undefined) {
      output = openResumable({
        tsvPath: out,
        logPath,
        logFlag: f.log === undefined ? undefined : '--log',
        header: runner.header,
        settings,
        info,
        expected,
        labels: loaded.labels,
      });
      done = output.done;
      const o = output;
      if (o.resumed)
        io.stderr(
          `rsmooth ${cmd}: resuming ${out}: ${done.length} of ${expected.length} rows already done${o.droppedBytes ? ` (dropped ${o.droppedBytes} bytes of an interrupted write)` : ''}\n`,
        );
      writeRow = (row, record) => {
        o.log.writeLine(`${JSON.stringify(record)}\n`);
        o.tsv.writeLine(row);
      };
    } else {
      io.stdout(`${runner.header}\n`);
      writeRow = (row) => io.stdout(row);
    }
    const model_ = m;
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
      backend: m.backend,
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
      const results = await runner.run(model_, x, ids, y, ctx);
      for (const r of results) {
        r.record.device = model_.device;
        r.record.modelSha256 = model_.modelSha256;
        r.record.noiseGenerator = model_.noiseGenerator;
        r.record.noise = f.noise;
        r.record.noiseDigest = provenance.digest;
        writeRow(runner.formatRow(r.row), r.record);
        rows.push(r.row);
        progress.inputDone(undefined, r.samples);
      }
    }
    progress.finish();
    if (out !== undefined && todo.length === 0) io.stderr(`rsmooth ${cmd}: ${out} is already complete (${rows.length} rows)\n`);
    return { rows, resumedRows: done.length, out: out ?? null, seconds: (performance.now() - started) / 1000 };
  } catch (err) {
    if (controller.signal.aborted) {
      const reason: unknown = controller.signal.reason;
      if (reason instanceof CliError && reason.code === 'RS_OUTPUT_LOCK_LOST') throw reason;
      throw new CliError(`rsmooth ${cmd}: interrupted${out ? `; the finished rows are in ${out}: run the same command again to continue` : ''}`, 130);
    }
    throw err;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    output?.close();
    // After an interrupt a model call may still be in flight: releasing its session under it would
    // crash; the process is about to exit anyway.
    if (!controller.signal.aborted) await m?.dispose();
    await releaseAll(locks);
  }
}

/** Values one batch buffer may hold (2^29 float32 = 2 GiB; the sampling engine keeps two). */
export const MAX_BATCH_VALUES = 2 ** 29;

/**
 * Refuses a `--batch` whose buffers could not be allocated, naming the flag (the engine never fills
 * a batch beyond the samples one group needs, so that is the size that counts).
 */
export function checkBatch(command: string, batch: number, samplesPerGroup: number, inputShape: readonly number[]): void {
  const dim = inputShape.reduce((a, b) => a * b, 1);
  const rows = Math.min(batch, samplesPerGroup);
  if (rows * dim <= MAX_BATCH_VALUES) return;
  throw new CliError(
    `rsmooth ${command}: --batch ${batch}: batches of ${rows} noisy inputs x ${dim} values need ${((rows * dim * 4) / 2 ** 30).toFixed(1)} GiB per buffer (two buffers); use --batch <= ${Math.floor(MAX_BATCH_VALUES / dim)}`,
    { code: 'RS_BATCH_TOO_LARGE' },
  );
}

function defaultIo() {
  return { stdout: (s: string) => void process.stdout.write(s), stderr: (s: string) => void process.stderr.write(s) };
}
