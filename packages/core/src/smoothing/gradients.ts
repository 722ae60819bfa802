import { requireCapability } from '../classifier/capabilities.js';
import { ClassifierContractError, describeValue, RsRangeError } from '../errors.js';
import type { CallGuard } from '../sampling/guarded-call.js';
import { toInputBatch, toLabels, type InputBatch } from '../input/input-batch.js';
import { gradientOptionsSchema, type GradientOptions } from '../options/run-options.js';
import { parseOptions } from '../options/parse-options.js';
import { NOISE_STREAM } from '../sampling/noise-streams.js';
import { runNoisyBatches, type SamplingJob } from '../sampling/noisy-batches.js';
import { checkedVjp, cleanLogits, forEachCleanBatch } from './clean-batches.js';
import { callSeed, inputIdsFor, preprocessor, samplingContext, type SmoothingConfig } from './smoothing-config.js';
import { softmaxRow } from './softmax.js';

/** A gradient target of one input: class `cls`; `loss` selects cross-entropy rather than the class score. */
interface Targets {
  count: number; // targets per input (L)
  cls: (input: number, l: number) => number;
  loss: boolean;
}

function requireGradients(config: SmoothingConfig, method: string): void {
  requireCapability(config.classifier, 'gradients', method);
}

/**
 * Gradient of each input's cross-entropy loss w.r.t. that input, in raw input units (through
 * `preprocessing`): row i is `d loss_i / d x_i`, whatever else is in the batch.
 *
 * - `sampling: false`: loss of the base classifier's logits.
 * - `sampling: true`: ART's smoothed loss `-log(mean_j softmax(f(x + e_j))[y])` over `sampleSize`
 *   noisy copies (noise stream `gradient`, clipped when `clipNoisy`, clip gradient zero outside the
 *   domain), computed in log space so no clamp is needed. Unlike ART (mean reduction over the batch),
 *   rows are not divided by the batch size.
 */
export async function lossGradient(config: SmoothingConfig, x: unknown, y: unknown, options: GradientOptions = {}): Promise<Float32Array> {
  requireGradients(config, 'lossGradient');
  const o = parseOptions(gradientOptionsSchema, options, 'lossGradient options');
  const batch = toInputBatch(x, config.classifier.inputShape, { domain: config.domain });
  const labels = toLabels(y, batch.count, config.classifier.nbClasses);
  const targets: Targets = { count: 1, cls: (i) => labels[i]!, loss: true };
  return o.sampling ? sampledGradients(config, batch, targets, o) : cleanGradients(config, batch, targets, o.batchSize, guardOf(o));
}

/**
 * Gradients of class scores w.r.t. the input, in raw input units: `{ data, shape: [K, L, ...inputShape] }`
 * with L = nbClasses when `label` is omitted, else 1 (`label` a class for every input or one class per input).
 *
 * - `sampling: false`: gradient of the base classifier's logit (ART's `class_gradient`).
 * - `sampling: true`: gradient of `log(mean_j softmax(f(x + e_j))[c])`, the log of the Monte-Carlo
 *   smoothed class probability, so that `lossGradient(sampling) = -classGradient(sampling, y)`.
 *   (ART's PyTorch randomized smoothing raises NotImplementedError here.)
 */
export async function classGradient(
  config: SmoothingConfig,
  x: unknown,
  label: unknown,
  options: GradientOptions = {},
): Promise<{ data: Float32Array; shape: number[] }> {
  requireGradients(config, 'classGradient');
  const o = parseOptions(gradientOptionsSchema, options, 'classGradient options');
  const batch = toInputBatch(x, config.classifier.inputShape, { domain: config.domain });
  const c = config.classifier.nbClasses;
  let targets: Targets;
  if (label === undefined) targets = { count: c, cls: (_i, l) => l, loss: false };
  else if (typeof label === 'number') {
    if (!Number.isInteger(label) || label < 0 || label >= c)
      throw new RsRangeError('RS_INVALID_ARG_VALUE', `'label' must be a class index in [0, ${c - 1}], got ${describeValue(label)}`);
    targets = { count: 1, cls: () => label, loss: false };
  } else {
    const labels = toLabels(label, batch.count, c, 'label');
    targets = { count: 1, cls: (i) => labels[i]!, loss: false };
  }
  const data = o.sampling ? await sampledGradients(config, batch, targets, o) : await cleanGradients(config, batch, targets, o.batchSize, guardOf(o));
  return { data, shape: [batch.count, targets.count, ...config.classifier.inputShape] };
}

/** Adds `g / div` (chain rule through preprocessing), times an optional 0/1 mask, to `out` at `outOffset`. */
function accumulate(
  out: Float32Array,
  outOffset: number,
  g: Float32Array,
  gOffset: number,
  dim: number,
  div: Float32Array | null,
  mask: Uint8Array | null,
  maskOffset: number,
): void {
  for (let f = 0; f < dim; f++) {
    let v = g[gOffset + f]!;
    if (div) v /= div[f]!;
    if (mask && mask[maskOffset + f] === 0) v = 0;
    out[outOffset + f]! += v;
  }
}

function guardOf(o: { signal?: AbortSignal | undefined; forwardTimeoutMs?: number | undefined }): CallGuard {
  return { signal: o.signal, timeoutMs: o.forwardTimeoutMs };
}

