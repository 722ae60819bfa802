import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { hasFashionMnist, loadFashionMnist, parseIdx, readIdx } from '../src/index.js';

function idx(type: number, shape: number[], payload: number[], bytesPer: number, write: (v: DataView, o: number, x: number) => void): Uint8Array {
  const out = new Uint8Array(4 + 4 * shape.length + payload.length * bytesPer);
  const v = new DataView(out.buffer);
  out[2] = type;
  out[3] = shape.length;
  shape.forEach((d, i) => {
    v.setUint32(4 + 4 * i, d, false);
  });
  payload.forEach((x, i) => {
    write(v, 4 + 4 * shape.length + i * bytesPer, x);
  });
  return out;
}

describe('IDX parsing', () => {
  it('reads uint8, int32 and float32 arrays, gzipped or not', () => {
    const u8 = idx(0x08, [2, 3], [1, 2, 3, 4, 5, 255], 1, (v, o, x) => v.setUint8(o, x));
    expect(parseIdx(u8)).toEqual({ data: new Uint8Array([1, 2, 3, 4, 5, 255]), shape: [2, 3] });
    expect(parseIdx(gzipSync(u8))).toEqual(parseIdx(u8));
    const i32 = idx(0x0c, [2], [-7, 1 << 30], 4, (v, o, x) => v.setInt32(o, x, false));
    expect(Array.from(parseIdx(i32).data)).toEqual([-7, 1 << 30]);
    const f32 = idx(0x0d, [1, 1], [0.5], 4, (v, o, x) => v.setFloat32(o, x, false));
    expect(Array.from(parseIdx(f32).data)).toEqual([0.5]);
  });

  it('names the problem with bad bytes', () => {
    expect(() => parseIdx(new Uint8Array([1, 2, 3, 4]), 'f.idx')).toThrow(/f.idx: not an IDX file/);
    expect(() => parseIdx(new Uint8Array([0, 0, 0x42, 1, 0, 0, 0, 1, 0]), 'f.idx')).toThrow(/unknown IDX data type 0x42/);
    const u8 = idx(0x08, [4], [1, 2, 3, 4], 1, (v, o, x) => v.setUint8(o, x));
    expect(() => parseIdx(u8.subarray(0, 10), 'f.idx')).toThrow(/needs 12 bytes, the file has 10/);
    expect(() => parseIdx(new Uint8Array([0x1f, 0x8b, 1, 2, 3]), 'f.gz')).toThrow(/corrupt gzip/);
    for (const bad of [new Uint8Array([1, 2, 3, 4]), u8.subarray(0, 10), new Uint8Array([0x1f, 0x8b, 1, 2, 3]), new Uint8Array([0, 0, 0x0c, 200, 0])]) {
      expect(() => parseIdx(bad, 'f.idx')).toThrow(expect.objectContaining({ code: 'RS_MALFORMED_FILE' }));
    }
  });

  it('type bytes are looked up as numbers in a Map: nothing else is a type', () => {
    for (const t of [0, 1, 7, 10, 15, 255]) expect(() => parseIdx(new Uint8Array([0, 0, t, 1, 0, 0, 0, 1, 0]))).toThrow(/unknown IDX data type/);
  });

  it('a missing file is RS_FILE_NOT_FOUND, a directory RS_FILE_UNREADABLE', () => {
    expect(() => readIdx('/nonexistent/x.idx')).toThrow(expect.objectContaining({ code: 'RS_FILE_NOT_FOUND' }));
    expect(() => readIdx('/')).toThrow(expect.objectContaining({ code: 'RS_FILE_UNREADABLE' }));
  });
});

describe.skipIf(!hasFashionMnist())('Fashion-MNIST from Debian (needs dataset-fashion-mnist; skipped when absent)', () => {
  it('loads the test split with labels and [0, 1] pixels', () => {
    const test = loadFashionMnist({ split: 'test', limit: 20 });
    expect(test.count).toBe(20);
    expect(test.x.length).toBe(20 * 784);
    expect(Math.max(...test.x)).toBeLessThanOrEqual(1);
    // The first test labels of Fashion-MNIST (as in the fixture's y.npy): 9, 2, 1, 1, 6
    expect(Array.from(test.y.subarray(0, 5))).toEqual([9, 2, 1, 1, 6]);
    const train = loadFashionMnist({ split: 'train', offset: 59_990 });
    expect(train.count).toBe(10);
    expect(() => loadFashionMnist({ split: 'val' as never })).toThrow(/'split' must be 'train' or 'test'/);
  });
});

it('a missing data set is an error with the install command', () => {
  expect(() => loadFashionMnist({ dir: '/nonexistent' })).toThrow(/apt-get install dataset-fashion-mnist/);
  expect(() => loadFashionMnist({ dir: '/nonexistent' })).toThrow(expect.objectContaining({ code: 'RS_DATASET_MISSING' }));
});
