import { RsError } from '@rs/core';

/**
 * A decoded `.npy` array (C order, little-endian).
 *
 * @example
 * const a: NpyArray = { dtype: 'float32', shape: [2], data: new Float32Array([1, 2]) };
 */
export interface NpyArray {
  dtype: NpyDtype;
  shape: number[];
  data: Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array;
}

/** The dtypes this reader supports. */
export type NpyDtype = 'float32' | 'float64' | 'int64' | 'int32' | 'uint8' | 'bool';

/** numpy `descr` -> dtype and item size. A Map, so a descr such as `__proto__` is simply not in it. */
const DESCR: ReadonlyMap<string, { dtype: NpyDtype; bytes: number }> = new Map([
  ['<f4', { dtype: 'float32', bytes: 4 }],
  ['<f8', { dtype: 'float64', bytes: 8 }],
  ['<i8', { dtype: 'int64', bytes: 8 }],
  ['<i4', { dtype: 'int32', bytes: 4 }],
  ['|u1', { dtype: 'uint8', bytes: 1 }],
  ['|b1', { dtype: 'bool', bytes: 1 }],
]);

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
/** At most 2^32 elements: every consumer indexes them with 32-bit offsets. */
const MAX_ELEMENTS = 2 ** 32;

function malformed(label: string, what: string): RsError {
  return new RsError('RS_MALFORMED_FILE', `${label}: ${what}`);
}

/**
 * Parses `.npy` bytes (format versions 1.0, 2.0, 3.0) into a typed array of its own (the bytes may
 * be a view into a larger buffer). The header is parsed as the Python dict literal numpy writes
 * (`descr`, `fortran_order`, `shape`, nothing else); the data must be exactly `prod(shape)` items.
 * Errors name `label` and carry `RS_MALFORMED_FILE` (not a .npy, truncated, a bad header) or
 * `RS_UNSUPPORTED_FORMAT` (a dtype, byte order or Fortran order it does not read).
 *
 * @example
 * const x = parseNpy(readFileSync('x.npy'), 'x.npy'); // { dtype: 'float32', shape: [20, 1, 28, 28], data: Float32Array }
 */
export function parseNpy(bytes: Uint8Array, label = '<bytes>'): NpyArray {
  if (bytes.length < 10 || MAGIC.some((m, i) => bytes[i] !== m)) throw malformed(label, 'not a .npy file (bad magic)');
  const major = bytes[6]!;
  const minor = bytes[7]!;
  if (![1, 2, 3].includes(major) || minor !== 0) throw new RsError('RS_UNSUPPORTED_FORMAT', `${label}: .npy format version ${major}.${minor} is not supported`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerStart = major === 1 ? 10 : 12;
  if (bytes.length < headerStart) throw malformed(label, 'truncated .npy header');
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (headerStart + headerLen > bytes.length)
    throw malformed(label, `the .npy header says ${headerLen} bytes, the file has ${bytes.length - headerStart} after the preamble`);
  let header: string;
  try {
    header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1', { fatal: true }).decode(bytes.subarray(headerStart, headerStart + headerLen));
  } catch {
    throw malformed(label, 'the .npy header is not valid text');
  }
  const { descr, fortranOrder, shape } = parseHeader(header, label);
  const type = DESCR.get(descr);
  if (!type) throw new RsError('RS_UNSUPPORTED_FORMAT', `${label}: unsupported .npy dtype '${descr}' (supported: ${[...DESCR.keys()].join(', ')})`);
  if (fortranOrder) throw new RsError('RS_UNSUPPORTED_FORMAT', `${label}: Fortran-ordered .npy arrays are not supported (save with np.ascontiguousarray)`);
  const count = shape.reduce((a, b) => a * b, 1);
  const start = headerStart + headerLen;
  const have = bytes.length - start;
  if (count > MAX_ELEMENTS || count * type.bytes !== have) {
    throw malformed(label, `shape (${shape.join(', ')}) of ${type.dtype} needs ${count * type.bytes} bytes of data, the file has ${have}`);
  }
  // Copy into a buffer of its own: aligned, and never the rest of a pooled Buffer (Buffer#slice is a view).
  const copy = new Uint8Array(count * type.bytes);
  copy.set(bytes.subarray(start, start + count * type.bytes));
  const body = copy.buffer;
  switch (type.dtype) {
    case 'float32':
      return { dtype: type.dtype, shape, data: new Float32Array(body) };
    case 'float64':
      return { dtype: type.dtype, shape, data: new Float64Array(body) };
    case 'int64':
      return { dtype: type.dtype, shape, data: new BigInt64Array(body) };
    case 'int32':
      return { dtype: type.dtype, shape, data: new Int32Array(body) };
    default:
      return { dtype: type.dtype, shape, data: new Uint8Array(body) };
  }
}

/** The header dict: `{'descr': '<f4', 'fortran_order': False, 'shape': (20, 784), }`, keys in any order. */
function parseHeader(header: string, label: string): { descr: string; fortranOrder: boolean; shape: number[] } {
  const bad = (why: string) => malformed(label, `bad .npy header (${why}): ${JSON.stringify(header.length > 120 ? `${header.slice(0, 120)}...` : header)}`);
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
  const descr = values.get('descr');
  const fortran = values.get('fortran_order');
  const shapeText = values.get('shape');
  if (descr === undefined || !descr.startsWith("'")) throw bad("no 'descr' string");
  if (fortran !== 'True' && fortran !== 'False') throw bad("no 'fortran_order' True/False");
  if (shapeText === undefined || !shapeText.startsWith('(')) throw bad("no 'shape' tuple");
  const dims = shapeText
    .slice(1, -1)
    .split(',')
    .map((s) => s.trim());
  if (dims.at(-1) === '') dims.pop();
  if (dims.some((d) => !/^\d{1,15}$/.test(d))) throw bad("'shape' must be a tuple of non-negative decimal integers");
  return { descr: descr.slice(1, -1), fortranOrder: fortran === 'True', shape: dims.map(Number) };
}

/**
 * Encodes an array as `.npy` (version 1.0) bytes.
 *
 * @example
 * writeFileSync('y.npy', writeNpy({ dtype: 'int32', shape: [2], data: new Int32Array([3, 1]) }));
 */
export function writeNpy(arr: NpyArray): Uint8Array {
  const descr = [...DESCR].find(([, t]) => t.dtype === arr.dtype)?.[0];
  if (!descr) throw new RsError('RS_UNSUPPORTED_FORMAT', `writeNpy: unsupported dtype ${JSON.stringify(arr.dtype)}`);
  const shape = arr.shape.length === 1 ? `(${arr.shape[0]},)` : `(${arr.shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  const total = 10 + header.length + 1;
  header += `${' '.repeat((64 - (total % 64)) % 64)}\n`;
  const head = new TextEncoder().encode(header);
  const body = new Uint8Array(arr.data.buffer, arr.data.byteOffset, arr.data.byteLength);
  const out = new Uint8Array(10 + head.length + body.length);
  out.set([...MAGIC, 1, 0]);
  new DataView(out.buffer).setUint16(8, head.length, true);
  out.set(head, 10);
  out.set(body, 10 + head.length);
  return out;
}
