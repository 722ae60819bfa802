import { RsRangeError } from '@rs/core';
import { cloneModel, saveModel, type Model } from '@rs/onnx-graph';

/**
 * The model with the initializers `names` turned into plain graph inputs, as ONNX bytes: a session
 * on it takes the weights as feeds, so it keeps working while training changes them (a session with
 * baked weights would have to be rebuilt after every step). The graph is otherwise unchanged.
 */
export function withWeightInputs(model: Model, names: readonly string[]): Uint8Array {
  const m = cloneModel(model);
  const g = m.graph;
  for (const name of names) {
    const t = g.initializers.get(name);
    if (!t) throw new RsRangeError('RS_INVALID_ARG_VALUE', `'${name}' is not an initializer of the model`);
    g.initializers.delete(name);
    if (!g.inputs.some((i) => i.name === name)) g.inputs.push({ name, dtype: t.dtype, shape: [...t.dims] });
  }
  return saveModel(m);
}
