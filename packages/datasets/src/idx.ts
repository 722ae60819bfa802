import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { messageOf, RsError } from '@rs/core';

/** An IDX array: flat data and its shape. */
export interface IdxArray {
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
  shape: number[];
}

interface IdxType {
  name: string;
  bytes: number;
  read: (v: DataView, o: number) => number;
  make: (n: number) => IdxArray['data'];
}

/** IDX type byte -> element type (a Map: only these six bytes are types). */
const TYPES: ReadonlyMap<number, IdxType> = new Map([
  [0x08, { name: 'uint8', bytes: 1, read: (v, o) => v.getUint8(o), make: (n) => new Uint8Array(n) }],
  [0x09, { name: 'int8', bytes: 1, read: (v, o) => v.getInt8(o), make: (n) => new Int8Array(n) }],
  [0x0b, { name: 'int16', bytes: 2, read: (v, o) => v.getInt16(o, false), make: (n) => new Int16Array(n) }],
  [0x0c, { name: 'int32', bytes: 4, read: (v, o) => v.getInt32(o, false), make: (n) => new Int32Array(n) }],
  [0x0d, { name: 'float32', bytes: 4, read: (v, o) => v.getFloat32(o, false), make: (n) => new Float32Array(n) }],
  [0x0e, { name: 'float64', bytes: 8, read: (v, o) => v.getFloat64(o, false), make: (n) => new Float64Array(n) }],
] satisfies [number, IdxType][]);

/** The most a gzipped IDX file may inflate to (1 GiB; Fashion-MNIST's largest is 47 MB): a gzip bomb is an error, not an out-of-memory. */
export const IDX_MAX_INFLATED_BYTES = 2 ** 30;

/**
 * Parses IDX bytes (the MNIST file format: magic 0x0000TTDD, big-endian dims, big-endian data),
 * gunzipping first when the bytes start with the gzip magic (at most {@link IDX_MAX_INFLATED_BYTES}).
 * Errors name `label` and the problem, with code `RS_MALFORMED_FILE`.
 *
 * @example
 * const { data, shape } = parseIdx(readFileSync('t10k-images-idx3-ubyte.gz')); // shape [10000, 28, 28]
 */
export function parseIdx(input: Uint8Array, label = '<bytes>'): IdxArray {
  let bytes = input;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes, { maxOutputLength: IDX_MAX_INFLATED_BYTES });
    } catch (err) {
      throw new RsError('RS_MALFORMED_FILE', `${label}: corrupt gzip data, or more than ${IDX_MAX_INFLATED_BYTES} bytes inflated (${messageOf(err)})`, {
        cause: err,
      });
    }
  }
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) throw new RsError('RS_MALFORMED_FILE', `${label}: not an IDX file (bad magic number)`);
  const type = TYPES.get(bytes[2]!);
  if (!type) throw new RsError('RS_MALFORMED_FILE', `${label}: unknown IDX data type 0x${bytes[2]!.toString(16)}`);
  const rank = bytes[3]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4 + 4 * rank) throw new RsError('RS_MALFORMED_FILE', `${label}: truncated IDX header`);
  const shape = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false));
  const count = shape.reduce((a, b) => a * b, 1);
  const offset = 4 + 4 * rank;
  if (bytes.length !== offset + count * type.bytes) {
    throw new RsError(
      'RS_MALFORMED_FILE',
      `${label}: IDX ${type.name} data of shape [${shape.join(', ')}] needs ${offset + count * type.bytes} bytes, the file has ${bytes.length}`,
    );
  }
  const data = type.make(count);
  if (type.bytes === 1) data.set(bytes.subarray(offset, offset + count));
  else for (let i = 0; i < count; i++) data[i] = type.read(view, offset + i * type.bytes);
  return { data, shape };
}

/**
 * Reads an IDX file (`.gz` or plain).
 *
 * @example
 * const labels = readIdx('/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz');
 */
export function readIdx(path: string): IdxArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new RsError(
      missing ? 'RS_FILE_NOT_FOUND' : 'RS_FILE_UNREADABLE',
      missing ? `IDX file not found: ${path}` : `cannot read ${path}: ${messageOf(err)}`,
      {
        cause: err,
      },
    );
  }
  return parseIdx(bytes, path);
}
