/**
 * Reading and replacing initializers (weights).
 */
import { OnnxGraphError } from './errors.js';
import { cloneModel, type Model } from './ir.js';
import { loadModel } from './load.js';
import { saveModel } from './save.js';

/**
 * Float initializers of a model as Float32Array (float64 weights are converted), by name.
 *
 * @example
 * ```ts
 * const w = getInitializers(model).get('0.weight'); // Float32Array(144)
 * ```
 */
export function getInitializers(modelOrBytes: Model | Uint8Array): Map<string, { dims: number[]; data: Float32Array }> {
  const m = modelOrBytes instanceof Uint8Array ? loadModel(modelOrBytes) : modelOrBytes;
  const out = new Map<string, { dims: number[]; data: Float32Array }>();
  for (const [k, t] of m.graph.initializers) {
    if (t.dtype === 'float32') out.set(k, { dims: [...t.dims], data: t.data as Float32Array });
    else if (t.dtype === 'float64') out.set(k, { dims: [...t.dims], data: Float32Array.from(t.data as Float64Array) });
  }
  return out;
}

/**
 * Returns ONNX bytes of the model with the given initializers replaced (e.g. trained weights),
 * a valid .onnx file that onnxruntime loads. Sizes must match; float64 initializers are
 * converted from the given float32 values. Throws for unknown names.
 *
 * @example
 * ```ts
 * const trained = replaceInitializers(model, new Map([['0.weight', newW], ['0.bias', newB]]));
 * writeFileSync('trained.onnx', trained);
 * ```
 */
export function replaceInitializers(modelOrBytes: Model | Uint8Array, values: Map<string, Float32Array>): Uint8Array {
  const src = modelOrBytes instanceof Uint8Array ? loadModel(modelOrBytes) : modelOrBytes;
  const m = cloneModel(src);
  for (const [name, data] of values) {
    const t = m.graph.initializers.get(name);
    if (!t) throw new OnnxGraphError(`'${name}' is not an initializer of the model`);
    if (t.data.length !== data.length) {
      throw new OnnxGraphError(`initializer '${name}' has ${t.data.length} values ([${t.dims.join(',')}]), got ${data.length}`);
    }
    if (t.dtype === 'float32') t.data = Float32Array.from(data);
    else if (t.dtype === 'float64') t.data = Float64Array.from(data);
    else throw new OnnxGraphError(`initializer '${name}' is ${t.dtype}, not float`);
  }
  return saveModel(m);
}
