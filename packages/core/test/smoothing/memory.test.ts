import { describe, expect, it } from 'vitest';
import { smooth } from '../../src/index.js';
import { countingClassifier } from './helpers.js';

describe('memory of the sampling engine', () => {
  it('stays flat as n grows (bounded by the batch size, not by n)', async () => {
    const dim = 256;
    const x = new Float32Array(dim).fill(0.01);
    const g = smooth(countingClassifier(dim), { scale: 0.1, seed: 3 });
    const peakFor = async (n: number): Promise<number> => {
      globalThis.gc?.();
      const base = process.memoryUsage();
      let peak = 0;
      await g.certify(x, {
        n,
        batchSize: 500,
        onProgress: () => {
          const m = process.memoryUsage();
          peak = Math.max(peak, m.arrayBuffers - base.arrayBuffers + (m.heapUsed - base.heapUsed));
        },
      });
      return peak / 2 ** 20;
    };
    const small = await peakFor(10_000);
    const large = await peakFor(400_000);
    // Holding all noisy copies would take n * 256 * 4 bytes: 390 MiB at n = 400,000.
    console.log(`peak extra memory: n = 1e4 ${small.toFixed(1)} MiB, n = 4e5 ${large.toFixed(1)} MiB`);
    expect(large).toBeLessThan(40);
    expect(large).toBeLessThan(small + 30);
  });
});
