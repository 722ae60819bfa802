import { describeValue, RsRangeError } from '../errors.js';
import { hostValues } from './tensor-like.js';

/** Validated inputs: `count` inputs of `dim` features in one `Float32Array`. */
export interface InputBatch {
  data: Float32Array;
  count: number;
  dim: number;
}

/**
 * Validates and flattens inputs to a {@link InputBatch}: the size must be a positive multiple of
 * `prod(inputShape)`, a tensor's shape must end with `inputShape`, every value must be finite, and
 * (when `domain` is given) inside `[min[f], max[f]]`. Errors name the argument, the input and the feature.
 *
 * @example
 * toInputBatch({ data: new Float32Array(2 * 784), shape: [2, 1, 28, 28] }, [1, 28, 28]); // { count: 2, dim: 784, ... }
 */
export function toInputBatch(
  x: unknown,
  inputShape: readonly number[],
  { name = 'x', domain }: { name?: string; domain?: { min: Float32Array; max: Float32Array } | null } = {},
): InputBatch {
  const dim = inputShape.reduce((a, b) => a * b, 1);
  const { data: source, shape } = hostValues(x, name);
  if (shape) {
    const tail = shape.length === inputShape.length ? shape : shape.slice(1);
    if (tail.length !== inputShape.length || tail.some((d, i) => d !== inputShape[i])) {
      throw new RsRangeError(
        'RS_INVALID_INPUT',
        `'${name}' has shape [${shape.join(', ')}]: it must be [batch, ${inputShape.join(', ')}] or [${inputShape.join(', ')}]`,
      );
    }
    const expected = shape.reduce((a, b) => a * b, 1);
    if (source.length !== expected) {
      throw new RsRangeError('RS_INVALID_INPUT', `'${name}' has ${source.length} values but its shape [${shape.join(', ')}] needs ${expected}`);
    }
  }
  let data: Float32Array;
  if (source instanceof Float32Array) data = source;
  else if (source instanceof BigInt64Array || source instanceof BigUint64Array) data = Float32Array.from(source, Number);
  else data = Float32Array.from(source as ArrayLike<number>);
  if (data.length === 0)
    throw new RsRangeError('RS_INVALID_INPUT', `'${name}' is empty: it must hold at least one input of ${dim} values (inputShape [${inputShape.join(', ')}])`);
  if (data.length % dim !== 0) {
    throw new RsRangeError(
      'RS_INVALID_INPUT',
      `'${name}' has ${data.length} values, not a multiple of prod(inputShape) = ${dim} (inputShape [${inputShape.join(', ')}])`,
    );
  }
  const count = data.length / dim;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!Number.isFinite(v)) {
      throw new RsRangeError('RS_INVALID_INPUT', `'${name}' contains ${v} at input ${Math.floor(i / dim)}, feature ${i % dim}: inputs must be finite`);
    }
  }
  if (domain) {
    const { min, max } = domain;
    for (let i = 0; i < data.length; i++) {
      const f = i % dim;
      const v = data[i]!;
      if (v < min[f]! || v > max[f]!) {
        throw new RsRangeError(
          'RS_INVALID_INPUT',
          `'${name}' value ${v} at input ${Math.floor(i / dim)}, feature ${f} is outside clipValues [${min[f]}, ${max[f]}]`,
        );
      }
    }
  }
  return { data, count, dim };
}

/**
 * Validates integer labels for `count` inputs: a class index per input (any integer array) or
 * one-hot / probability rows (`count * nbClasses` values, argmax taken).
 *
 * @example
 * toLabels([3, 1], 2, 10); // Int32Array [3, 1]
 */
export function toLabels(y: unknown, count: number, nbClasses: number, name = 'y'): Int32Array {
  const arr = hostValues(y, name).data as ArrayLike<number | bigint>;
  const labels = new Int32Array(count);
  if (arr.length === count) {
    for (let i = 0; i < count; i++) {
      const v = Number(arr[i]);
      if (!Number.isInteger(v) || v < 0 || v >= nbClasses)
        throw new RsRangeError('RS_INVALID_INPUT', `'${name}[${i}]' must be a class index in [0, ${nbClasses - 1}], got ${describeValue(arr[i])}`);
      labels[i] = v;
    }
    return labels;
  }
  if (arr.length === count * nbClasses) {
    for (let i = 0; i < count; i++) {
      let best = 0;
      for (let k = 0; k < nbClasses; k++) {
        const v = Number(arr[i * nbClasses + k]);
        if (!Number.isFinite(v)) throw new RsRangeError('RS_INVALID_INPUT', `'${name}' row ${i} contains ${v}`);
        if (v > Number(arr[i * nbClasses + best])) best = k;
      }
      labels[i] = best;
    }
    return labels;
  }
  throw new RsRangeError('RS_INVALID_INPUT', `'${name}' has ${arr.length} values: expected ${count} class indices or ${count} x ${nbClasses} one-hot values`);
}
