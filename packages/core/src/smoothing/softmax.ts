/**
 * Numerically stable softmax of one row of logits, in float64, written to `out` (length nbClasses);
 * returns the row's log-sum-exp.
 */
export function softmaxRow(logits: Float32Array, offset: number, nbClasses: number, out: Float64Array, outOffset = 0): number {
  let max = -Infinity;
  for (let k = 0; k < nbClasses; k++) max = Math.max(max, logits[offset + k]!);
  let sum = 0;
  for (let k = 0; k < nbClasses; k++) {
    const e = Math.exp(logits[offset + k]! - max);
    out[outOffset + k] = e;
    sum += e;
  }
  for (let k = 0; k < nbClasses; k++) out[outOffset + k]! /= sum;
  return max + Math.log(sum);
}

/**
 * Cross-entropy of one row of logits against class `label`: `logsumexp(z) - z[label]`, in float64.
 */
export function crossEntropyRow(logits: Float32Array, offset: number, nbClasses: number, label: number): number {
  let max = -Infinity;
  for (let k = 0; k < nbClasses; k++) max = Math.max(max, logits[offset + k]!);
  let sum = 0;
  for (let k = 0; k < nbClasses; k++) sum += Math.exp(logits[offset + k]! - max);
  return max + Math.log(sum) - logits[offset + label]!;
}
