/**
 * The training methods on real data: Fashion-MNIST, one architecture (an MLP 784-256-256-10), the
 * same seeded initialization, epochs, batch, optimizer and learning-rate schedule for each of
 * Gaussian augmentation, MACER, SmoothAdv, SmoothMix and Consistency, sigma 0.5, trained on
 * @rs/onnx; then certify (n0 100, n 10,000, alpha 0.001) on the first 500 test images: certified
 * accuracy at r = 0, 0.5, 1.0 and the average certified radius (ACR), per method. Plus the training
 * time per epoch of each method on each backend that trains (@rs/onnx measured over whole epochs;
 * @rs/webgpu-native and @rs/tfjs extrapolated from a few batches, which the table says).
 *
 * Usage: node tools/bench/dist/train-methods.js [--train 10000] [--test 500] [--epochs 20] [--n 10000]
 *        [--batch 64] [--lr 0.001] [--lr-step 15] [--threads 2] [--timing-batches 4] [--methods gaussian,macer,...]
 *        [--backends onnx,webgpu,tfjs] [--out DIR]
 * Needs Debian's dataset-fashion-mnist; prints a skip line without it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FitOptions, TrainingMethodName } from '@rs/core';
import { hasFashionMnist, loadFashionMnist } from '@rs/datasets';
import { OnnxRandomizedSmoothing } from '@rs/onnx';
import { GraphBuilder } from '@rs/onnx-graph';
import { arg } from './util.js';

/** Each method's settings in this benchmark (the papers' MNIST / Fashion-MNIST-scale choices; see the README table). */
export const BENCH_METHODS: Readonly<Record<TrainingMethodName, Record<string, unknown>>> = {
  gaussian: {},
  macer: { gaussianSamples: 16, beta: 16, gamma: 8, lambda: 12 },
  smoothAdv: { attack: 'pgd', epsilon: 1, numNoiseVec: 2, numSteps: 4, warmup: 5 },
  smoothMix: { eta: 5, numNoiseVec: 2, numSteps: 4, stepSize: 1, mixStep: 0, warmup: 5 },
  consistency: { numNoiseVec: 2, lambda: 5, eta: 0.5 },
};

/** The benchmark's MLP (784-256-256-10, ReLU) as ONNX; its weights are re-initialized by `reset()` (seeded). */
export function benchMlp(): Uint8Array {
  const b = new GraphBuilder({ opset: 13 });
  let h = b.node('Flatten', [b.input('input', 'float32', ['batch', 1, 28, 28])], { axis: 1 });
  let d = 784;
  for (const [i, units] of [256, 256].entries()) {
    const w = b.initializer(`fc${i + 1}.weight`, new Float32Array(units * d), [units, d]);
    h = b.node('Relu', [b.node('Gemm', [h, w, b.initializer(`fc${i + 1}.bias`, new Float32Array(units), [units])], { transB: 1 })]);
    d = units;
  }
  const out = b.node(
    'Gemm',
    [h, b.initializer('fc3.weight', new Float32Array(10 * d), [10, d]), b.initializer('fc3.bias', new Float32Array(10), [10])],
    { transB: 1 },
    { name: 'logits' },
  );
  b.output(out, 'float32');
  return b.toBytes();
}

/** Certified accuracy at each radius and the ACR of certify's output. */
function summarize(prediction: Int32Array, radius: Float64Array, labels: ArrayLike<number>): { at: Record<string, number>; acr: number } {
  const at: Record<string, number> = {};
  for (const r of [0, 0.5, 1]) at[r.toFixed(1)] = prediction.reduce((s, p, i) => s + (p === labels[i] && radius[i]! >= r ? 1 : 0), 0) / prediction.length;
  const acr = prediction.reduce((s, p, i) => s + (p === labels[i] ? radius[i]! : 0), 0) / prediction.length;
  return { at, acr };
}

/** Seconds per epoch of `fit` on another backend, extrapolated from `batches` batches of the method. */
async function timedBatches(
  create: () => Promise<{ fit: (x: Float32Array, y: Int32Array, o: FitOptions) => Promise<unknown>; dispose: () => Promise<void>; reset: () => Promise<void> }>,
  method: TrainingMethodName,
  x: Float32Array,
  y: Int32Array,
  o: { batch: number; batches: number; trainCount: number; lr: number },
): Promise<number> {
  const rs = await create();
  try {
    await rs.reset();
    const count = o.batch * o.batches;
    const xs = x.subarray(0, count * 784);
    const ys = y.subarray(0, count);
    const fitOptions = { method, ...BENCH_METHODS[method], nbEpochs: 1, batchSize: o.batch, optimizer: 'adam', learningRate: o.lr } as FitOptions;
    await rs.fit(xs.subarray(0, o.batch * 784), ys.subarray(0, o.batch), fitOptions); // compile / warm up
    const t0 = performance.now();
    await rs.fit(xs, ys, fitOptions);
    return ((performance.now() - t0) / 1000 / count) * o.trainCount;
  } finally {
    await rs.dispose();
  }
}

