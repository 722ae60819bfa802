import { readFileSync } from 'node:fs';
import { RsError, RsRangeError, RsTypeError } from '@rs/core';

/**
 * NumPy `.npy` files (format versions 1.0, 2.0 and 3.0; C order; numeric and bool dtypes, either
 * byte order). The data is always copied into a fresh, aligned typed array, so any byte source
 * works: a Node Buffer (pooled or not), a Uint8Array at an offset inside a larger buffer, or an
 * ArrayBuffer.
 */

/** The element types this reader and writer handle, by NumPy name. */
export type NpyDtype = 'float32' | 'float64' | 'int8' | 'int16' | 'int32' | 'int64' | 'uint8' | 'uint16' | 'uint32' | 'uint64' | 'bool';

/** The typed array that holds each {@link NpyDtype} (bool: 0 / 1 bytes). */
export type NpyData =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigUint64Array;

/**
 * A decoded `.npy` array: flat data in C (row-major) order and its shape.
 *
 * @example
 * const a: NpyArray = { dtype: 'float32', shape: [2], data: new Float32Array([1, 2]) };
 */
export interface NpyArray {
  dtype: NpyDtype;
  shape: number[];
  data: NpyData;
}

interface DtypeInfo {
  code: string;
  size: number;
  type: abstract new (...args: never[]) => NpyData;
  make: (buffer: ArrayBuffer, length: number) => NpyData;
}

const DTYPES: Record<NpyDtype, DtypeInfo> = {
  float32: { code: 'f4', size: 4, type: Float32Array, make: (b, n) => new Float32Array(b, 0, n) },
  float64: { code: 'f8', size: 8, type: Float64Array, make: (b, n) => new Float64Array(b, 0, n) },
  int8: { code: 'i1', size: 1, type: Int8Array, make: (b, n) => new Int8Array(b, 0, n) },
  int16: { code: 'i2', size: 2, type: Int16Array, make: (b, n) => new Int16Array(b, 0, n) },
  int32: { code: 'i4', size: 4, type: Int32Array, make: (b, n) => new Int32Array(b, 0, n) },
  int64: { code: 'i8', size: 8, type: BigInt64Array, make: (b, n) => new BigInt64Array(b, 0, n) },
  uint8: { code: 'u1', size: 1, type: Uint8Array, make: (b, n) => new Uint8Array(b, 0, n) },
  uint16: { code: 'u2', size: 2, type: Uint16Array, make: (b, n) => new Uint16Array(b, 0, n) },
  uint32: { code: 'u4', size: 4, type: Uint32Array, make: (b, n) => new Uint32Array(b, 0, n) },
  uint64: { code: 'u8', size: 8, type: BigUint64Array, make: (b, n) => new BigUint64Array(b, 0, n) },
  bool: { code: 'b1', size: 1, type: Uint8Array, make: (b, n) => new Uint8Array(b, 0, n) },
};
const BY_CODE = new Map(Object.entries(DTYPES).map(([name, info]) => [info.code, name as NpyDtype]));
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
/** At most 2^32 elements: every consumer indexes them with 32-bit offsets. */
const MAX_ELEMENTS = 2 ** 32;

function malformed(label: string, what: string): RsError {
  return new RsError('RS_MALFORMED_FILE', `${label}: ${what}`);
}
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Parses `.npy` bytes. Accepts a Uint8Array (a Node Buffer from `readFileSync` included, whatever
 * its offset in its memory pool) or an ArrayBuffer; returns a copy of the data in a typed array of
 * its own. The header is parsed as the Python dict literal NumPy writes (`descr`, `fortran_order`,
 * `shape`, nothing else); the data must be exactly `prod(shape)` items. Errors name `label` and carry
 * `RS_MALFORMED_FILE` (not a .npy, truncated, a bad header) or `RS_UNSUPPORTED_FORMAT` (a dtype,
 * version or Fortran order it does not read).
 *
 * @example
 * const x = readNpy(readFileSync('x.npy')); // { dtype: 'float32', shape: [20, 1, 28, 28], data: Float32Array(15680) }
 */
