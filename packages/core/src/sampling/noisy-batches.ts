import { AbortError, ClassifierContractError, RsRangeError, throwIfAborted } from '../errors.js';
import type { NoiseFamily, NoiseGenerator } from '../noise/index.js';
import type { DiscreteGaussianTable } from '../sound/discrete-gaussian.js';
import { fillSoundNoisy } from '../sound/sound-sampler.js';
import type { Classifier } from '../classifier/classifier.js';
import { callFailure, guardedCall, yieldToEventLoop } from './guarded-call.js';
import type { Progress } from './progress.js';

/** Everything needed to turn clean inputs into model-ready noisy batches. */
export interface SamplingContext {
  classifier: Classifier;
  dim: number;
  noise: NoiseGenerator;
  seed: bigint;
  scale: number;
  /** Noise family of every noisy copy (default 'gaussian'). */
  family?: NoiseFamily;
  /**
   * The sound mode: the integer grid coordinates of the data and the discretized Gaussian's table;
   * noisy copies are then float32((m + j) / levels), never drawn on a device.
   */
  sound?: { table: DiscreteGaussianTable; grid: Int32Array } | null;
  /** Clip the noisy copies to these per-feature bounds (only with `clipNoisy`). */
  clipNoisy: { min: Float32Array; max: Float32Array } | null;
  /** Applies preprocessing in place to `rows` inputs (null when the classifier does it itself). */
  preprocess: ((buffer: Float32Array, rows: number) => void) | null;
  /** The per-feature preprocessing `preprocess` applies (for device samplers), or null. */
  preprocessing: { sub: Float32Array; div: Float32Array } | null;
  /**
   * Draw batch k+1's noise while the classifier works on batch k (two batch buffers), or between
   * forward calls (one buffer). See the classifier's `hostSampling`. Default true.
   */
  overlapNoise?: boolean;
}

/** `count` noisy samples, indices `sampleStart..`, of the input at `row` of the data, drawn with noise id `id`. */
export interface SamplingJob {
  row: number;
  id: number;
  sampleStart: number;
  count: number;
}

/** Where the rows of one batch come from: `count` rows from `jobs[job]`, starting at batch row `rowStart`. */
export interface BatchSegment {
  job: number;
  rowStart: number;
  count: number;
  /** Index of the first of these samples within the job. */
  offsetInJob: number;
}

/** Run-wide settings of {@link runNoisyBatches}. */
export interface NoisyBatchRun {
  stream: number;
  batchSize: number;
  phase: Progress['phase'];
  onProgress?: ((p: Progress) => void) | undefined;
  /** Cancels the run: checked between batches and raced against every classifier call. */
  signal?: AbortSignal | undefined;
  /** A classifier call that takes longer becomes a `ForwardTimeoutError` naming the batch and its inputs. */
  forwardTimeoutMs?: number | undefined;
  /**
   * What to compute on each noisy batch of raw (not yet preprocessed) inputs, which it may modify
   * in place. Default: preprocess, then the classifier's logits, checked against the contract.
   */
  evaluate?: ((noisy: Float32Array, rows: number, segments: readonly BatchSegment[]) => Float32Array | Promise<Float32Array>) | undefined;
}

/**
 * The sampling engine: evaluates the classifier on every noisy sample the jobs ask for, in batches
 * of at most `batchSize` rows (several jobs may share a batch, a job may span batches), and hands
 * each batch's logits to `consume` in order.
 *
 * Memory is two batch buffers, whatever the number of samples: while the classifier works on one
 * (an async backend such as ONNX Runtime runs off the JS thread), the noise of the next is drawn
 * into the other. With `ctx.overlapNoise` false it is one buffer, refilled after each batch is
 * consumed. The buffer passed to `consume` stays untouched until `consume` settles.
 *
 * Cancellation: the loop yields to the event loop between batches (so even a classifier that answers
 * synchronously lets timers such as `AbortSignal.timeout` fire), and every classifier call is raced
 * against `signal` and `forwardTimeoutMs`: an abort rejects with an `AbortError` at once, even while a
 * forward call hangs, and a call that takes too long becomes a `ForwardTimeoutError`. No call is ever
 * left without a rejection handler. Nothing partial is returned.
 *
 * @example
 * await runNoisyBatches(ctx, data, [{ row: 0, id: 0, sampleStart: 0, count: 10_000 }], { stream: 1, batchSize: 1000, phase: 'estimation' },
 *   (logits, rows, segments) => { ... });
 */
