/**
 * ONNX tensor element types and the typed arrays that hold them.
 */

import { OnnxGraphError } from './errors.js';

/**
 * ONNX `TensorProto.DataType` codes.
 */
export const DataType = {
  UNDEFINED: 0,
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
} as const;

/**
 * Element type names used by the IR (matching onnxruntime's tensor type strings).
 * @example
 * ```ts
 * const dt: DType = 'float32';
 * ```
 */
export type DType = 'float32' | 'float64' | 'float16' | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64' | 'bool' | 'string';

/**
 * Typed arrays that hold tensor data in the IR.
 * @example
 * ```ts
 * const data: TensorData = new Float32Array(4);
 * ```
 */
export type TensorData =
  | Float32Array
  | Float64Array
  | Uint16Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

const CODE_TO_DTYPE: Record<number, DType> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
};

/**
 * ONNX data type code -> IR dtype name (undefined for unsupported codes such as bfloat16).
 *
 * @example
 * ```ts
 * dtypeFromCode(7); // 'int64'
 * ```
 */
export function dtypeFromCode(code: number): DType | undefined {
  return CODE_TO_DTYPE[code];
}

/**
 * IR dtype name -> ONNX data type code.
 *
 * @example
 * ```ts
 * dtypeToCode('float32'); // 1
 * ```
 */
export function dtypeToCode(dtype: DType): number {
  for (const [k, v] of Object.entries(CODE_TO_DTYPE)) if (v === dtype) return Number(k);
  throw new OnnxGraphError(`unknown dtype ${dtype}`);
}

/**
 * Bytes per element of a dtype (strings: 0).
 */
export function bytesPerElement(dtype: DType): number {
  switch (dtype) {
    case 'float64':
    case 'int64':
    case 'uint64':
      return 8;
    case 'float32':
    case 'int32':
    case 'uint32':
      return 4;
    case 'float16':
    case 'int16':
    case 'uint16':
      return 2;
    case 'int8':
    case 'uint8':
    case 'bool':
      return 1;
    case 'string':
      return 0;
  }
}

/**
 * Allocates a zero-filled typed array for `n` elements of `dtype`.
 */
export function allocate(dtype: DType, n: number): TensorData {
  switch (dtype) {
    case 'float32':
      return new Float32Array(n);
    case 'float64':
      return new Float64Array(n);
    case 'float16':
    case 'uint16':
      return new Uint16Array(n);
    case 'int8':
      return new Int8Array(n);
    case 'uint8':
    case 'bool':
      return new Uint8Array(n);
    case 'int16':
      return new Int16Array(n);
    case 'int32':
      return new Int32Array(n);
    case 'uint32':
      return new Uint32Array(n);
    case 'int64':
      return new BigInt64Array(n);
    case 'uint64':
      return new BigUint64Array(n);
    case 'string':
      throw new OnnxGraphError('string tensors are not supported', 'RS_UNSUPPORTED_MODEL');
  }
}

/**
 * True for the floating dtypes gradients flow through.
 *
 * @example
 * ```ts
 * isFloat('float32'); // true
 * ```
 */
export function isFloat(dtype: DType | undefined): boolean {
  return dtype === 'float32' || dtype === 'float64' || dtype === 'float16';
}
