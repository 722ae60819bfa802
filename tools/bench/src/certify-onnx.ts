/**
 * Certify throughput of @rs/onnx on the fixture CNN (Fashion-MNIST, 28x28) next to the raw
 * ONNX Runtime throughput of the same model at the same batch size, both measured in this run, and
 * next to ART 1.20.1's figures recorded on this machine kind (tools/fixtures/fmnist-cnn).
 *
 * Also certifies with the other host-noise schedules on the same session (core's `hostSampling`
 * plan): noise on one thread between runs, and noise on one thread drawn beside ONNX Runtime (the
 * schedule before the threaded generator), so the choice in `@rs/onnx`'s host-sampling.ts is
 * measured in every run.
 *
 * Usage: node tools/bench/dist/certify-onnx.js [--n 10000] [--batch 1000] [--images 20] [--threads 2] [--rounds 3] [--ref-images 5]
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { artCertifyReference, FMNIST_CNN_DIR, readFmnistCnn } from '@rs/fixtures';
import { smooth, type Classifier, type HostSamplingPlan } from '@rs/core';
import { OnnxRandomizedSmoothing } from '@rs/onnx';
import { readNpy } from '@rs/datasets';
import { arg, forwardRate, median } from './util.js';

export async function runCertifyOnnxBench(): Promise<void> {
  const n = arg('n', 10_000);
  const batch = arg('batch', 1000);
  const images = arg('images', 20);
  const threads = arg('threads', 2);
  const art = artCertifyReference();
  const model = readFmnistCnn('model.onnx');
  const x = (readNpy(readFmnistCnn('x.npy')).data as Float32Array).subarray(0, images * 784);

  const rounds = arg('rounds', 3);
  const settings = { scale: 0.25, sampleSize: 100, alpha: 0.001, seed: 1 };
  const rs = await OnnxRandomizedSmoothing.create({ model, intraOpNumThreads: threads, ...settings });
  const noiseName = rs.smoothing.noiseGenerator;
  const schedule = rs.hostSampling.overlap ? 'drawn during runs' : 'drawn between runs';
  // The same session under the other schedules (core's hostSampling plan, through a plain Classifier).
  const variant = (plan: HostSamplingPlan): Classifier => ({
    inputShape: rs.inputShape,
    nbClasses: rs.nbClasses,
    forward: (v, b) => rs.forward(v, b),
    hostSampling: plan,
  });
  const oneBetweenRs = smooth(variant({ overlap: false }), settings);
  const oneDuringRs = smooth(variant({ overlap: true }), settings);

  // Raw ONNX Runtime: the same session alone on batches of noisy-looking inputs (median of 10 runs).
  const input = Float32Array.from({ length: batch * 784 }, (_, i) => x[i % x.length]! + 0.25 * Math.sin(i));
  const rawOnce = () => forwardRate((v, b) => rs.forward(v, b), input, batch, 10);
  // Certify: selection (n0 = 100) + estimation (n) per image.
  const samples = images * (n + 100);
  const certifyOnce = async (g: { certify: OnnxRandomizedSmoothing['certify'] }) => {
    const t0 = performance.now();
    const result = await g.certify(x, { n, batchSize: batch });
    return { result, rate: samples / ((performance.now() - t0) / 1000) };
  };
  for (const g of [rs, oneBetweenRs, oneDuringRs]) await g.certify(x.subarray(0, 784), { n: 2 * batch, batchSize: batch }); // warm-up
  for (let w = 0; w < 3; w++) await rs.forward(input, batch);
  // Rounds interleave every configuration, so load from other processes hits them alike; medians reported.
  const rates = { raw: [] as number[], certify: [] as number[], oneBetween: [] as number[], oneDuring: [] as number[] };
  let result: Awaited<ReturnType<typeof certifyOnce>>['result'] | undefined;
  for (let r = 0; r < rounds; r++) {
    rates.raw.push(await rawOnce());
    const main = await certifyOnce(rs);
    rates.certify.push(main.rate);
    result = main.result;
    for (const [key, g] of [
      ['oneBetween', oneBetweenRs],
      ['oneDuring', oneDuringRs],
    ] as const) {
      const other = await certifyOnce(g);
      rates[key].push(other.rate);
      if (other.result.estimationCounts.some((c, i) => c !== result!.estimationCounts[i]))
        throw new Error('the schedules gave different counts: the noise must not depend on the schedule');
    }
  }
  const rssMb = process.resourceUsage().maxRSS / 1024;
  await rs.dispose();
  const rawRate = median(rates.raw);
  const certifyRate = median(rates.certify);
  const oneBetweenRate = median(rates.oneBetween);
  const oneDuringRate = median(rates.oneDuring);

  const refImages = arg('ref-images', 5);
  const torchRef = refImages > 0 ? runTorchReference(n, batch, refImages, threads) : undefined;

  console.log(
    `certify benchmark: fixture CNN, ${images} images, median of ${rounds} interleaved rounds, n0 100, n ${n}, batch ${batch}, ${threads} ORT threads, noise ${noiseName} ${schedule}, Node ${process.version}`,
  );
  console.table({
    'raw ONNX Runtime (this run)': { 'samples/s': Math.round(rawRate), 's/image': '-', 'peak RSS MB': '-' },
    '@rs/onnx certify (this run)': {
      'samples/s': Math.round(certifyRate),
      's/image': (samples / certifyRate / images).toFixed(3),
      'peak RSS MB': Math.round(rssMb),
    },
    '  noise 1 thread, between runs': {
      'samples/s': Math.round(oneBetweenRate),
      's/image': (samples / oneBetweenRate / images).toFixed(3),
      'peak RSS MB': '-',
    },
    '  noise 1 thread, during runs': { 'samples/s': Math.round(oneDuringRate), 's/image': (samples / oneDuringRate / images).toFixed(3), 'peak RSS MB': '-' },
    [`${art.impl} certify (recorded)`]: {
      'samples/s': Math.round(art.samples_per_s),
      's/image': art.sec_per_image.toFixed(3),
      'peak RSS MB': Math.round(art.peak_rss_mb),
    },
    ...(torchRef
      ? {
          [`${torchRef.impl} (this run, ${torchRef.images} images)`]: {
            'samples/s': Math.round(torchRef.samples_per_s),
            's/image': torchRef.sec_per_image.toFixed(3),
            'peak RSS MB': Math.round(torchRef.peak_rss_mb),
          },
          '  its raw forward (this run)': { 'samples/s': Math.round(torchRef.raw_samples_per_s), 's/image': '-', 'peak RSS MB': '-' },
        }
      : {}),
  });
  if (!torchRef) console.log('PyTorch reference skipped: /usr/bin/python3 with torch and onnx not found (apt-get install python3-torch python3-onnx)');
  else
    console.log(
      `certify / PyTorch reference loop (this run): ${(certifyRate / torchRef.samples_per_s).toFixed(1)}x; the reference's own certify / raw forward: ${(torchRef.samples_per_s / torchRef.raw_samples_per_s).toFixed(2)}x`,
    );
  console.log(
    `certify / raw ONNX Runtime: ${(certifyRate / rawRate).toFixed(2)}x (goal >= 0.8x); per round: ${rates.certify.map((c, i) => (c / rates.raw[i]!).toFixed(2)).join(', ')}`,
  );
  console.log(`certify / ART: ${(certifyRate / art.samples_per_s).toFixed(1)}x (goal >= 5x; ART's figure was recorded on this machine kind, not in this run)`);
  const agree = result!.prediction.reduce((s, p, i) => s + (p === art.pred[i] ? 1 : 0), 0);
  console.log(`predictions equal to ART's: ${agree}/${images}`);
}

/** Runs tools/bench/reference/torch_certify.py (Debian's PyTorch) when available. */
function runTorchReference(n: number, batch: number, images: number, threads: number) {
  const python = '/usr/bin/python3';
  const probe = spawnSync(python, ['-c', 'import torch, onnx'], { encoding: 'utf8' });
  if (probe.status !== 0) return undefined;
  const script = fileURLToPath(new URL('../reference/torch_certify.py', import.meta.url));
  const run = spawnSync(
    python,
    [
      script,
      `${FMNIST_CNN_DIR}/model.onnx`,
      `${FMNIST_CNN_DIR}/x.npy`,
      '--n',
      String(n),
      '--batch',
      String(batch),
      '--images',
      String(images),
      '--threads',
      String(threads),
    ],
    { encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  if (run.status !== 0) {
    console.log(`PyTorch reference failed: ${run.stderr.trim().split('\n').at(-1)}`);
    return undefined;
  }
  const result = JSON.parse(run.stdout) as { impl: string; samples_per_s: number; raw_samples_per_s: number; sec_per_image: number; peak_rss_mb: number };
  return { ...result, images };
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) await runCertifyOnnxBench();