async function cleanGradients(config: SmoothingConfig, batch: InputBatch, targets: Targets, batchSize: number, guard: CallGuard): Promise<Float32Array> {
  const { dim } = config;
  const c = config.classifier.nbClasses;
  const L = targets.count;
  const out = new Float32Array(batch.count * L * dim);
  const div = config.preprocessing?.div ?? null;
  const probs = new Float64Array(c);
  await forEachCleanBatch(
    config,
    batch.data,
    batch.count,
    batchSize,
    async (x, rows, start, at) => {
      const logits = targets.loss ? await cleanLogits(config, x, rows, guard, at) : null;
      for (let l = 0; l < L; l++) {
        const upstream = new Float32Array(rows * c);
        for (let r = 0; r < rows; r++) {
          const t = targets.cls(start + r, l);
          if (logits) {
            softmaxRow(logits, r * c, c, probs);
            for (let k = 0; k < c; k++) upstream[r * c + k] = probs[k]! - (k === t ? 1 : 0);
          } else upstream[r * c + t] = 1;
        }
        const g = await checkedVjp(config, x, rows, upstream, guard, { index: at.index, inputIds: Array.from({ length: rows }, (_, i) => start + i) });
        for (let r = 0; r < rows; r++) accumulate(out, ((start + r) * L + l) * dim, g, r * dim, dim, div, null, 0);
      }
    },
    guard,
  );
  return out;
}

async function sampledGradients(
  config: SmoothingConfig,
  batch: InputBatch,
  targets: Targets,
  o: {
    batchSize: number;
    inputIds?: ArrayLike<number> | undefined;
    indexOffset: number;
    signal?: AbortSignal | undefined;
    forwardTimeoutMs?: number | undefined;
  },
): Promise<Float32Array> {
  const { dim } = config;
  const c = config.classifier.nbClasses;
  const m = config.options.sampleSize;
  const L = targets.count;
  const ids = inputIdsFor(batch.count, o);
  const ctx = samplingContext(config, callSeed(config));
  const jobs: SamplingJob[] = Array.from({ length: batch.count }, (_, i) => ({ row: i, id: ids[i]!, sampleStart: 0, count: m }));
  const guard = guardOf(o);
  // The timeout applies to each vjp call (pass 2) and forward call (pass 1), not to a whole pass-2 batch of L vjps.
  const run = { stream: NOISE_STREAM.gradient, batchSize: o.batchSize, phase: 'gradient' as const, signal: o.signal };

  // Pass 1: log-softmax of every noisy copy.
  const logS = new Float64Array(batch.count * m * c);
  const probs = new Float64Array(c);
  await runNoisyBatches(ctx, batch.data, jobs, { ...run, forwardTimeoutMs: o.forwardTimeoutMs }, (logits, _rows, segments) => {
    for (const s of segments) {
      for (let r = 0; r < s.count; r++) {
        const lse = softmaxRow(logits, (s.rowStart + r) * c, c, probs);
        const base = (s.job * m + s.offsetInJob + r) * c;
        for (let k = 0; k < c; k++) logS[base + k] = logits[(s.rowStart + r) * c + k]! - lse;
      }
    }
  });
  // log sum_j softmax_j[t] per (input, class), for the weights softmax_j[t] / sum_j' softmax_j'[t].
  const logSum = new Float64Array(batch.count * c);
  for (let i = 0; i < batch.count; i++) {
    for (let k = 0; k < c; k++) {
      let max = -Infinity;
      for (let j = 0; j < m; j++) max = Math.max(max, logS[(i * m + j) * c + k]!);
      let sum = 0;
      for (let j = 0; j < m; j++) sum += Math.exp(logS[(i * m + j) * c + k]! - max);
      logSum[i * c + k] = max + Math.log(sum);
    }
  }

  // Pass 2: the same noisy copies again (counter-based noise: regenerated, not stored), VJPs.
  const out = new Float32Array(batch.count * L * dim);
  const div = config.preprocessing?.div ?? null;
  const clip = ctx.clipNoisy;
  const preprocess = preprocessor(config);
  const sign = targets.loss ? -1 : 1;
  let vjpBatch = 0;
  await runNoisyBatches(
    ctx,
    batch.data,
    jobs,
    {
      ...run,
      evaluate: async (noisy, rows, segments) => {
        const at = { index: vjpBatch++, inputIds: [...new Set(segments.map((s) => jobs[s.job]!.id))] };
        let mask: Uint8Array | null = null;
        if (clip) {
          mask = new Uint8Array(rows * dim);
          for (let r = 0; r < rows; r++) {
            for (let f = 0; f < dim; f++) {
              const v = noisy[r * dim + f]!;
              mask[r * dim + f] = v > clip.min[f]! && v < clip.max[f]! ? 1 : 0;
            }
          }
        }
        preprocess?.(noisy, rows);
        for (let l = 0; l < L; l++) {
          const upstream = new Float32Array(rows * c);
          for (const s of segments) {
            const t = targets.cls(s.job, l);
            for (let r = 0; r < s.count; r++) {
              const base = (s.job * m + s.offsetInJob + r) * c;
              // d log(mean_j S_j[t]) / d z_j[k] = w_j (delta_kt - S_j[k]), w_j = S_j[t] / sum_j' S_j'[t]
              const w = sign * Math.exp(logS[base + t]! - logSum[s.job * c + t]!);
              const row = s.rowStart + r;
              for (let k = 0; k < c; k++) upstream[row * c + k] = w * ((k === t ? 1 : 0) - Math.exp(logS[base + k]!));
            }
          }
          const g = await checkedVjp(config, noisy, rows, upstream, guard, at);
          for (const s of segments) {
            for (let r = 0; r < s.count; r++) {
              const row = s.rowStart + r;
              accumulate(out, (s.job * L + l) * dim, g, row * dim, dim, div, mask, row * dim);
            }
          }
        }
        return new Float32Array(0);
      },
    },
    () => undefined,
  );
  if (out.some((v) => !Number.isFinite(v))) throw new ClassifierContractError('gradients.vjp produced NaN or infinite gradients');
  return out;
}
