/**
 * What the sound mode (Voracek & Hein 2023: `sound: true`) costs next to the float mode, in the same
 * run: the noise alone (fillNoisy vs fillSound on the WASM kernel, and the JS reference of the sound
 * mode), and certify on the fixture CNN (Fashion-MNIST images, uint8 / 255: on the grid) with the
 * certified radii of both modes.
 *
 * Usage: node tools/bench/dist/sound.js [--images 10] [--n 5000] [--threads 2] [--reps 7]
 */
import { pathToFileURL } from 'node:url';
import { createWasmNoiseGenerator, discreteGaussianTable, fillSoundNoisy } from '@rs/core';
import { readFmnistCnn } from '@rs/fixtures';
import { OnnxRandomizedSmoothing } from '@rs/onnx';
import { readNpy } from '@rs/datasets';
import { arg, median } from './util.js';

export async function runSoundBench(): Promise<void> {
  const reps = arg('reps', 7);
  const dim = 784;
  const rows = 1000;
  const sigma = 0.25;
  const out = new Float32Array(rows * dim);
  const base = Float32Array.from({ length: dim }, (_, i) => Math.fround((i % 256) / 255));
  const grid = Int32Array.from({ length: dim }, (_, i) => i % 256);
  const t0 = performance.now();
  const table = discreteGaussianTable(sigma, 255);
  const tableMs = performance.now() - t0;
  const wasm = createWasmNoiseGenerator();
  const req = (r: number) => ({ seed: 7n, stream: 1, inputIndex: r, sampleStart: 0, sampleCount: rows, dim });
  const fills: Record<string, (r: number) => void> = {
    'float: fillNoisy (WASM SIMD)': (r) => wasm.fillNoisy(out, 0, req(r), base, 0, sigma),
    'sound: fillSound (WASM)': (r) => wasm.fillSound!(out, 0, req(r), grid, 0, table),
    'sound: fillSoundNoisy (JS reference)': (r) => fillSoundNoisy(out, 0, req(r), grid, 0, table),
  };
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(fills).map((k) => [k, []]));
  for (let r = -2; r < reps; r++) {
    for (const [name, f] of Object.entries(fills)) {
      const s = performance.now();
      f(r + 10);
      if (r >= 0) times[name]!.push(performance.now() - s);
    }
  }
  console.log(
    `sound mode bench: noise of ${rows} x ${dim}, sigma ${sigma}, grid 1/255 (threshold table: ${table.hi.length} thresholds, built in ${tableMs.toFixed(0)} ms; TV bound per coordinate ${table.tv.toExponential(2)})`,
  );
  console.table(Object.fromEntries(Object.entries(times).map(([k, t]) => [k, { 'M values/s': ((rows * dim) / median(t) / 1e3).toFixed(1) }])));

  const images = arg('images', 10);
  const n = arg('n', 5000);
  const x = (readNpy(readFmnistCnn('x.npy')).data as Float32Array).subarray(0, images * dim);
  const settings = { model: readFmnistCnn('model.onnx'), scale: sigma, sampleSize: 100, alpha: 0.001, seed: 1, intraOpNumThreads: arg('threads', 2) };
  const floatRs = await OnnxRandomizedSmoothing.create(settings);
  const soundRs = await OnnxRandomizedSmoothing.create({ ...settings, sound: true });
  await floatRs.certify(x.subarray(0, dim), { n: 1000, batchSize: 1000 }); // warm-up
  await soundRs.certify(x.subarray(0, dim), { n: 1000, batchSize: 1000 });
  const rates: Record<string, number[]> = { float: [], sound: [] };
  const radii: Record<string, Float64Array> = {};
  for (let round = 0; round < 2; round++) {
    for (const [name, rs] of [
      ['float', floatRs],
      ['sound', soundRs],
    ] as const) {
      const s = performance.now();
      const r = await rs.certify(x, { n, batchSize: 1000 });
      rates[name]!.push((images * (n + 100)) / ((performance.now() - s) / 1000));
      radii[name] = r.radius;
    }
  }
  const mean = (a: Float64Array) => a.reduce((s, v) => s + v, 0) / a.length;
  let maxGap = 0;
  for (let i = 0; i < images; i++) maxGap = Math.max(maxGap, Math.abs(radii.float![i]! - radii.sound![i]!));
  console.log(
    `certify, fixture CNN, ${images} images, n0 100, n ${n}, batch 1000, ${floatRs.hostSampling.overlap ? 'noise during runs' : 'noise between runs'} (${floatRs.smoothing.noiseGenerator}):`,
  );
  console.table({
    float: { 'samples/s (median of 2)': median(rates.float!).toFixed(0), 'mean radius': mean(radii.float!).toFixed(4) },
    sound: { 'samples/s (median of 2)': median(rates.sound!).toFixed(0), 'mean radius': mean(radii.sound!).toFixed(4) },
  });
  console.log(
    `sound / float throughput: ${(median(rates.sound!) / median(rates.float!)).toFixed(2)}x; largest radius difference ${maxGap.toFixed(4)} (different noise draws)`,
  );
  await floatRs.dispose();
  await soundRs.dispose();
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) await runSoundBench();
