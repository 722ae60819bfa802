/**
 * Minimal NumPy `.npy` reader/writer (little-endian numeric dtypes, C order).
 */

/**
 * A decoded `.npy` array.
 * @example
 * ```ts
 * const a: NpyArray = { dtype: 'float32', shape: [2], data: new Float32Array([1, 2]) };
 * ```
 */
export interface NpyArray {
  dtype: 'float32' | 'float64' | 'int64' | 'int32' | 'uint8' | 'bool';
  shape: number[];
  data: Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array;
}

const DESCR: Record<string, NpyArray['dtype']> = {
  '<f4': 'float32',
  '<f8': 'float64',
  '<i8': 'int64',
  '<i4': 'int32',
  '|u1': 'uint8',
  '|b1': 'bool',
};

/**
 * Parses `.npy` bytes (format versions 1-3).
 *
 * @example
 * ```ts
 * const x = readNpy(readFileSync('x.npy')); // { dtype: 'float32', shape: [20, 1, 28, 28], data: Float32Array }
 * ```
 */
export function readNpy(bytes: Uint8Array): NpyArray {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (bytes.length < 10 || magic.some((m, i) => bytes[i] !== m)) throw new Error('not a .npy file');
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = major === 1 ? 10 : 12;
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, headerStart + headerLen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1] === 'True';
  const shapeStr = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || shapeStr === undefined) throw new Error(`bad .npy header: ${header}`);
  if (fortran) throw new Error('Fortran-ordered .npy arrays are not supported');
  const dtype = DESCR[descr];
  if (!dtype) throw new Error(`unsupported .npy dtype ${descr}`);
  const shape = shapeStr
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number);
  const n = shape.reduce((a, b) => a * b, 1);
  const start = headerStart + headerLen;
  const body = bytes.slice(start).buffer;
  switch (dtype) {
    case 'float32':
      return { dtype, shape, data: new Float32Array(body, 0, n) };
    case 'float64':
      return { dtype, shape, data: new Float64Array(body, 0, n) };
    case 'int64':
      return { dtype, shape, data: new BigInt64Array(body, 0, n) };
    case 'int32':
      return { dtype, shape, data: new Int32Array(body, 0, n) };
    default:
      return { dtype, shape, data: new Uint8Array(body, 0, n) };
  }
}

/**
 * Encodes an array as `.npy` (version 1.0) bytes.
 *
 * @example
 * ```ts
 * writeFileSync('g.npy', writeNpy({ dtype: 'float32', shape: [2], data: new Float32Array([1, 2]) }));
 * ```
 */
export function writeNpy(arr: NpyArray): Uint8Array {
  const descr = Object.entries(DESCR).find(([, v]) => v === arr.dtype)![0];
  const shape = arr.shape.length === 1 ? `(${arr.shape[0]},)` : `(${arr.shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  const total = 10 + header.length + 1;
  header += `${' '.repeat((64 - (total % 64)) % 64)}\n`;
  const head = new TextEncoder().encode(header);
  const body = new Uint8Array(arr.data.buffer, arr.data.byteOffset, arr.data.byteLength);
  const out = new Uint8Array(10 + head.length + body.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, head.length, true);
  out.set(head, 10);
  out.set(body, 10 + head.length);
  return out;
}