export async function runNoisyBatches(
  ctx: SamplingContext,
  data: Float32Array,
  jobs: readonly SamplingJob[],
  run: NoisyBatchRun,
  consume: (output: Float32Array, rows: number, segments: readonly BatchSegment[], noisy: Float32Array) => void | Promise<void>,
): Promise<void> {
  const { classifier, dim } = ctx;
  const samplesTotal = jobs.reduce((s, j) => s + j.count, 0);
  if (samplesTotal === 0) return;
  // A batch never needs more rows than there are samples: the same calls, smaller buffers.
  const batchSize = Math.min(run.batchSize, classifier.maxBatchSize ?? Infinity, samplesTotal);
  const overlap = ctx.overlapNoise ?? true;
  const first = allocateBatch(batchSize, dim);
  const buffers = [first, overlap ? allocateBatch(batchSize, dim) : first];
  let batchIndex = 0;
  const started = performance.now();
  let samplesDone = 0;
  let jobsDone = 0;
  // Cursor over (job, offset within job).
  let job = 0;
  let offset = 0;

  const fill = (buffer: Float32Array): { rows: number; segments: BatchSegment[] } | null => {
    let rows = 0;
    const segments: BatchSegment[] = [];
    while (rows < batchSize && job < jobs.length) {
      const j = jobs[job]!;
      const take = Math.min(batchSize - rows, j.count - offset);
      if (take > 0) {
        const req = { seed: ctx.seed, stream: run.stream, inputIndex: j.id, sampleStart: j.sampleStart + offset, sampleCount: take, dim, family: ctx.family };
        if (ctx.sound)
          (ctx.noise.fillSound ?? fillSoundNoisy)(buffer, rows * dim, req, ctx.sound.grid, j.row * dim, ctx.sound.table, ctx.clipNoisy ?? undefined);
        else ctx.noise.fillNoisy(buffer, rows * dim, req, data, j.row * dim, ctx.scale, ctx.clipNoisy ?? undefined);
        segments.push({ job, rowStart: rows, count: take, offsetInJob: offset });
        rows += take;
        offset += take;
      }
      if (offset >= j.count) {
        job++;
        offset = 0;
      }
    }
    if (rows === 0) return null;
    return { rows, segments };
  };

  const evaluate = (buffer: Float32Array, rows: number, segments: readonly BatchSegment[]): Promise<Float32Array> => {
    const input = rows * dim === buffer.length ? buffer : buffer.subarray(0, rows * dim);
    const site = {
      call: run.evaluate ? 'the classifier' : 'forward',
      batch: batchIndex++,
      rows,
      inputIds: [...new Set(segments.map((s) => jobs[s.job]!.id))],
      where: `in the ${run.phase} phase`,
    };
    return guardedCall(
      () => {
        if (run.evaluate) return run.evaluate(input, rows, segments);
        ctx.preprocess?.(input, rows);
        return classifier.forward(input, rows);
      },
      { signal: run.signal, timeoutMs: run.forwardTimeoutMs },
      site,
    );
  };

  throwIfAborted(run.signal);
  let current = 0;
  let batch = fill(buffers[current]!);
  let pending = batch ? evaluate(buffers[current]!, batch.rows, batch.segments) : null;
  while (batch && pending) {
    const next = current ^ 1;
    await yieldToEventLoop(); // timers (an AbortSignal.timeout) fire even when forward answers synchronously
    throwIfAborted(run.signal);
    let nextBatch = overlap ? fill(buffers[next]!) : null; // drawn while the classifier works on `current`
    let output: Float32Array;
    try {
      output = await pending;
    } catch (err) {
      throw callFailure(err, `${run.evaluate ? 'the classifier' : 'forward'} failed on a batch of ${batch.rows} noisy inputs`);
    }
    if (!run.evaluate) checkLogits(output, batch.rows, classifier.nbClasses);
    await consume(output, batch.rows, batch.segments, buffers[current]!);
    samplesDone += batch.rows;
    for (const s of batch.segments) if (s.offsetInJob + s.count >= jobs[s.job]!.count) jobsDone++;
    if (run.onProgress) {
      const elapsedSeconds = (performance.now() - started) / 1000;
      run.onProgress({
        phase: run.phase,
        inputsDone: jobsDone,
        inputsTotal: jobs.length,
        samplesDone,
        samplesTotal,
        elapsedSeconds,
        samplesPerSecond: elapsedSeconds > 0 ? samplesDone / elapsedSeconds : 0,
      });
    }
    if (!overlap) nextBatch = fill(buffers[next]!); // drawn now that `current` is consumed (the same buffer)
    batch = nextBatch;
    current = next;
    pending = batch ? evaluate(buffers[current]!, batch.rows, batch.segments) : null;
  }
}

