import { describeValue, RsRangeError } from '../errors.js';

/**
 * Expands a scalar, per-channel or per-feature value to one value per feature, the way ART
 * broadcasts `clip_values` and `preprocessing`: a number applies to every feature; an array of
 * `prod(inputShape)` values is per feature; an array with the channel count is per channel
 * (axis 0 of `inputShape` when `channelsFirst`, the last axis otherwise).
 *
 * @example
 * expandPerFeature([0.5, 0.4, 0.3], [3, 2, 2], true, 'preprocessing[0]'); // 12 values, 0.5 x4, 0.4 x4, 0.3 x4
 */
export function expandPerFeature(value: number | ArrayLike<number>, inputShape: readonly number[], channelsFirst: boolean, name: string): Float32Array {
  const dim = inputShape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(dim);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RsRangeError('RS_INVALID_ARG_VALUE', `'${name}' must be finite, got ${value}`);
    return out.fill(value);
  }
  for (let i = 0; i < value.length; i++) {
    if (!Number.isFinite(value[i])) throw new RsRangeError('RS_INVALID_ARG_VALUE', `'${name}[${i}]' must be finite, got ${value[i]}`);
  }
  if (value.length === dim) {
    out.set(value);
    return out;
  }
  const channels = channelsFirst ? inputShape[0]! : inputShape[inputShape.length - 1]!;
  if (value.length === channels && inputShape.length > 1) {
    if (channelsFirst) {
      const inner = dim / channels;
      for (let c = 0; c < channels; c++) out.fill(value[c]!, c * inner, (c + 1) * inner);
    } else {
      for (let f = 0; f < dim; f++) out[f] = value[f % channels]!;
    }
    return out;
  }
  throw new RsRangeError(
    'RS_INVALID_ARG_VALUE',
    `'${name}' has ${describeValue(value.length)} values: expected a number, ${channels} per-channel values (${channelsFirst ? 'channelsFirst' : 'channels last'}) or ${dim} per-feature values`,
  );
}
