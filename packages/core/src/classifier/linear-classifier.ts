import { describeValue, RsRangeError, RsTypeError } from '../errors.js';
import { fromFunction } from './from-function.js';
import type { Classifier } from './classifier.js';

/**
 * A built-in linear classifier, logits = W x + b, with analytic gradients. With two classes and
 * `W = [0, w]`, `b = [0, c]` it is the binary classifier `f(x) = [w.x + c > 0]`, whose smoothed
 * version has a known exact certified radius `|w.x + c| / ||w||` (used by the demo and the tests).
 *
 * @param weights `nbClasses` rows of `d` weights (array of rows, or flat row-major with `nbClasses`).
 * @param bias `nbClasses` biases (default zeros).
 *
 * @example
 * const f = linearClassifier({ weights: [[0, 0], [1, -1]], bias: [0, 0.5] }); // class 1 iff x0 - x1 + 0.5 > 0
 */
export function linearClassifier(options: {
  weights: ArrayLike<number>[] | Float32Array | Float64Array;
  bias?: ArrayLike<number>;
  nbClasses?: number;
}): Classifier {
  const { weights } = options;
  let rows: Float64Array[];
  if (Array.isArray(weights)) {
    rows = weights.map((r) => Float64Array.from(r));
  } else if (weights instanceof Float32Array || weights instanceof Float64Array) {
    const c = options.nbClasses;
    if (!Number.isInteger(c) || (c as number) < 2 || weights.length % (c as number) !== 0) {
      throw new RsRangeError('RS_INVALID_ARG_VALUE', `'nbClasses' must be an integer >= 2 dividing weights.length ${weights.length}, got ${describeValue(c)}`);
    }
    const d = weights.length / (c as number);
    rows = Array.from({ length: c as number }, (_, k) => Float64Array.from(weights.subarray(k * d, (k + 1) * d)));
  } else {
    throw new RsTypeError('RS_INVALID_ARG_TYPE', `'weights' must be an array of rows or a Float32Array/Float64Array, got ${describeValue(weights)}`);
  }
  const nbClasses = rows.length;
  const d = rows[0]?.length ?? 0;
  if (nbClasses < 2) throw new RsRangeError('RS_INVALID_ARG_VALUE', `'weights' must have at least 2 rows (classes), got ${nbClasses}`);
  if (d < 1 || rows.some((r) => r.length !== d)) throw new RsRangeError('RS_INVALID_ARG_VALUE', `'weights' rows must all have the same length >= 1`);
  if (rows.some((r) => r.some((v) => !Number.isFinite(v)))) throw new RsRangeError('RS_INVALID_ARG_VALUE', `'weights' must be finite`);
  const bias = Float64Array.from(options.bias ?? new Float64Array(nbClasses));
  if (bias.length !== nbClasses || bias.some((v) => !Number.isFinite(v)))
    throw new RsRangeError('RS_INVALID_ARG_VALUE', `'bias' must hold ${nbClasses} finite numbers`);
  return fromFunction({
    inputShape: [d],
    nbClasses,
    predict: (x, batch) => {
      const out = new Float32Array(batch * nbClasses);
      for (let i = 0; i < batch; i++) {
        const o = i * d;
        for (let k = 0; k < nbClasses; k++) {
          const w = rows[k]!;
          let s = bias[k]!;
          for (let f = 0; f < d; f++) s += w[f]! * x[o + f]!;
          out[i * nbClasses + k] = s;
        }
      }
      return out;
    },
    vjp: (_x, batch, upstream) => {
      const out = new Float32Array(batch * d);
      for (let i = 0; i < batch; i++) {
        for (let k = 0; k < nbClasses; k++) {
          const u = upstream[i * nbClasses + k]!;
          if (u === 0) continue;
          const w = rows[k]!;
          for (let f = 0; f < d; f++) out[i * d + f]! += u * w[f]!;
        }
      }
      return out;
    },
  });
}
