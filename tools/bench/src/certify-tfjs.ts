/**
 * Certify throughput of @rs/tfjs on the fixture CNN (Fashion-MNIST, 28x28), rebuilt as an NHWC
 * tf.LayersModel from the ONNX fixture's weights, on every TF.js backend available here (cpu, wasm,
 * and 'tensorflow' when @tensorflow/tfjs-node(-gpu) is installed), each next to the same backend's raw
 * forward throughput at the same batch size, in the same run. Also measured per backend, for the
 * noise-placement decision (README of @rs/tfjs): the host->backend copy of a noisy batch, the model on
 * a batch already resident on the backend, and tf.randomNormal drawn on the backend vs @rs/core's
 * Philox generator on the host.
 *
 * Usage: node tools/bench/dist/certify-tfjs.js [--n 2000] [--batch 1000] [--images 4] [--reps 5]
 */
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { createNoiseGenerator } from '@rs/core';
import { readFmnistCnn } from '@rs/fixtures';
import { readNpy } from '@rs/datasets';
import { getInitializers } from '@rs/onnx-graph';
import { selectBackend, TfjsClassifier, TfjsRandomizedSmoothing, type TfjsBackendName } from '@rs/tfjs';
import { arg, median } from './util.js';

/** The fixture CNN as an NHWC tf.LayersModel (conv kernels transposed, fc1 rows permuted C,H,W -> H,W,C). */
function buildFixtureCnn(): tf.LayersModel {
  const w = getInitializers(readFmnistCnn('model.onnx'));
  const get = (k: string) => w.get(k)!;
  const conv = (k: string) => {
    const t = get(k);
    return tf.tidy(() => tf.transpose(tf.tensor4d(t.data, t.dims as [number, number, number, number]), [2, 3, 1, 0]));
  };
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }),
      tf.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 128, activation: 'relu' }),
      tf.layers.dense({ units: 10 }),
    ],
  });
  const g7 = get('7.weight').data;
  const fc1 = new Float32Array(1568 * 128);
  for (let c = 0; c < 32; c++) for (let p = 0; p < 49; p++) for (let o = 0; o < 128; o++) fc1[(p * 32 + c) * 128 + o] = g7[o * 1568 + c * 49 + p]!;
  const g9 = get('9.weight').data;
  const fc2 = new Float32Array(1280);
  for (let i = 0; i < 128; i++) for (let o = 0; o < 10; o++) fc2[i * 10 + o] = g9[o * 128 + i]!;
  const weights = [
    conv('0.weight'),
    tf.tensor1d(get('0.bias').data),
    conv('3.weight'),
    tf.tensor1d(get('3.bias').data),
    tf.tensor2d(fc1, [1568, 128]),
    tf.tensor1d(get('7.bias').data),
    tf.tensor2d(fc2, [128, 10]),
    tf.tensor1d(get('9.bias').data),
  ];
  model.setWeights(weights);
  tf.dispose(weights);
  return model;
}

async function timeIt(reps: number, fn: () => unknown): Promise<number> {
  await fn(); // warm-up
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return median(times) / 1000;
}

export async function runCertifyTfjsBench(): Promise<void> {
  const n = arg('n', 2000);
  const batch = arg('batch', 1000);
  const images = arg('images', 4);
  const reps = arg('reps', 5);
  const x = (readNpy(readFmnistCnn('x.npy')).data as Float32Array).subarray(0, images * 784);
  const input = Float32Array.from({ length: batch * 784 }, (_, i) => x[i % x.length]! + 0.25 * Math.sin(i));
  const gen = createNoiseGenerator();
  const noise = new Float32Array(batch * 784);
  const hostNoise = await timeIt(reps, () =>
    gen.fillNoisy(noise, 0, { seed: 1n, stream: 1, inputIndex: 0, sampleStart: 0, sampleCount: batch, dim: 784 }, x, 0, 0.25),
  );

  const rows: Record<string, Record<string, string | number>> = {};
  const ratios: string[] = [];
  for (const name of ['tensorflow', 'wasm', 'cpu'] as TfjsBackendName[]) {
    let info: Awaited<ReturnType<typeof selectBackend>>;
    try {
      info = await selectBackend({ backend: name });
    } catch (err) {
      console.log(`backend '${name}': skipped (${(err as Error).message.split('. Install')[0]})`);
      continue;
    }
    const model = buildFixtureCnn();
    const raw = await TfjsClassifier.create({ model, backend: name });
    const forward = await timeIt(reps, () => raw.forward(input, batch));
    const resident = tf.tensor(input, [batch, 28, 28, 1]);
    const modelOnly = await timeIt(reps, async () => {
      const out = tf.tidy(() => model.apply(resident, { training: false }) as tf.Tensor);
      await out.data();
      out.dispose();
    });
    resident.dispose();
    const upload = await timeIt(reps, async () => {
      const t = tf.tensor(input, [batch, 28, 28, 1]);
      const s = tf.sum(t); // forces the data onto the backend (and a tiny reduction)
      await s.data();
      tf.dispose([t, s]);
    });
    const onBackendNoise = await timeIt(reps, async () => {
      const t = tf.randomNormal([batch, 784], 0, 0.25, 'float32', 7);
      const s = tf.sum(t);
      await s.data();
      tf.dispose([t, s]);
    });
    await raw.dispose();

    const rs = await TfjsRandomizedSmoothing.create({ model, backend: name, scale: 0.25, sampleSize: 100, alpha: 0.001, seed: 1 });
    await rs.certify(x.subarray(0, 784), { n: Math.min(n, batch), batchSize: batch }); // warm-up
    const t0 = performance.now();
    await rs.certify(x, { n, batchSize: batch });
    const seconds = (performance.now() - t0) / 1000;
    await rs.dispose();
    model.dispose();
    const certifyRate = (images * (n + 100)) / seconds;
    const rawRate = batch / forward;
    const label = `${info.name} (${info.package})`;
    rows[`raw forward, ${label}`] = { 'samples/s': Math.round(rawRate), 'ms/batch': (forward * 1000).toFixed(1), 's/image': '-' };
    rows[`certify, ${label}`] = { 'samples/s': Math.round(certifyRate), 'ms/batch': '-', 's/image': (seconds / images).toFixed(3) };
    rows[`  model on a resident batch, ${info.name}`] = {
      'samples/s': Math.round(batch / modelOnly),
      'ms/batch': (modelOnly * 1000).toFixed(1),
      's/image': '-',
    };
    rows[`  host->backend copy of a batch, ${info.name}`] = { 'samples/s': '-', 'ms/batch': (upload * 1000).toFixed(2), 's/image': '-' };
    rows[`  tf.randomNormal on the backend, ${info.name}`] = { 'samples/s': '-', 'ms/batch': (onBackendNoise * 1000).toFixed(2), 's/image': '-' };
    ratios.push(
      `${info.name}: certify / raw forward ${(certifyRate / rawRate).toFixed(2)}x; host->backend copy ${((upload / forward) * 100).toFixed(2)}% of a forward; Philox noise on the host ${(hostNoise * 1000).toFixed(2)} ms vs tf.randomNormal on the backend ${(onBackendNoise * 1000).toFixed(2)} ms per batch`,
    );
  }
  console.log(
    `certify benchmark (@rs/tfjs): fixture CNN as NHWC tf.LayersModel, ${images} images, n0 100, n ${n}, batch ${batch}, Node ${process.version}; @rs/core noise on the host (${gen.name}): ${(hostNoise * 1000).toFixed(2)} ms per batch of ${batch} x 784`,
  );
  console.table(rows);
  for (const r of ratios) console.log(r);
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) await runCertifyTfjsBench();
