import { describeValue, RsRangeError, RsTypeError } from '../errors.js';

/** Numbers in a typed array or a plain array (bigint arrays come from int64 tensors). */
export type NumericArray = ArrayLike<number> | BigInt64Array | BigUint64Array;

/** A minimal tensor: flat row-major data and its shape. */
export interface TensorLike {
  readonly data: NumericArray;
  readonly shape: readonly number[];
}

/** An onnxruntime `Tensor` (or anything shaped like one): `data` and `dims`. */
export interface OrtTensorLike {
  readonly data: NumericArray | readonly string[];
  readonly dims: readonly number[];
  readonly type: string;
}

/** A TensorFlow.js `tf.Tensor` (or anything shaped like one): read with `dataSync()`. */
export interface TfTensorLike {
  dataSync(): NumericArray | Uint8Array | readonly string[];
  readonly shape: readonly number[];
  readonly dtype: string;
  readonly isDisposed?: boolean;
}

/** Numbers nested in arrays, one level per dimension (`number[][]` for `[batch, features]`, ...). */
export type NestedNumbers = readonly number[] | readonly NestedNumbers[];

/**
 * Inputs accepted by every batched method:
 * - a flat array (`Float32Array`, `Float64Array`, any typed or plain number array) holding K inputs
 *   back to back (K = length / prod(inputShape));
 * - nested number arrays of shape `[K, ...inputShape]` (or `inputShape` for one input);
 * - a tensor: `{ data, shape }`, an onnxruntime `Tensor` (`data`, `dims`), or a TensorFlow.js
 *   `tf.Tensor` (read with `dataSync`), of shape `[K, ...inputShape]` or `inputShape`.
 *
 * @example
 * const x: InputLike = { data: new Float32Array(2 * 784), shape: [2, 1, 28, 28] };
 */
export type InputLike = NumericArray | NestedNumbers | TensorLike | OrtTensorLike | TfTensorLike;

/**
 * Labels: one class index per input, or one-hot / probability rows (argmax taken), as a flat array,
 * nested rows, or a tensor of either.
 *
 * @example
 * const y: LabelsLike = new Int32Array([3, 1]);
 */
export type LabelsLike = NumericArray | NestedNumbers | TensorLike | OrtTensorLike | TfTensorLike;

/** Flat values and, when the input says it, the shape. */
export interface HostValues {
  data: NumericArray;
  shape: readonly number[] | null;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null;
}

function checkShape(shape: unknown, name: string): readonly number[] {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new RsTypeError('RS_INVALID_ARG_TYPE', `'${name}' must be an array of non-negative integers, got ${describeValue(shape)}`);
  }
  return shape;
}

function checkNumeric(data: unknown, name: string): NumericArray {
  if (Array.isArray(data)) {
    if (data.some((v) => typeof v === 'string')) throw new RsTypeError('RS_INVALID_ARG_TYPE', `'${name}' holds strings: expected numbers`);
    return data as NumericArray;
  }
  if (ArrayBuffer.isView(data) && !(data instanceof DataView)) return data as unknown as NumericArray;
  throw new RsTypeError('RS_INVALID_ARG_TYPE', `'${name}' must be a typed array or a number array, got ${describeValue(data)}`);
}

/** Flattens nested arrays of equal-length rows; returns null when `x` is not nested. */
function flattenNested(x: readonly unknown[], name: string): HostValues | null {
  if (x.length === 0 || !Array.isArray(x[0])) return null;
  const shape: number[] = [];
  let level: unknown = x;
  while (Array.isArray(level)) {
    shape.push(level.length);
    level = level[0];
  }
  const out: number[] = [];
  const walk = (node: unknown, depth: number, path: string): void => {
    if (depth === shape.length) {
      if (typeof node !== 'number') throw new RsTypeError('RS_INVALID_ARG_TYPE', `'${name}${path}' must be a number, got ${describeValue(node)}`);
      out.push(node);
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[depth]) {
      throw new RsRangeError(
        'RS_INVALID_INPUT',
        `'${name}' is a ragged nested array: '${name}${path}' has ${Array.isArray(node) ? `length ${node.length}` : describeValue(node)}, expected an array of length ${shape[depth]}`,
      );
    }
    for (let i = 0; i < node.length; i++) walk(node[i], depth + 1, `${path}[${i}]`);
  };
  walk(x, 0, '');
  return { data: out, shape };
}

/**
 * Reads any {@link InputLike} / {@link LabelsLike} into flat host values and its shape (null for a
 * flat array). A disposed `tf.Tensor` or a string tensor is a `TypeError`.
 *
 * @example
 * hostValues({ data: new Float32Array(4), dims: [2, 2], type: 'float32' }, 'x'); // { data, shape: [2, 2] }
 */
export function hostValues(x: unknown, name: string): HostValues {
  if (Array.isArray(x)) return flattenNested(x, name) ?? { data: checkNumeric(x, name), shape: null };
  if (ArrayBuffer.isView(x) && !(x instanceof DataView)) return { data: x as unknown as NumericArray, shape: null };
  if (isObject(x)) {
    if (typeof x.dataSync === 'function' && 'shape' in x) {
      if (x.isDisposed === true) throw new RsTypeError('RS_INVALID_INPUT', `the tensor passed as '${name}' was already disposed`);
      if (x.dtype === 'string') throw new RsTypeError('RS_INVALID_ARG_TYPE', `'${name}' is a string tensor: expected numbers`);
      const shape = checkShape(x.shape, `${name}.shape`);
      return { data: checkNumeric((x.dataSync as () => unknown)(), `${name}.dataSync()`), shape };
    }
    if ('data' in x && 'dims' in x) {
      if (x.type === 'string') throw new RsTypeError('RS_INVALID_ARG_TYPE', `'${name}' is a string tensor: expected numbers`);
      return { data: checkNumeric(x.data, `${name}.data`), shape: checkShape(x.dims, `${name}.dims`) };
    }
    if ('data' in x && 'shape' in x) {
      const shape = checkShape(x.shape, `${name}.shape`);
      return { data: checkNumeric(x.data, `${name}.data`), shape };
    }
  }
  throw new RsTypeError(
    'RS_INVALID_ARG_TYPE',
    `'${name}' must be a Float32Array, a number array, nested number arrays or a tensor ({ data, shape }, ort.Tensor, tf.Tensor), got ${describeValue(x)}`,
  );
}
