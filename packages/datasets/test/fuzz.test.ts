import { gzipSync } from 'node:zlib';
import { isRsError } from '@rs/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIdx, readNpy, writeNpy } from '../src/index.js';

// Fuzzing the data readers (issue #10): mutated .npy and IDX bytes must end in an array or an error
// of the project's own with a stable code, never another exception. Seeded, fixed case counts.

const SEED = 10_2026;
const CASES = 3000;

/** A byte-level mutation of `base`: flips, overwrites, truncation, insertion, a header edit. */
const mutated = (base: Uint8Array) =>
  fc
    .tuple(
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
      fc.option(fc.nat(), { nil: undefined }),
      fc.option(fc.tuple(fc.nat(), fc.uint8Array({ maxLength: 16 })), { nil: undefined }),
      fc.boolean(),
    )
    .map(([writes, cut, insert, headerOnly]) => {
      let b = Uint8Array.from(base);
      // Half the edits land in the first 128 bytes: the header, where the structure is.
      for (const [at, v] of writes) b[headerOnly ? at % Math.min(128, b.length) : at % b.length] = v;
      if (insert) {
        const at = insert[0] % (b.length + 1);
        b = Uint8Array.from([...b.subarray(0, at), ...insert[1], ...b.subarray(at)]);
      }
      if (cut !== undefined) b = b.subarray(0, cut % (b.length + 1));
      return b;
    });

/** Runs `parse`; true when it returned, or threw a project error with a code (anything else fails the case). */
function endsWell(parse: () => unknown): boolean {
  try {
    parse();
    return true;
  } catch (err) {
    if (isRsError(err)) return true;
    throw new Error(`not a project error: ${(err as Error)?.constructor?.name}: ${(err as Error)?.message}`, { cause: err });
  }
}

function idx(type: number, shape: number[], bytesPer: number): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  const out = new Uint8Array(4 + 4 * shape.length + count * bytesPer);
  const v = new DataView(out.buffer);
  out[2] = type;
  out[3] = shape.length;
  shape.forEach((d, i) => {
    v.setUint32(4 + 4 * i, d, false);
  });
  for (let i = 4 + 4 * shape.length; i < out.length; i++) out[i] = (i * 37) & 0xff;
  return out;
}

function report(target: string, cases: number, started: number): void {
  console.log(`fuzz ${target}: ${cases} cases, seed ${SEED}, ${Math.round(performance.now() - started)} ms`);
}

describe('fuzz: data readers', () => {
  it(`.npy: ${CASES} mutated files`, () => {
    const started = performance.now();
    const bases = [
      writeNpy({ dtype: 'float32', shape: [3, 4], data: new Float32Array(12).fill(0.5) }),
      writeNpy({ dtype: 'int64', shape: [5], data: new BigInt64Array([1n, 2n, 3n, 4n, 2n ** 40n]) }),
      writeNpy({ dtype: 'uint8', shape: [2, 2, 2], data: new Uint8Array(8).fill(7) }),
    ];
    fc.assert(
      fc.property(fc.constantFrom(...bases).chain(mutated), (bytes) => endsWell(() => readNpy(bytes, 'fuzz.npy'))),
      { seed: SEED, numRuns: CASES },
    );
    report('.npy (readNpy)', CASES, started);
  });

  it(`.npy headers: ${CASES} generated dict texts`, () => {
    const started = performance.now();
    const value = fc.oneof(
      fc.constantFrom("'<f4'", "'__proto__'", "'|u1'", 'True', 'False', '()', '(1,)', '(2, 3)', '(-1,)', '(1.5,)', '(99999999999999999999,)', "'", '{', ''),
      fc.string({ maxLength: 12 }),
    );
    const key = fc.constantFrom("'descr'", "'fortran_order'", "'shape'", "'x'", "'constructor'", 'descr');
    const header = fc.array(fc.tuple(key, value), { maxLength: 5 }).map((kv) => `{${kv.map(([k, v]) => `${k}: ${v}`).join(', ')}}\n`);
    fc.assert(
      fc.property(header, fc.uint8Array({ maxLength: 32 }), (text, data) => {
        const head = new TextEncoder().encode(text);
        const b = new Uint8Array(10 + head.length + data.length);
        b.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
        new DataView(b.buffer).setUint16(8, head.length, true);
        b.set(head, 10);
        b.set(data, 10 + head.length);
        return endsWell(() => readNpy(b, 'fuzz.npy'));
      }),
      { seed: SEED, numRuns: CASES },
    );
    report('.npy headers (readNpy)', CASES, started);
  });

  it(`IDX: ${CASES} mutated files, plain and gzipped`, () => {
    const started = performance.now();
    const bases = [idx(0x08, [3, 4, 4], 1), idx(0x0c, [6], 4), idx(0x0d, [2, 3], 4), idx(0x0e, [2], 8)];
    fc.assert(
      fc.property(fc.constantFrom(...bases).chain(mutated), fc.boolean(), (bytes, gz) => endsWell(() => parseIdx(gz ? gzipSync(bytes) : bytes, 'fuzz.idx'))),
      { seed: SEED, numRuns: CASES },
    );
    report('IDX (parseIdx)', CASES, started);
  });

  it(`gzip streams: ${CASES} mutated compressed IDX files`, () => {
    const started = performance.now();
    const base = gzipSync(idx(0x08, [10, 8, 8], 1));
    fc.assert(
      fc.property(mutated(base), (bytes) => endsWell(() => parseIdx(bytes, 'fuzz.idx.gz'))),
      { seed: SEED, numRuns: CASES },
    );
    report('IDX gzip (parseIdx)', CASES, started);
  });

  it('a reader that returns gives a consistent array', () => {
    fc.assert(
      fc.property(mutated(writeNpy({ dtype: 'float32', shape: [2, 3], data: new Float32Array(6) })), (bytes) => {
        try {
          const a = readNpy(bytes);
          expect(a.data.length).toBe(a.shape.reduce((x, y) => x * y, 1));
        } catch (err) {
          expect(isRsError(err)).toBe(true);
        }
      }),
      { seed: SEED, numRuns: 500 },
    );
  });
});
