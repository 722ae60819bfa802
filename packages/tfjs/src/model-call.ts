import { RsError } from '@rs/core';
import * as tf from '@tensorflow/tfjs';
import type { LoadedTfjsModel } from './load-model.js';

/**
 * The model as a function of one batched input tensor: `LayersModel.apply` (no internal batching,
 * so it runs under `tf.grad`) or `GraphModel.execute`. Returns the first output.
 *
 * @example
 * const logits = tf.tidy(() => callModel(loaded, x, false));
 */
export function callModel(loaded: LoadedTfjsModel, x: tf.Tensor, training: boolean): tf.Tensor {
  const out = loaded.kind === 'layers' ? loaded.model.apply(x, { training }) : loaded.model.execute(x);
  const first = Array.isArray(out) ? out[0] : out;
  if (!(first instanceof tf.Tensor) && !(first && typeof (first as unknown as tf.Tensor).dataSync === 'function')) {
    throw new RsError('RS_UNSUPPORTED_MODEL', 'the model returned a symbolic tensor: build it with an input shape');
  }
  return first as unknown as tf.Tensor;
}

/**
 * The model's declared input shape without the batch dimension (`null` / `-1` for unknown dims),
 * or undefined when the model does not say.
 *
 * @example
 * declaredInputShape(loaded); // [28, 28, 1]
 */
export function declaredInputShape(loaded: LoadedTfjsModel): Array<number | null> | undefined {
  const inputs = loaded.model.inputs as Array<{ shape?: Array<number | null> }>;
  if (inputs.length !== 1) throw new RsError('RS_UNSUPPORTED_MODEL', `the model has ${inputs.length} inputs: only single-input models are supported`);
  const shape = inputs[0]!.shape;
  return shape && shape.length >= 1 ? shape.slice(1).map((d) => (d === null || d === undefined || d < 0 ? null : d)) : undefined;
}

/**
 * The model's declared output shape without the batch dimension, or undefined.
 *
 * @example
 * declaredOutputShape(loaded); // [10]
 */
export function declaredOutputShape(loaded: LoadedTfjsModel): Array<number | null> | undefined {
  const outputs = loaded.model.outputs as Array<{ shape?: Array<number | null> }>;
  if (outputs.length !== 1)
    throw new RsError('RS_UNSUPPORTED_MODEL', `the model has ${outputs.length} outputs: only single-output models (the logits) are supported`);
  const shape = outputs[0]!.shape;
  return shape && shape.length >= 1 ? shape.slice(1).map((d) => (d === null || d === undefined || d < 0 ? null : d)) : undefined;
}
