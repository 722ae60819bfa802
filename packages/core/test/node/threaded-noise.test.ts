import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createWasmNoiseGenerator, type NoiseRequest } from '../../src/noise/index.js';
import { createThreadedNoiseGenerator, type ThreadedNoiseGenerator } from '../../src/node/index.js';
import { NOISE_WORKER_PROGRAM } from '../../src/node/noise-worker-program.js';
import { startThreadedNoiseGenerator } from '../../src/node/threaded-noise-generator.js';

const single = createWasmNoiseGenerator();
const started: ThreadedNoiseGenerator[] = [];
const threaded = (threads: number, minFloatsPerThread = 64) => {
  const g = createThreadedNoiseGenerator({ threads, minFloatsPerThread });
  started.push(g);
  return g;
};
afterAll(() => {
  for (const g of started) g.dispose();
});

function bitsEqual(a: Float32Array, b: Float32Array): number {
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  let differ = 0;
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) differ++;
  return differ;
}

const dataset = Float32Array.from({ length: 5 * 300 }, (_, i) => ((i * 37) % 101) / 101);
const clip = { min: new Float32Array(300).fill(0.1), max: new Float32Array(300).fill(0.9) };

/** Draws `req` (noisy copies of dataset row 2 with an output offset) with both generators; returns how many floats differ. */
function compare(g: ThreadedNoiseGenerator, req: NoiseRequest, mode: 'normal' | 'noisy' | 'clipped'): number {
  const size = req.sampleCount * req.dim;
  const a = new Float32Array(size + 13).fill(7);
  const b = new Float32Array(size + 13).fill(7);
  if (mode === 'normal') {
    single.fillStandardNormal(a, 5, req);
    g.fillStandardNormal(b, 5, req);
  } else {
    single.fillNoisy(a, 5, req, dataset, 2 * req.dim, 0.3, mode === 'clipped' ? clip : undefined);
    g.fillNoisy(b, 5, req, dataset, 2 * req.dim, 0.3, mode === 'clipped' ? clip : undefined);
  }
  return bitsEqual(a, b);
}

describe('createThreadedNoiseGenerator (@rs/core/node)', () => {
  it('draws bitwise the same numbers as the single-thread generator, whatever the split', () => {
    for (const threads of [2, 3, 5]) {
      const g = threaded(threads);
      for (const [sampleCount, dim] of [
        [1000, 300],
        [7, 300],
        [3, 5],
        [1, 300],
        [999, 33],
        [64, 4],
      ] as const) {
        for (const mode of ['normal', 'noisy', 'clipped'] as const) {
          const req = { seed: 0x1234_5678_9abcn, stream: 1, inputIndex: 11, sampleStart: 123_456, sampleCount, dim };
          expect(compare(g, req, mode), `${threads} threads, ${sampleCount} x ${dim}, ${mode}`).toBe(0);
        }
      }
      expect(g.threads).toBe(threads);
      expect(g.name).toBe(`wasm-simd x${threads} threads`);
    }
  });

  it('draws small requests on the calling thread only (and starts no worker for them)', () => {
    const g = threaded(4, 1_000_000);
    expect(compare(g, { seed: 3n, stream: 2, inputIndex: 0, sampleStart: 0, sampleCount: 100, dim: 300 }, 'noisy')).toBe(0);
    expect(g.threads).toBe(4); // configured; workers start on the first large request
  });

  it('draws the share of a failing worker itself, and stops using it', () => {
    const broken = NOISE_WORKER_PROGRAM.replace('new WebAssembly.Instance(workerData.module, {})', 'null.instance');
    expect(broken).not.toBe(NOISE_WORKER_PROGRAM);
    const g = startThreadedNoiseGenerator({ threads: 3, minFloatsPerThread: 64 }, broken);
    started.push(g);
    expect(compare(g, { seed: 9n, stream: 1, inputIndex: 4, sampleStart: 0, sampleCount: 500, dim: 300 }, 'clipped')).toBe(0);
    expect(g.threads).toBe(1);
    expect(compare(g, { seed: 9n, stream: 1, inputIndex: 5, sampleStart: 0, sampleCount: 500, dim: 300 }, 'noisy')).toBe(0);
  });

  it('draws the share of a worker that never answers itself after timeoutMs', () => {
    const silent = "require('node:worker_threads').parentPort.on('message', () => {});";
    const g = startThreadedNoiseGenerator({ threads: 2, minFloatsPerThread: 64, timeoutMs: 300 }, silent);
    started.push(g);
    const t0 = performance.now();
    expect(compare(g, { seed: 9n, stream: 1, inputIndex: 4, sampleStart: 0, sampleCount: 200, dim: 300 }, 'normal')).toBe(0);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(250);
    expect(g.threads).toBe(1);
  });

  it('rejects bad options and bad requests with the same errors as the other generators, and throws after dispose', () => {
    expect(() => createThreadedNoiseGenerator({ threads: 0 })).toThrow(/'threads' must be an integer in \[1, 256\], got 0/);
    expect(() => createThreadedNoiseGenerator({ threads: 1.5 })).toThrow(/'threads'/);
    expect(() => createThreadedNoiseGenerator({ minFloatsPerThread: -1 })).toThrow(/'minFloatsPerThread'/);
    expect(() => createThreadedNoiseGenerator({ timeoutMs: 0 })).toThrow(/'timeoutMs' must be positive/);
    const g = threaded(2);
    const req = { seed: 1n, stream: 1, inputIndex: 0, sampleStart: 0, sampleCount: 10, dim: 300 };
    const message = (f: () => void) => {
      try {
        f();
      } catch (err) {
        return (err as Error).message;
      }
      return 'no error';
    };
    expect(message(() => g.fillNoisy(new Float32Array(10), 0, req, dataset, 0, 0.3))).toBe(
      message(() => single.fillNoisy(new Float32Array(10), 0, req, dataset, 0, 0.3)),
    );
    expect(message(() => g.fillNoisy(new Float32Array(3000), 0, req, dataset, 0, Number.NaN))).toBe(
      message(() => single.fillNoisy(new Float32Array(3000), 0, req, dataset, 0, Number.NaN)),
    );
    g.dispose();
    expect(g.threads).toBe(0);
    expect(() => g.fillStandardNormal(new Float32Array(3000), 0, req)).toThrow(/disposed/);
  });

  it('does not keep Node alive when never disposed', () => {
    const entry = fileURLToPath(new URL('../../dist/node/index.js', import.meta.url));
    const script = `import { createThreadedNoiseGenerator } from ${JSON.stringify(entry)};
      const g = createThreadedNoiseGenerator({ threads: 2, minFloatsPerThread: 64 });
      const out = new Float32Array(1000 * 100);
      g.fillStandardNormal(out, 0, { seed: 1n, stream: 1, inputIndex: 0, sampleStart: 0, sampleCount: 1000, dim: 100 });
      process.stdout.write(g.threads + ' ' + out.every(Number.isFinite));`;
    const t0 = performance.now();
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('2 true');
    expect(run.status).toBe(0);
    expect(performance.now() - t0).toBeLessThan(15_000);
  });
});
