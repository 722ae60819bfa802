import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type NpyArray, readNpy, readNpyFile, writeNpy } from '../src/index.js';

// Files written by NumPy (test/npy/make-fixtures.py) and what NumPy reads back from them.
const DIR = new URL('./npy/', import.meta.url);
const expected = JSON.parse(readFileSync(new URL('expected.json', DIR), 'utf8')) as {
  files: Record<string, { dtype: string; shape: number[]; values: (string | number)[] }>;
};
const names = Object.keys(expected.files);
const path = (name: string) => new URL(`${name}.npy`, DIR);

function values(a: NpyArray): (string | number)[] {
  if (a.data instanceof BigInt64Array || a.data instanceof BigUint64Array) return Array.from(a.data, String);
  return Array.from(a.data as ArrayLike<number>);
}
function expectedValues(name: string): (string | number)[] {
  const e = expected.files[name]!;
  return e.dtype.startsWith('float') ? e.values.map(Number) : e.values;
}

/** The same bytes at a chosen offset inside a larger buffer. */
function atOffset(bytes: Uint8Array, offset: number): Uint8Array {
  const big = new Uint8Array(bytes.length + offset + 5).fill(0xee);
  big.set(bytes, offset);
  return big.subarray(offset, offset + bytes.length);
}

describe('readNpy on files NumPy wrote', () => {
  it.each(names)('%s: dtype, shape and every value (-0 and subnormals included) as NumPy reads them', (name) => {
    const a = readNpy(readFileSync(path(name)));
    expect(a.dtype).toBe(expected.files[name]!.dtype);
    expect(a.shape).toEqual(expected.files[name]!.shape);
    expect(values(a)).toEqual(expectedValues(name));
  });

  it('reads a Node Buffer from readFileSync, a pooled Buffer, a Uint8Array at odd offsets and an ArrayBuffer alike', () => {
    const fromFile = readFileSync(path('f4-2x3'));
    const pooled = Buffer.from(fromFile); // small Buffers share Node's 8 KiB pool: byteOffset is usually > 0
    const plain = new Uint8Array(fromFile);
    const want = expectedValues('f4-2x3');
    const sources: [string, Uint8Array | ArrayBuffer][] = [
      ['readFileSync Buffer', fromFile],
      ['pooled Buffer', pooled],
      ['Buffer at an offset', Buffer.from(atOffset(plain, 7).buffer).subarray(7, 7 + plain.length)],
      ['Uint8Array at offset 3', atOffset(plain, 3)],
      ['Uint8Array at offset 1', atOffset(plain, 1)],
      ['ArrayBuffer', plain.slice().buffer],
    ];
    for (const [what, source] of sources) {
      const a = readNpy(source);
      expect(a.data, what).toBeInstanceOf(Float32Array);
      expect(values(a), what).toEqual(want);
      expect(a.data.byteOffset, what).toBe(0);
      expect(a.data.buffer.byteLength, what).toBe(6 * 4); // its own copy, never the file's memory
    }
    // int64 labels from a Buffer whose data does not start 8-aligned in its pool
    const labels = readNpy(Buffer.from(atOffset(new Uint8Array(readFileSync(path('i8'))), 5)));
    expect(values(labels)).toEqual(expectedValues('i8'));
  });

  it('readNpyFile reads from disk and names a missing file', () => {
    expect(values(readNpyFile(join(DIR.pathname, 'i2.npy')))).toEqual(expectedValues('i2'));
    expect(() => readNpyFile('/nonexistent/x.npy')).toThrow(/\.npy file not found: \/nonexistent\/x\.npy/);
  });

  it('names the problem with bad bytes', () => {
    const good = new Uint8Array(readFileSync(path('f4-2x3')));
    expect(() => readNpy(new Uint8Array([1, 2, 3]), 'a.npy')).toThrow(/a\.npy: not a \.npy file/);
    expect(() => readNpy(good.subarray(0, good.length - 1), 'a.npy')).toThrow(
      /a\.npy: float32 data of shape \[2, 3\] needs 24 bytes after the header, the file has 23/,
    );
    expect(() => readNpy(good.subarray(0, 40), 'a.npy')).toThrow(/truncated \.npy header/);
    expect(() => readNpy(readFileSync(path('fortran-order')), 'f.npy')).toThrow(/Fortran-ordered/);
    const complex = new Uint8Array(good);
    complex.set(new TextEncoder().encode("'<c8'"), good.indexOf(0x27, 12 + 8)); // '<f4' -> '<c8'
    expect(() => readNpy(complex, 'c.npy')).toThrow(/unsupported \.npy dtype '<c8'/);
    expect(() => readNpy(new Float32Array(4) as unknown as Uint8Array)).toThrow(TypeError);
  });
});

describe('writeNpy', () => {
  const littleEndianV1 = names.filter((n) => !n.includes('big-endian') && !n.includes('-v'));

  it.each(littleEndianV1)('%s: byte-identical to the file NumPy wrote for the same array', (name) => {
    const numpyBytes = new Uint8Array(readFileSync(path(name)));
    const a = readNpy(numpyBytes);
    expect(writeNpy(a)).toEqual(numpyBytes);
  });

  it('round-trips big-endian and version 2/3 files as little-endian version 1, and data at an offset', () => {
    for (const name of ['f8-big-endian', 'u2-big-endian', 'i4-v2', 'f4-v3']) {
      const a = readNpy(readFileSync(path(name)));
      const b = readNpy(writeNpy(a));
      expect(b.dtype).toBe(a.dtype);
      expect(b.shape).toEqual(a.shape);
      expect(values(b)).toEqual(expectedValues(name));
    }
    const backing = new Float64Array([9, 1.25, -2.5, 9]);
    const back = readNpy(writeNpy({ dtype: 'float64', shape: [2], data: backing.subarray(1, 3) }));
    expect(Array.from(back.data as Float64Array)).toEqual([1.25, -2.5]);
  });

  it('writes and reads back through a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'npy-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const y = BigInt64Array.from([3n, -1n, 9n]);
    writeFileSync(join(dir, 'y.npy'), writeNpy({ dtype: 'int64', shape: [3], data: y }));
    expect(readNpyFile(join(dir, 'y.npy'))).toEqual({ dtype: 'int64', shape: [3], data: y });
  });

  it('refuses data that does not match dtype and shape', () => {
    expect(() => writeNpy({ dtype: 'float32', shape: [3], data: new Float32Array(2) })).toThrow(
      /float32 of shape \[3\] needs a Float32Array of 3 elements, got Float32Array of 2/,
    );
    expect(() => writeNpy({ dtype: 'int64', shape: [2], data: new Float64Array(2) })).toThrow(
      /int64 of shape \[2\] needs a BigInt64Array of 2 elements, got Float64Array of 2/,
    );
    expect(() => writeNpy({ dtype: 'float32', shape: [-1], data: new Float32Array(0) })).toThrow(/'shape' must be an array of non-negative integers/);
    expect(() => writeNpy({ dtype: 'complex64' as never, shape: [1], data: new Float32Array(2) })).toThrow(/unsupported dtype "complex64"/);
  });
});