export async function runTrainMethodsBench(): Promise<void> {
  if (!hasFashionMnist()) {
    console.log('train-methods bench: skipped (Fashion-MNIST is not installed: apt-get install dataset-fashion-mnist)');
    return;
  }
  const trainCount = arg('train', 10_000);
  const testCount = arg('test', 500);
  const epochs = arg('epochs', 20);
  const n = arg('n', 10_000);
  const batch = arg('batch', 64);
  const lr = arg('lr', 1e-3);
  const lrStep = arg('lr-step', 15);
  const threads = arg('threads', 2);
  const timingBatches = arg('timing-batches', 4);
  const flag = (name: string, fallback: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
  };
  const methods = flag('methods', Object.keys(BENCH_METHODS).join(',')).split(',') as TrainingMethodName[];
  const backends = flag('backends', 'onnx,webgpu,tfjs').split(',');
  const outDir = flag('out', '');
  const train = loadFashionMnist({ split: 'train', limit: trainCount });
  const test = loadFashionMnist({ split: 'test', limit: testCount });
  const model = benchMlp();
  const sigma = 0.5;
  console.log(
    `train-methods: Fashion-MNIST, MLP 784-256-256-10, sigma ${sigma}, ${trainCount} training images x ${epochs} epochs, batch ${batch}, Adam lr ${lr} (x0.1 from epoch ${lrStep}), seed 0; certify n0 100, n ${n}, alpha 0.001 on ${testCount} test images; onnx ${threads} threads`,
  );
  const rows: string[] = [];
  const timing: Record<string, Record<string, string>> = {};
  for (const method of methods) {
    const rs = await OnnxRandomizedSmoothing.create({
      model,
      scale: sigma,
      sampleSize: 100,
      alpha: 0.001,
      clipValues: [0, 1],
      seed: 0,
      intraOpNumThreads: threads,
    });
    await rs.reset();
    const perEpoch: number[] = [];
    let last: { loss: number; terms: string } = { loss: Number.NaN, terms: '' };
    for (let e = 0; e < epochs; e++) {
      const t0 = performance.now();
      const r = await rs.fit(train.x, train.y, {
        method,
        ...BENCH_METHODS[method],
        nbEpochs: 1,
        initialEpoch: e,
        batchSize: batch,
        optimizer: 'adam',
        learningRate: lr,
        learningRateSchedule: { type: 'step', stepSize: lrStep, gamma: 0.1 },
      } as FitOptions);
      perEpoch.push((performance.now() - t0) / 1000);
      last = {
        loss: r.epochLosses[0]!,
        terms: Object.entries(r.epochTerms)
          .map(([k, v]) => `${k} ${v[0]!.toFixed(3)}`)
          .join(', '),
      };
    }
    const t1 = performance.now();
    const { prediction, radius } = await rs.certify(test.x, { n, batchSize: 2000 });
    const certifySeconds = (performance.now() - t1) / 1000;
    const { at, acr } = summarize(prediction, radius, test.y);
    const epochSeconds = perEpoch.reduce((a, b) => a + b, 0) / epochs;
    console.log(
      `${method}: last epoch loss ${last.loss.toFixed(4)} (${last.terms}); ${epochSeconds.toFixed(1)} s/epoch; certify ${certifySeconds.toFixed(0)} s; certified accuracy r=0 ${at['0.0']}, r=0.5 ${at['0.5']}, r=1.0 ${at['1.0']}; ACR ${acr.toFixed(3)}`,
    );
    rows.push(`| ${method} | ${at['0.0']!.toFixed(3)} | ${at['0.5']!.toFixed(3)} | ${at['1.0']!.toFixed(3)} | **${acr.toFixed(3)}** |`);
    timing[method] = { onnx: `${epochSeconds.toFixed(1)} s` };
    if (outDir) {
      mkdirSync(outDir, { recursive: true });
      await rs.save(join(outDir, `${method}.onnx`));
      writeFileSync(join(outDir, `${method}.json`), `${JSON.stringify({ method, settings: BENCH_METHODS[method], perEpoch, at, acr }, null, 2)}\n`);
    }
    await rs.dispose();
  }
  if (backends.includes('webgpu')) {
    const { WebGpuRandomizedSmoothing } = await import('@rs/webgpu-native');
    for (const method of methods) {
      try {
        const s = await timedBatches(() => WebGpuRandomizedSmoothing.create({ model, scale: sigma, clipValues: [0, 1], seed: 0 }), method, train.x, train.y, {
          batch,
          batches: timingBatches,
          trainCount,
          lr,
        });
        timing[method]!.webgpu = `${s.toFixed(0)} s*`;
      } catch (err) {
        timing[method]!.webgpu = `n/a (${(err as Error).message.slice(0, 60)})`;
      }
    }
  }
  if (backends.includes('tfjs')) {
    const tf = await import('@tensorflow/tfjs');
    const { selectBackend, TfjsRandomizedSmoothing } = await import('@rs/tfjs');
    await selectBackend({ backend: 'wasm' });
    const mlp = () =>
      tf.sequential({
        layers: [
          tf.layers.flatten({ inputShape: [28, 28, 1] }),
          tf.layers.dense({ units: 256, activation: 'relu' }),
          tf.layers.dense({ units: 256, activation: 'relu' }),
          tf.layers.dense({ units: 10 }),
        ],
      });
    for (const method of methods) {
      const s = await timedBatches(
        () => TfjsRandomizedSmoothing.create({ model: mlp(), backend: 'wasm', scale: sigma, clipValues: [0, 1], seed: 0 }),
        method,
        train.x,
        train.y,
        { batch, batches: timingBatches, trainCount, lr },
      );
      timing[method]!.tfjs = `${s.toFixed(0)} s*`;
    }
  }
  console.log(`\n| method | certified accuracy r = 0 | r = 0.5 | r = 1.0 | ACR |\n| --- | --- | --- | --- | --- |\n${rows.join('\n')}`);
  console.log(`\n| method | ${backends.map((b) => `${b} s/epoch`).join(' | ')} |\n| --- | ${backends.map(() => '---').join(' | ')} |`);
  for (const method of methods) console.log(`| ${method} | ${backends.map((b) => timing[method]![b] ?? '-').join(' | ')} |`);
  if (backends.length > 1) console.log(`(* extrapolated to ${trainCount} images from ${timingBatches} batches of ${batch})`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await runTrainMethodsBench();