export function readNpy(source: Uint8Array | ArrayBuffer, label = '.npy data'): NpyArray {
  const bytes = source instanceof Uint8Array ? source : ArrayBuffer.isView(source) ? null : new Uint8Array(source);
  if (!bytes) throw new RsTypeError('RS_INVALID_ARG_TYPE', `${label}: readNpy needs a Uint8Array (e.g. a Buffer) or an ArrayBuffer`);
  if (bytes.length < 10 || MAGIC.some((m, i) => bytes[i] !== m)) throw malformed(label, 'not a .npy file (bad magic string)');
  const major = bytes[6]!;
  const minor = bytes[7]!;
  if (major < 1 || major > 3 || minor !== 0) throw new RsError('RS_UNSUPPORTED_FORMAT', `${label}: .npy format version ${major}.${minor} is not supported`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerStart = major === 1 ? 10 : 12;
  if (bytes.length < headerStart) throw malformed(label, 'truncated .npy header');
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (bytes.length < headerStart + headerLength)
    throw malformed(label, `truncated .npy header (needs ${headerStart + headerLength} bytes, has ${bytes.length})`);
  let header: string;
  try {
    header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1', { fatal: true }).decode(bytes.subarray(headerStart, headerStart + headerLength));
  } catch {
    throw malformed(label, 'the .npy header is not valid text');
  }
  const { dtype, swap, shape } = parseHeader(header, label);
  const info = DTYPES[dtype];
  const count = shape.reduce((a, b) => a * b, 1);
  const start = headerStart + headerLength;
  const need = count * info.size;
  if (count > MAX_ELEMENTS || bytes.length - start !== need) {
    throw malformed(label, `${dtype} data of shape [${shape.join(', ')}] needs ${need} bytes after the header, the file has ${bytes.length - start}`);
  }
  // A fresh buffer of exactly the data (a Buffer's own slice() would share the file's memory).
  const body = new Uint8Array(need);
  body.set(bytes.subarray(start, start + need));
  if (swap) swapBytes(body, info.size);
  return { dtype, shape, data: info.make(body.buffer as ArrayBuffer, count) };
}

/**
 * Reads a `.npy` file from disk.
 *
 * @example
 * const { data, shape } = readNpyFile('y.npy'); // BigInt64Array of labels, shape [20]
 */
export function readNpyFile(path: string): NpyArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new RsError('RS_FILE_NOT_FOUND', `.npy file not found: ${path}`, { cause: err });
    throw new RsError('RS_FILE_UNREADABLE', `cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  return readNpy(bytes, path);
}

/**
 * Encodes an array as `.npy` bytes (version 1.0, or 2.0 when the header needs it; little-endian,
 * C order, header padded so the data starts at a multiple of 64 bytes, as NumPy writes it).
 * `data` must hold exactly the product of `shape` elements of the dtype's typed array.
 *
 * @example
 * writeFileSync('g.npy', writeNpy({ dtype: 'float32', shape: [2], data: new Float32Array([1, 2]) }));
 */
export function writeNpy(array: NpyArray): Uint8Array {
  const info = DTYPES[array.dtype];
  if (!Object.hasOwn(DTYPES, array.dtype))
    throw new RsError('RS_UNSUPPORTED_FORMAT', `writeNpy: unsupported dtype ${JSON.stringify(array.dtype)}; one of ${Object.keys(DTYPES).join(', ')}`);
  if (!Array.isArray(array.shape) || array.shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw new RsRangeError('RS_INVALID_ARG_VALUE', `writeNpy: 'shape' must be an array of non-negative integers, got ${JSON.stringify(array.shape)}`);
  }
  const count = array.shape.reduce((a, b) => a * b, 1);
  if (!(array.data instanceof info.type) || array.data.length !== count) {
    throw new RsRangeError(
      'RS_INVALID_ARG_VALUE',
      `writeNpy: ${array.dtype} of shape [${array.shape.join(', ')}] needs a ${info.type.name} of ${count} elements, got ${array.data?.constructor?.name} of ${array.data?.length}`,
    );
  }
  const shape = array.shape.length === 1 ? `(${array.shape[0]},)` : `(${array.shape.join(', ')})`;
  const dict = `{'descr': '${info.size === 1 ? '|' : '<'}${info.code}', 'fortran_order': False, 'shape': ${shape}, }`;
  const major = dict.length + 11 > 0xffff ? 2 : 1;
  const prefix = major === 1 ? 10 : 12;
  const padded = `${dict}${' '.repeat((64 - ((prefix + dict.length + 1) % 64)) % 64)}\n`;
  const head = new TextEncoder().encode(padded);
  const out = new Uint8Array(prefix + head.length + array.data.byteLength);
  out.set(MAGIC);
  out[6] = major;
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, head.length, true);
  else view.setUint32(8, head.length, true);
  out.set(head, prefix);
  const body = out.subarray(prefix + head.length);
  body.set(new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength));
  if (!HOST_LITTLE_ENDIAN) swapBytes(body, info.size);
  return out;
}

/** The header dict: `{'descr': '<f4', 'fortran_order': False, 'shape': (20, 784), }`, keys in any order, nothing else. */
function parseHeader(header: string, label: string): { dtype: NpyDtype; swap: boolean; shape: number[] } {
  const bad = (why: string) =>
    malformed(label, `bad .npy header (${why}): ${JSON.stringify(header.length > 120 ? `${header.slice(0, 120)}...` : header.trim())}`);
  const body = /^\s*\{(.*)\}\s*$/s.exec(header)?.[1];
  if (body === undefined) throw bad('not a dict');
  const entry = /\s*'([a-z_]+)'\s*:\s*('[^']*'|True|False|\([^)]*\))\s*(,|$)/y;
  const values = new Map<string, string>();
  let at = 0;
  while (at < body.length && body.slice(at).trim() !== '') {
    entry.lastIndex = at;
    const m = entry.exec(body);
    if (!m) throw bad('not a dict of descr, fortran_order and shape');
    if (values.has(m[1]!)) throw bad(`'${m[1]}' twice`);
    values.set(m[1]!, m[2]!);
    at = entry.lastIndex;
  }
  for (const key of values.keys()) if (!['descr', 'fortran_order', 'shape'].includes(key)) throw bad(`unknown key '${key}'`);
  const descrText = values.get('descr');
  const fortran = values.get('fortran_order');
  const shapeText = values.get('shape');
  if (descrText === undefined || !descrText.startsWith("'")) throw bad("no 'descr' string");
  if (fortran !== 'True' && fortran !== 'False') throw bad("no 'fortran_order' True/False");
  if (shapeText === undefined || !shapeText.startsWith('(')) throw bad("no 'shape' tuple");
  if (fortran === 'True')
    throw new RsError('RS_UNSUPPORTED_FORMAT', `${label}: Fortran-ordered .npy arrays are not supported (save with np.ascontiguousarray)`);
  const descr = descrText.slice(1, -1);
  const order = descr[0] ?? '';
  // A Map lookup: a descr such as '<__proto__' is simply not a dtype.
  const dtype = BY_CODE.get(descr.slice(1));
  if (!'<>|='.includes(order) || order === '' || dtype === undefined) {
    throw new RsError('RS_UNSUPPORTED_FORMAT', `${label}: unsupported .npy dtype '${descr}' (supported: ${Object.keys(DTYPES).join(', ')}, either byte order)`);
  }
  const fileLittle = order === '<' || (order === '=' && HOST_LITTLE_ENDIAN);
  const swap = DTYPES[dtype].size > 1 && order !== '|' && fileLittle !== HOST_LITTLE_ENDIAN;
  const dims = shapeText
    .slice(1, -1)
    .split(',')
    .map((d) => d.trim());
  if (dims.at(-1) === '') dims.pop();
  if (dims.some((d) => !/^\d{1,15}$/.test(d))) throw bad("'shape' must be a tuple of non-negative decimal integers");
  return { dtype, swap, shape: dims.map(Number) };
}

function swapBytes(bytes: Uint8Array, size: number): void {
  for (let i = 0; i < bytes.length; i += size) {
    for (let a = i, b = i + size - 1; a < b; a++, b--) {
      const t = bytes[a]!;
      bytes[a] = bytes[b]!;
      bytes[b] = t;
    }
  }
}
