/**
 * Conversion between ONNX `TensorProto` messages and IR tensors, plus small tensor helpers.
 */
import { allocate, bytesPerElement, dtypeFromCode, dtypeToCode, type DType, type TensorData } from './dtype.js';
import { InvalidModelError, OnnxGraphError } from './errors.js';
import { numel, type Tensor } from './ir.js';
import { DataLocation, type TensorInit, type TensorProto, toInt64, toNumber } from './proto.js';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Decodes a `TensorProto` into an IR tensor (raw_data or the typed repeated fields).
 */
export function tensorFromProto(p: TensorProto): Tensor {
  const name = p.name;
  const code = p.dataType;
  const dtype = dtypeFromCode(code);
  if (!dtype || dtype === 'string') {
    throw new InvalidModelError(`tensor '${name}' has unsupported data type ${code}`);
  }
  if (p.dataLocation === DataLocation.EXTERNAL || p.externalData.length > 0) {
    throw new InvalidModelError(`tensor '${name}' uses external data, which is not supported (embed the weights in the .onnx file)`);
  }
  const dims = p.dims.map(toNumber);
  const n = numel(dims);
  const data = allocate(dtype, n);
  const raw = p.rawData;
  if (raw.length > 0) {
    const bpe = bytesPerElement(dtype);
    if (raw.length !== n * bpe) {
      throw new InvalidModelError(`tensor '${name}': raw_data has ${raw.length} bytes, expected ${n * bpe}`);
    }
    if (!LITTLE_ENDIAN) throw new InvalidModelError('big-endian hosts are not supported');
    new Uint8Array(data.buffer, data.byteOffset, data.byteLength).set(raw);
    return { name, dtype, dims, data };
  }
  let src: readonly (number | bigint)[];
  switch (dtype) {
    case 'float32':
      src = p.floatData;
      break;
    case 'float64':
      src = p.doubleData;
      break;
    case 'int64':
      src = p.int64Data;
      break;
    case 'uint64':
    case 'uint32':
      src = p.uint64Data;
      break;
    default:
      src = p.int32Data;
  }
  if (src.length !== n) {
    throw new InvalidModelError(`tensor '${name}' has ${src.length} values, expected ${n} for shape [${dims.join(',')}]`);
  }
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    for (let i = 0; i < n; i++) data[i] = BigInt(src[i]!);
  } else {
    for (let i = 0; i < n; i++) (data as Exclude<TensorData, BigInt64Array | BigUint64Array>)[i] = toNumber(src[i]!);
  }
  return { name, dtype, dims, data };
}

/**
 * Encodes an IR tensor as a `TensorProto` (always as little-endian raw_data).
 */
export function tensorToProto(t: Tensor): TensorInit {
  const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  return {
    name: t.name,
    dataType: dtypeToCode(t.dtype),
    dims: t.dims.map(toInt64),
    rawData: bytes.slice(),
  };
}

/**
 * Builds a tensor from a typed array (dtype inferred from the array type; pass `dtype`
 * for bool/float16).
 *
 * @example
 * ```ts
 * const w = makeTensor('w', new Float32Array([1, 2, 3, 4]), [2, 2]);
 * ```
 */
export function makeTensor(name: string, data: TensorData, dims: number[], dtype?: DType): Tensor {
  const dt = dtype ?? dtypeOfArray(data);
  if (numel(dims) !== data.length) {
    throw new OnnxGraphError(`tensor '${name}': ${data.length} values do not fit shape [${dims.join(',')}]`);
  }
  return { name, dtype: dt, dims: [...dims], data };
}

/**
 * Dtype of a typed array (Uint8Array -> 'uint8', Uint16Array -> 'uint16').
 */
export function dtypeOfArray(data: TensorData): DType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof BigUint64Array) return 'uint64';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Uint32Array) return 'uint32';
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Uint16Array) return 'uint16';
  if (data instanceof Int8Array) return 'int8';
  return 'uint8';
}

/**
 * Reads tensor values as JS numbers (int64 converted with `Number`).
 */
export function tensorValues(t: Tensor): number[] {
  return Array.from(t.data as ArrayLike<number | bigint>, (v) => Number(v));
}