/**
 * Checks a classifier's output: a Float32Array of `rows * nbClasses` values, none NaN or +Infinity,
 * and each row with a finite maximum (-Infinity, the log of a probability 0, is allowed beside it).
 * A row of infinities has no meaningful argmax: counting it would certify noise.
 *
 * @example
 * checkLogits(logits, 4, 10);
 */
export function checkLogits(logits: unknown, rows: number, nbClasses: number): asserts logits is Float32Array {
  if (!(logits instanceof Float32Array)) {
    throw new ClassifierContractError(
      `forward must return a Float32Array, got ${logits === null ? 'null' : typeof logits === 'object' ? (logits as object).constructor?.name : typeof logits}`,
    );
  }
  if (logits.length !== rows * nbClasses) {
    throw new ClassifierContractError(
      `forward returned ${logits.length} values for a batch of ${rows} inputs x ${nbClasses} classes (expected ${rows * nbClasses})`,
    );
  }
  for (let r = 0; r < rows; r++) {
    let max = -Infinity;
    for (let k = 0; k < nbClasses; k++) {
      const v = logits[r * nbClasses + k]!;
      // NaN and +Infinity fail `v < Infinity`; one comparison per logit on the hot path.
      if (!(v < Infinity)) throw new ClassifierContractError(`forward returned ${v} at batch row ${r}, class ${k}: logits must be finite (or -Infinity)`);
      if (v > max) max = v;
    }
    if (max === -Infinity) throw new ClassifierContractError(`forward returned a row without a finite maximum at batch row ${r} (every logit -Infinity)`);
  }
}

/** The two batch buffers' allocation, as a named error when `batchSize x dim` floats cannot exist. */
function allocateBatch(batchSize: number, dim: number): Float32Array {
  try {
    return new Float32Array(batchSize * dim);
  } catch (err) {
    throw new RsRangeError(
      'RS_BATCH_TOO_LARGE',
      `'batchSize' ${batchSize} x ${dim} values per input needs ${((batchSize * dim * 4) / 2 ** 30).toFixed(1)} GiB per batch buffer, which cannot be allocated: use a smaller batchSize`,
      { cause: err },
    );
  }
}

/**
 * Index of the largest of `nbClasses` values starting at `offset` (first one on ties, like numpy's argmax).
 *
 * @example
 * argmaxRow(new Float32Array([0.1, 0.7, 0.2]), 0, 3); // 1
 */
export function argmaxRow(values: Float32Array, offset: number, nbClasses: number): number {
  let best = 0;
  let bestValue = values[offset]!;
  for (let k = 1; k < nbClasses; k++) {
    const v = values[offset + k]!;
    if (v > bestValue) {
      bestValue = v;
      best = k;
    }
  }
  return best;
}

/**
 * Counts, for each job, how many of its noisy samples the base classifier assigns to each class:
 * returns `jobs.length * nbClasses` counts (Cohen et al.'s `_sample_noise`).
 *
 * @example
 * const counts = await countPredictions(ctx, data, jobs, { stream: NOISE_STREAM.estimation, batchSize: 1000, phase: 'estimation' });
 */
