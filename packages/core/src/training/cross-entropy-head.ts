import type { LossHead } from '../classifier/classifier.js';
import { softmaxRow } from '../smoothing/softmax.js';

/**
 * The mean softmax cross-entropy of every row against its label: Gaussian augmentation's loss
 * (and SmoothAdv's, on the noisy adversarial rows). Loss `(1/N) sum_r CE(z_r, y_r)`, gradient
 * `(softmax(z_r) - onehot(y_r)) / N`, in float64; term `classification`.
 *
 * @example
 * const head = crossEntropyHead(Int32Array.of(3, 1), 10);
 * const { loss, gradient } = head.evaluate(logits, 2);
 */
export function crossEntropyHead(labels: Int32Array, nbClasses: number): LossHead {
  return {
    name: 'cross-entropy',
    crossEntropyLabels: labels,
    evaluate(logits, rows) {
      const c = nbClasses;
      const gradient = new Float32Array(rows * c);
      const p = new Float64Array(c);
      let sum = 0;
      for (let r = 0; r < rows; r++) {
        const lse = softmaxRow(logits, r * c, c, p);
        const y = labels[r]!;
        sum += lse - logits[r * c + y]!;
        for (let k = 0; k < c; k++) gradient[r * c + k] = (p[k]! - (k === y ? 1 : 0)) / rows;
      }
      const loss = sum / rows;
      return { loss, gradient, terms: { classification: loss } };
    },
  };
}

/**
 * Softmax of `beta * z` for one row of logits, in float64, into `out` (length nbClasses).
 */
export function softmaxScaled(logits: Float32Array, offset: number, nbClasses: number, beta: number, out: Float64Array): void {
  let max = -Infinity;
  for (let k = 0; k < nbClasses; k++) max = Math.max(max, beta * logits[offset + k]!);
  let sum = 0;
  for (let k = 0; k < nbClasses; k++) {
    const e = Math.exp(beta * logits[offset + k]! - max);
    out[k] = e;
    sum += e;
  }
  for (let k = 0; k < nbClasses; k++) out[k]! /= sum;
}

/**
 * Per-example label rows for `m` input-major copies: `labels[i]` repeated m times.
 */
export function repeatLabels(labels: Int32Array, m: number): Int32Array {
  const out = new Int32Array(labels.length * m);
  for (let i = 0; i < labels.length; i++) out.fill(labels[i]!, i * m, (i + 1) * m);
  return out;
}
