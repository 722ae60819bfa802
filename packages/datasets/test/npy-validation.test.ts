import { describe, expect, it } from 'vitest';
import { type NpyArray, readNpy, writeNpy } from '../src/index.js';

/** A .npy v1.0 file with a header written by hand (numpy's layout: magic, version, u16 length, header, data). */
function npy(header: string, data: Uint8Array = new Uint8Array(0), version: [number, number] = [1, 0]): Uint8Array {
  const head = new TextEncoder().encode(header);
  const lenBytes = version[0] === 1 ? 2 : 4;
  const out = new Uint8Array(8 + lenBytes + head.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version[0], version[1]]);
  const v = new DataView(out.buffer);
  if (lenBytes === 2) v.setUint16(8, head.length, true);
  else v.setUint32(8, head.length, true);
  out.set(head, 8 + lenBytes);
  out.set(data, 8 + lenBytes + head.length);
  return out;
}

const thrown = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('did not throw');
};

describe('.npy parsing', () => {
  it('round-trips every dtype it writes', () => {
    const cases: NpyArray[] = [
      { dtype: 'float32', shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6.5]) },
      { dtype: 'float64', shape: [2], data: new Float64Array([0.1, -2]) },
      { dtype: 'int64', shape: [3], data: new BigInt64Array([1n, -2n, 2n ** 40n]) },
      { dtype: 'int32', shape: [1, 1], data: new Int32Array([-7]) },
      { dtype: 'uint8', shape: [4], data: new Uint8Array([0, 1, 254, 255]) },
      { dtype: 'float32', shape: [0, 5], data: new Float32Array(0) },
    ];
    for (const c of cases) expect(readNpy(writeNpy(c))).toEqual(c);
  });

  it('reads numpy headers: any key order, version 2 and 3, a 0-d array', () => {
    const data = new Uint8Array(new Float32Array([1.5, 2.5]).buffer);
    expect(readNpy(npy("{'shape': (2,), 'fortran_order': False, 'descr': '<f4'}\n", data)).data).toEqual(new Float32Array([1.5, 2.5]));
    expect(readNpy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n", data, [2, 0])).shape).toEqual([2]);
    expect(readNpy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n", data, [3, 0])).shape).toEqual([2]);
    expect(readNpy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (), }\n", data.subarray(0, 4))).shape).toEqual([]);
  });

  it('data is copied out: a view into a larger buffer (a pooled Node Buffer) reads only its own bytes', () => {
    const file = writeNpy({ dtype: 'float32', shape: [2], data: new Float32Array([3, 4]) });
    const pool = new Uint8Array(file.length + 13);
    pool.set(file, 13);
    expect(readNpy(pool.subarray(13)).data).toEqual(new Float32Array([3, 4]));
    // A Node Buffer from the shared pool, whose slice() is a view, not a copy (as readFileSync returns for small files).
    const pooled = Buffer.allocUnsafe(file.length);
    pooled.set(file);
    expect(pooled.buffer.byteLength).toBeGreaterThan(file.length);
    expect(readNpy(pooled).data).toEqual(new Float32Array([3, 4]));
  });

  it('row 12: a descr that names a property of Object.prototype is an unsupported dtype, not uint8', () => {
    for (const descr of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
      const e = thrown(() => readNpy(npy(`{'descr': '${descr}', 'fortran_order': False, 'shape': (1,), }\n`, new Uint8Array(8)), 'x.npy'));
      expect(e.code).toBe('RS_UNSUPPORTED_FORMAT');
      expect(e.message).toMatch(new RegExp(`x\\.npy: unsupported \\.npy dtype '${descr}'`));
    }
  });

  it.each([
    ['not .npy', new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), 'RS_MALFORMED_FILE', /not a \.npy file/],
    ['a header longer than the file', npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }\n").subarray(0, 30), 'RS_MALFORMED_FILE', /header/],
    ['unknown version', npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }\n", new Uint8Array(4), [9, 0]), 'RS_UNSUPPORTED_FORMAT', /version 9\.0/],
    ['a header that is not a dict', npy('hello\n', new Uint8Array(4)), 'RS_MALFORMED_FILE', /header/],
    ['a missing key', npy("{'descr': '<f4', 'shape': (1,), }\n", new Uint8Array(4)), 'RS_MALFORMED_FILE', /fortran_order/],
    ['an unknown key', npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}\n", new Uint8Array(4)), 'RS_MALFORMED_FILE', /header/],
    ['a negative dimension', npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }\n", new Uint8Array(4)), 'RS_MALFORMED_FILE', /shape/],
    ['a non-integer dimension', npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1.5,), }\n", new Uint8Array(4)), 'RS_MALFORMED_FILE', /shape/],
    ['a hex dimension', npy("{'descr': '<f4', 'fortran_order': False, 'shape': (0x10,), }\n", new Uint8Array(64)), 'RS_MALFORMED_FILE', /shape/],
    ['an absurd size', npy("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999, 99999999999), }\n"), 'RS_MALFORMED_FILE', /needs/],
    [
      'truncated data',
      npy("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }\n", new Uint8Array(8)),
      'RS_MALFORMED_FILE',
      /needs 12 bytes after the header, the file has 8/,
    ],
    [
      'extra data',
      npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }\n", new Uint8Array(8)),
      'RS_MALFORMED_FILE',
      /needs 4 bytes after the header, the file has 8/,
    ],
    ['Fortran order', npy("{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }\n", new Uint8Array(4)), 'RS_UNSUPPORTED_FORMAT', /Fortran/],
    [
      'a byte order that is no byte order',
      npy("{'descr': '!f4', 'fortran_order': False, 'shape': (1,), }\n", new Uint8Array(4)),
      'RS_UNSUPPORTED_FORMAT',
      /'!f4'/,
    ],
  ])('%s', (_name, bytes, code, message) => {
    const e = thrown(() => readNpy(bytes as Uint8Array, 'f.npy'));
    expect(e.code).toBe(code);
    expect(e.message).toMatch(/^f\.npy: /);
    expect(e.message).toMatch(message as RegExp);
  });
});
