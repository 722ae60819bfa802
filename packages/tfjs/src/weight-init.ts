import * as tf from '@tensorflow/tfjs';
import { NOISE_STREAM, philoxUniformSource } from '@rs/core';

/** Keras' fan-in / fan-out of a kernel: Dense `[in, out]`, ConvND `[...kernel, in, out]`. */
function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length === 2) return { fanIn: shape[0]!, fanOut: shape[1]! };
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return { fanIn: shape[shape.length - 2]! * receptive, fanOut: shape[shape.length - 1]! * receptive };
}

/**
 * Re-initializes every weight of a `tf.LayersModel` reproducibly: kernels (rank >= 2) with Keras'
 * default Glorot-uniform, `U(-sqrt(6 / (fanIn + fanOut)), +...)`, drawn from Philox4x32 with `seed`
 * (counter `(block, weight index, 0, NOISE_STREAM.layersWeightInit)`); `gamma` and `moving_variance` to 1; every other weight
 * (biases, `beta`, `moving_mean`) to 0. The same seed gives the same weights on every backend.
 *
 * @example
 * resetLayersModel(model, 0n);
 */
export function resetLayersModel(model: tf.LayersModel, seed = 0n): void {
  const random = philoxUniformSource(seed, NOISE_STREAM.layersWeightInit);
  const weights = model.weights;
  const fresh = weights.map((w, index) => {
    const shape = w.shape as number[];
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    const name = w.name.toLowerCase();
    if (shape.length >= 2) {
      const { fanIn, fanOut } = fans(shape);
      const limit = Math.sqrt(6 / Math.max(1, fanIn + fanOut));
      const u = random.uniform(index, size);
      for (let i = 0; i < size; i++) values[i] = u[i]! * 2 * limit - limit;
    } else if (/gamma|moving_variance/.test(name)) values.fill(1);
    return tf.tensor(values, shape, w.dtype);
  });
  try {
    model.setWeights(fresh);
  } finally {
    tf.dispose(fresh);
  }
}