export async function countPredictions(ctx: SamplingContext, data: Float32Array, jobs: readonly SamplingJob[], run: NoisyBatchRun): Promise<Int32Array> {
  const c = ctx.classifier.nbClasses;
  if (!ctx.sound && ctx.classifier.deviceSampling && drawsFamily(ctx.classifier.deviceSampling.families, ctx.family))
    return countOnDevice(ctx, data, jobs, run);
  const counts = new Int32Array(jobs.length * c);
  await runNoisyBatches(ctx, data, jobs, run, (logits, _rows, segments) => {
    for (const s of segments) {
      const base = s.job * c;
      for (let r = s.rowStart; r < s.rowStart + s.count; r++) counts[base + argmaxRow(logits, r * c, c)]!++;
    }
  });
  return counts;
}

/** Whether a generator or device sampler declaring `families` (absent: Gaussian only) draws `family`. */
export function drawsFamily(families: readonly NoiseFamily[] | undefined, family: NoiseFamily | undefined): boolean {
  const f = family ?? 'gaussian';
  return families ? families.includes(f) : f === 'gaussian';
}

/** {@link countPredictions} through the classifier's device sampler, with its output checked. */
async function countOnDevice(ctx: SamplingContext, data: Float32Array, jobs: readonly SamplingJob[], run: NoisyBatchRun): Promise<Int32Array> {
  const c = ctx.classifier.nbClasses;
  const samplesTotal = jobs.reduce((s, j) => s + j.count, 0);
  const started = performance.now();
  throwIfAborted(run.signal);
  let counts: Int32Array;
  try {
    counts = await guardedCall(
      () =>
        ctx.classifier.deviceSampling!.countPredictions({
          data,
          dim: ctx.dim,
          jobs,
          seed: ctx.seed,
          stream: run.stream,
          scale: ctx.scale,
          ...(ctx.family && ctx.family !== 'gaussian' ? { noise: ctx.family } : {}),
          clip: ctx.clipNoisy,
          preprocessing: ctx.preprocessing,
          batchSize: Math.min(run.batchSize, ctx.classifier.maxBatchSize ?? Infinity),
          signal: run.signal,
          report: run.onProgress
            ? (samplesDone, jobsDone) => {
                const elapsedSeconds = (performance.now() - started) / 1000;
                run.onProgress!({
                  phase: run.phase,
                  inputsDone: jobsDone,
                  inputsTotal: jobs.length,
                  samplesDone,
                  samplesTotal,
                  elapsedSeconds,
                  samplesPerSecond: elapsedSeconds > 0 ? samplesDone / elapsedSeconds : 0,
                });
              }
            : undefined,
        }),
      { signal: run.signal },
      { call: 'deviceSampling.countPredictions', batch: 0, rows: samplesTotal, inputIds: jobs.map((j) => j.id) },
    );
  } catch (err) {
    // A sampler that honours the signal itself may throw a plain Error named AbortError: give it the code.
    if ((err as Error)?.name === 'AbortError' && !(err instanceof AbortError))
      throw new AbortError('The operation was aborted; no partial result is returned', { cause: err });
    throw callFailure(err, 'deviceSampling.countPredictions failed');
  }
  throwIfAborted(run.signal);
  if (!(counts instanceof Int32Array) || counts.length !== jobs.length * c) {
    throw new ClassifierContractError(
      `deviceSampling.countPredictions returned ${counts instanceof Int32Array ? counts.length : typeof counts} counts for ${jobs.length} jobs x ${c} classes`,
    );
  }
  jobs.forEach((j, i) => {
    let sum = 0;
    for (let k = 0; k < c; k++) sum += counts[i * c + k]!;
    if (sum !== j.count)
      throw new ClassifierContractError(
        `deviceSampling.countPredictions counted ${sum} samples for job ${i}, which asked for ${j.count}: refusing counts that would void the certificate`,
      );
  });
  return counts;
}
