import { describe, expect, it } from 'vitest';
import { parseRadii } from '../src/analyze/radii.js';
import { selectIndices } from '../src/data/select.js';
import { formatTimedelta, parseResultsTsv } from '../src/io/tsv.js';
import { accuracyCurve, niceTicks } from '../src/plot/svg.js';

describe('pieces', () => {
  it("formatTimedelta is Python's str(timedelta)", () => {
    expect(formatTimedelta(0)).toBe('0:00:00');
    expect(formatTimedelta(1.5)).toBe('0:00:01.500000');
    expect(formatTimedelta(0.000001)).toBe('0:00:00.000001');
    expect(formatTimedelta(3723.25)).toBe('1:02:03.250000');
    expect(formatTimedelta(86_400 + 1)).toBe('1 day, 0:00:01');
    expect(formatTimedelta(2 * 86_400)).toBe('2 days, 0:00:00');
  });

  it('selectIndices: skip, then max inputs, then round-robin shards', () => {
    expect(Array.from(selectIndices(10, { skip: 3 }))).toEqual([0, 3, 6, 9]);
    expect(Array.from(selectIndices(100, { skip: 10, max: 3 }))).toEqual([0, 10, 20]);
    const all = Array.from(selectIndices(50, { skip: 2, max: 11 }));
    const shards = [0, 1, 2].map((i) => Array.from(selectIndices(50, { skip: 2, max: 11, shard: { index: i, count: 3 } })));
    expect(shards[0]).toEqual([0, 6, 12, 18]);
    expect(shards.flat().sort((a, b) => a - b)).toEqual(all);
  });

  it('parseRadii includes the stop and does not drift', () => {
    expect(parseRadii('0:2:0.25')).toHaveLength(9);
    expect(parseRadii('0:1:0.1')).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
    expect(parseRadii('0.5,1')).toEqual([0.5, 1]);
    expect(() => parseRadii('0:1')).toThrow(/start:stop:step/);
  });

  it('parseResultsTsv drops a torn last line and reads predict files', () => {
    const t = parseResultsTsv('idx\tlabel\tpredict\tcorrect\ttime\n0\t1\t1\t1\t0:00:01\n1\t2', 'p.tsv');
    expect(t.kind).toBe('predict');
    expect(t.rows).toEqual([{ idx: 0, label: 1, predict: 1, correct: 1, time: '0:00:01' }]);
    expect(t.partialTail).toBe(true);
    expect(t.completeBytes).toBe(Buffer.byteLength('idx\tlabel\tpredict\tcorrect\ttime\n0\t1\t1\t1\t0:00:01\n'));
  });

  it('accuracyCurve is the exact step function; niceTicks', () => {
    const rows = [0.5, 0.5, 1].map((radius, idx) => ({ idx, label: 0, predict: 0, radius, correct: 1, time: '' }));
    rows.push({ idx: 3, label: 1, predict: 0, radius: 2, correct: 0, time: '' });
    expect(accuracyCurve(rows, 1.5)).toEqual([
      [0, 0.75],
      [0.5, 0.75],
      [0.5, 0.25],
      [1, 0.25],
      [1, 0],
      [1.5, 0],
    ]);
    expect(niceTicks(2)).toEqual([0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2]);
    expect(niceTicks(1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
  });
});
