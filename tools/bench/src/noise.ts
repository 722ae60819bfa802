/**
 * Noise generator benchmark: M normals/s of the JS reference, the WASM SIMD
 * kernel and the threaded WASM generator of @rs/core/node side by side (same run, median of several repetitions), the fused
 * fillNoisy rate (dim 784, batch 1000 by default), and fillNoisy for each noise family (Gaussian, uniform, Laplace).
 *
 * Usage: node tools/bench/dist/noise.js [--rows 1000] [--dim 784] [--reps 7]
 */
import { pathToFileURL } from 'node:url';
import { arg, median } from './util.js';
import { createJsNoiseGenerator, createWasmNoiseGenerator, NOISE_FAMILIES, type NoiseFamily, type NoiseGenerator, type NoiseRequest } from '@rs/core';
import { availableParallelism } from 'node:os';
import { createThreadedNoiseGenerator } from '@rs/core/node';

/** Median rate in M values/s of `fn` producing `count` values per call. */
function rate(count: number, reps: number, fn: (rep: number) => void): number {
  for (let w = 0; w < 3; w++) fn(reps + w); // warm-up (JIT tiers, memory growth)
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    fn(r);
    times.push(performance.now() - t0);
  }
  return count / median(times) / 1e3;
}

export function runNoiseBench(): void {
  const rows = arg('rows', 1000);
  const dim = arg('dim', 784);
  const reps = arg('reps', 7);
  const count = rows * dim;
  const out = new Float32Array(count);
  const base = Float32Array.from({ length: dim }, (_, i) => (i % 255) / 255);
  const clip = { min: new Float32Array(dim), max: new Float32Array(dim).fill(1) };
  const request = (rep: number, family: NoiseFamily = 'gaussian'): NoiseRequest => ({
    seed: 0x5eedn,
    stream: 1,
    inputIndex: rep + 1,
    sampleStart: 0,
    sampleCount: rows,
    dim,
    family,
  });
  const threaded = createThreadedNoiseGenerator({ threads: Math.min(availableParallelism(), 8) });
  const gens: NoiseGenerator[] = [createJsNoiseGenerator(), createWasmNoiseGenerator(), threaded];

  console.log(`noise benchmark: dim ${dim}, batch ${rows} (${(count / 1e6).toFixed(3)} M normals per call), median of ${reps}, Node ${process.version}`);
  const results: Record<string, Record<string, string>> = {};
  for (const g of gens) {
    const normal = rate(count, reps, (r) => g.fillStandardNormal(out, 0, request(r)));
    const noisy = rate(count, reps, (r) => g.fillNoisy(out, 0, request(r), base, 0, 0.25));
    const clipped = rate(count, reps, (r) => g.fillNoisy(out, 0, request(r), base, 0, 0.25, clip));
    // many single-sample calls (as in per-example training augmentation)
    const calls = Math.max(1, Math.floor(rows / 4));
    const single = rate(calls * dim, reps, (r) => {
      for (let c = 0; c < calls; c++) {
        g.fillNoisy(out, c * dim, { ...request(r), inputIndex: c, sampleStart: r + 1, sampleCount: 1 }, base, 0, 0.25, clip);
      }
    });
    results[g.name] = {
      'fillStandardNormal M/s': normal.toFixed(1),
      'fillNoisy M/s': noisy.toFixed(1),
      'fillNoisy+clip M/s': clipped.toFixed(1),
      [`fillNoisy+clip, ${calls} calls x 1 sample, M/s`]: single.toFixed(1),
    };
  }
  console.table(results);
  const js = Number(results.js!['fillStandardNormal M/s']);
  const wasm = Number(results['wasm-simd']!['fillStandardNormal M/s']);
  console.log(`WASM SIMD / JS speed-up (standard normals): ${(wasm / js).toFixed(1)}x`);
  const many = Number(results[threaded.name]!['fillStandardNormal M/s']);
  console.log(`${threaded.name} / one thread: ${(many / wasm).toFixed(2)}x (the calling thread waits for the workers; ${availableParallelism()} cores)`);

  // Noise families (smoothing option `noise`): fillNoisy + clip, the families interleaved per repetition.
  const byFamily: Record<string, Record<string, string>> = {};
  for (const g of gens) {
    const times: Record<NoiseFamily, number[]> = { gaussian: [], uniform: [], laplace: [] };
    for (let r = -3; r < reps; r++) {
      for (const family of NOISE_FAMILIES) {
        const t0 = performance.now();
        g.fillNoisy(out, 0, request(r + reps + 3, family), base, 0, 0.25, clip);
        if (r >= 0) times[family].push(performance.now() - t0);
      }
    }
    byFamily[g.name] = Object.fromEntries(NOISE_FAMILIES.map((f) => [`${f} M/s`, (count / median(times[f]) / 1e3).toFixed(1)]));
  }
  console.log('fillNoisy + clip by noise family (interleaved repetitions):');
  console.table(byFamily);
  threaded.dispose();
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) runNoiseBench();
