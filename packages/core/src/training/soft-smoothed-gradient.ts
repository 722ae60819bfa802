import { requireCapability } from '../classifier/capabilities.js';
import { checkedVjp, cleanLogits } from '../smoothing/clean-batches.js';
import { softmaxRow } from '../smoothing/softmax.js';
import type { MethodBatch } from './method.js';
import { addNoise } from './noisy-copies.js';

/** The gradient of the soft smoothed classifier's loss at a batch of points, and what the attacks read besides. */
export interface SoftSmoothedGradient {
  /** `count * dim` values: row i is `d loss_i / d x_i` in raw input units. */
  gradient: Float64Array;
  /** The class each noisy copy's logits put first (`count * m`, input-major). */
  predictions: Int32Array;
}

const FLOOR = 1e-20;

/**
 * Gradient w.r.t. each point `x_i` (raw input space) of the attacks' loss on the soft smoothed
 * classifier, `loss_i = -log(max(mean_j softmax(f(x_i + e_ij))[y_i], 1e-20))` with the fixed noise
 * `e` of {@link scaledNoise} (`m` vectors per input; clipped when `clipNoisy`, with a zero gradient
 * where clipped), through `preprocessing`. Where the mean probability is below the floor the
 * gradient is zero, as with Salman et al.'s and Jeong et al.'s `clamp(min=1e-20)`. Uses the
 * classifier's `forward` and `gradients.vjp` (in chunks of `maxBatchSize` rows), in float64 on the host.
 *
 * @example
 * const { gradient, predictions } = await softSmoothedGradient(batch, xAdv, noise, 4);
 */
export async function softSmoothedGradient(batch: MethodBatch, x: Float64Array, noise: Float32Array, m: number): Promise<SoftSmoothedGradient> {
  const { config, count, labels } = batch;
  requireCapability(config.classifier, 'gradients', 'the attack of SmoothAdv / SmoothMix');
  const { dim } = config;
  const c = config.classifier.nbClasses;
  const rows = count * m;
  const mask = config.options.clipNoisy ? new Uint8Array(rows * dim) : undefined;
  const noisy = addNoise(config, x, count, noise, m, mask);
  const chunk = Math.min(rows, config.classifier.maxBatchSize ?? rows);
  const logits = new Float32Array(rows * c);
  for (let start = 0; start < rows; start += chunk) {
    const n = Math.min(chunk, rows - start);
    logits.set(await cleanLogits(config, noisy.subarray(start * dim, (start + n) * dim), n), start * c);
  }
  const upstream = new Float32Array(rows * c);
  const predictions = new Int32Array(rows);
  const soft = new Float64Array(m * c);
  for (let i = 0; i < count; i++) {
    const y = labels[i]!;
    let mean = 0;
    for (let j = 0; j < m; j++) {
      const r = i * m + j;
      softmaxRow(logits, r * c, c, soft, j * c);
      mean += soft[j * c + y]! / m;
      let best = 0;
      for (let k = 1; k < c; k++) if (logits[r * c + k]! > logits[r * c + best]!) best = k;
      predictions[r] = best;
    }
    if (!(mean >= FLOOR)) continue;
    // d(-log mean) / d z_jl = -(1 / (m mean)) s_j[y] (delta_yl - s_j[l])
    for (let j = 0; j < m; j++) {
      const w = -soft[j * c + y]! / (m * mean);
      for (let l = 0; l < c; l++) upstream[(i * m + j) * c + l] = w * ((l === y ? 1 : 0) - soft[j * c + l]!);
    }
  }
  const gradient = new Float64Array(count * dim);
  const div = config.preprocessing?.div ?? null;
  for (let start = 0; start < rows; start += chunk) {
    const n = Math.min(chunk, rows - start);
    const g = await checkedVjp(config, noisy.subarray(start * dim, (start + n) * dim), n, upstream.subarray(start * c, (start + n) * c));
    for (let r = 0; r < n; r++) {
      const row = start + r;
      const i = Math.floor(row / m);
      for (let f = 0; f < dim; f++) {
        if (mask && mask[row * dim + f] === 0) continue;
        const v = g[r * dim + f]!;
        gradient[i * dim + f]! += div ? v / div[f]! : v;
      }
    }
  }
  return { gradient, predictions };
}
