import * as tf from '@tensorflow/tfjs';

/**
 * Lets the smoothing methods take `tf.Tensor` inputs and labels: a tensor becomes `@rs/core`'s
 * tensor-like `{ data, shape }` (read synchronously, as float32 for inputs); anything else passes
 * through unchanged for core to validate.
 *
 * @example
 * hostInput(tf.zeros([2, 28, 28, 1])); // { data: Float32Array(1568), shape: [2, 28, 28, 1] }
 */
export function hostInput(value: unknown, dtype: 'float32' | 'int32' = 'float32'): unknown {
  if (!(value instanceof tf.Tensor)) return value;
  if (value.isDisposed) throw new TypeError('the tf.Tensor passed in was already disposed');
  const data = value.dtype === dtype ? value.dataSync() : tf.tidy(() => value.cast(dtype).dataSync());
  return { data, shape: value.shape };
}
