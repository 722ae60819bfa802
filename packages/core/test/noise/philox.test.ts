import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { philox4x32 } from '../../src/noise/index.js';
import { mulhi32 } from '../../src/noise/philox.js';

interface KatFile {
  kat_lines: string[];
}
const kat = JSON.parse(readFileSync(new URL('./philox4x32-10.kat.json', import.meta.url), 'utf8')) as KatFile;

function parseKat(line: string) {
  const [name, rounds, ...words] = line.trim().split(/\s+/);
  const w = words.map((h) => parseInt(h, 16));
  return { name, rounds: Number(rounds), counter: w.slice(0, 4), key: w.slice(4, 6), expected: w.slice(6, 10) };
}

describe('philox4x32-10', () => {
  it('has the Random123 known-answer vectors', () => {
    expect(kat.kat_lines.length).toBeGreaterThanOrEqual(3);
  });

  for (const line of kat.kat_lines) {
    const v = parseKat(line);
    it(`matches Random123 KAT ctr=${line.split(/\s+/).slice(2, 6).join(' ')}`, () => {
      expect(v.name).toBe('philox4x32');
      expect(v.rounds).toBe(10);
      expect(Array.from(philox4x32(v.counter, v.key))).toEqual(v.expected);
      expect(Array.from(philox4x32(Uint32Array.from(v.counter), Uint32Array.from(v.key)))).toEqual(v.expected);
    });
  }

  it('mulhi32 is exact', () => {
    const cases: [number, number][] = [
      [0xffffffff, 0xffffffff],
      [0xd2511f53, 0xcd9e8d57],
      [1, 0xffffffff],
      [0x80000000, 2],
      [0, 0xd2511f53],
      [0x12345678, 0x9abcdef0],
    ];
    for (const [a, m] of cases) {
      const expected = Number((BigInt(a) * BigInt(m)) >> 32n);
      expect(mulhi32(a, m >>> 16, m & 0xffff)).toBe(expected);
    }
  });

  it('rejects malformed counters and keys', () => {
    expect(() => philox4x32([0, 0, 0], [0, 0])).toThrow(RangeError);
    expect(() => philox4x32([0, 0, 0, 0], [0])).toThrow(RangeError);
    expect(() => philox4x32([0, 0, -1, 0], [0, 0])).toThrow(/counter\[2\]/);
    expect(() => philox4x32([0, 0, 0, 0], [2 ** 32, 0])).toThrow(/key\[0\]/);
    expect(() => philox4x32([0.5, 0, 0, 0], [0, 0])).toThrow(RangeError);
  });
});
