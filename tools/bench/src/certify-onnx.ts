/**
 * Certify throughput of @rs/onnx on the fixture CNN (Fashion-MNIST, 28x28) next to the raw
 * ONNX Runtime throughput of the same model at the same batch size, both measured in this run, and
 * next to ART 1.20.1's figures recorded on this machine kind (tools/fixtures/fmnist-cnn).
 *
 * Usage: node tools/bench/dist/certify-onnx.js [--n 10000] [--batch 1000] [--images 20] [--threads 2]
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { artCertifyReference, FMNIST_CNN_DIR, readFmnistCnn } from '@rs/fixtures';
import { OnnxClassifier, OnnxRandomizedSmoothing } from '@rs/onnx';
import { readNpy } from '@rs/onnx-graph';
import { arg, median } from './util.js';

export async function runCertifyOnnxBench(): Promise<void> {
  const n = arg('n', 10_000);
  const batch = arg('batch', 1000);
  const images = arg('images', 20);
  const threads = arg('threads', 2);
  const art = artCertifyReference();
  const model = readFmnistCnn('model.onnx');
  const x = (readNpy(readFmnistCnn('x.npy')).data as Float32Array).subarray(0, images * 784);

  // Raw ONNX Runtime: the model alone on batches of noisy-looking inputs.
  const raw = await OnnxClassifier.create({ model, intraOpNumThreads: threads });
  const input = Float32Array.from({ length: batch * 784 }, (_, i) => x[i % x.length]! + 0.25 * Math.sin(i));
  for (let w = 0; w < 3; w++) await raw.forward(input, batch);
  const times: number[] = [];
  for (let r = 0; r < 10; r++) {
    const t0 = performance.now();
    await raw.forward(input, batch);
    times.push(performance.now() - t0);
  }
  const rawRate = batch / (median(times) / 1000);
  await raw.dispose();

  // Certify: selection (n0 = 100) + estimation (n) per image, noise from the WASM Philox kernel.
  const rs = await OnnxRandomizedSmoothing.create({ model, intraOpNumThreads: threads, scale: 0.25, sampleSize: 100, alpha: 0.001, seed: 1 });
  await rs.certify(x.subarray(0, 784), { n: 2 * batch, batchSize: batch }); // warm-up
  const t0 = performance.now();
  const result = await rs.certify(x, { n, batchSize: batch });
  const seconds = (performance.now() - t0) / 1000;
  await rs.dispose();
  const samples = images * (n + 100);
  const certifyRate = samples / seconds;
  const rssMb = process.resourceUsage().maxRSS / 1024;

  const torchRef = runTorchReference(n, batch, arg('ref-images', 5), threads);

  console.log(`certify benchmark: fixture CNN, ${images} images, n0 100, n ${n}, batch ${batch}, ${threads} ORT threads, noise ${rs.smoothing.noiseGenerator}, Node ${process.version}`);
  console.table({
    'raw ONNX Runtime (this run)': { 'samples/s': Math.round(rawRate), 's/image': '-', 'peak RSS MB': '-' },
    '@rs/onnx certify (this run)': { 'samples/s': Math.round(certifyRate), 's/image': (seconds / images).toFixed(3), 'peak RSS MB': Math.round(rssMb) },
    [`${art.impl} certify (recorded)`]: { 'samples/s': Math.round(art.samples_per_s), 's/image': art.sec_per_image.toFixed(3), 'peak RSS MB': Math.round(art.peak_rss_mb) },
    ...(torchRef
      ? {
          [`${torchRef.impl} (this run, ${torchRef.images} images)`]: { 'samples/s': Math.round(torchRef.samples_per_s), 's/image': torchRef.sec_per_image.toFixed(3), 'peak RSS MB': Math.round(torchRef.peak_rss_mb) },
          '  its raw forward (this run)': { 'samples/s': Math.round(torchRef.raw_samples_per_s), 's/image': '-', 'peak RSS MB': '-' },
        }
      : {}),
  });
  if (!torchRef) console.log('PyTorch reference skipped: /usr/bin/python3 with torch and onnx not found (apt-get install python3-torch python3-onnx)');
  else console.log(`certify / PyTorch reference loop (this run): ${(certifyRate / torchRef.samples_per_s).toFixed(1)}x; the reference's own certify / raw forward: ${(torchRef.samples_per_s / torchRef.raw_samples_per_s).toFixed(2)}x`);
  console.log(`certify / raw ONNX Runtime: ${(certifyRate / rawRate).toFixed(2)}x (goal >= 0.8x)`);
  console.log(`certify / ART: ${(certifyRate / art.samples_per_s).toFixed(1)}x (goal >= 5x; ART's figure was recorded on this machine kind, not in this run)`);
  const agree = result.prediction.reduce((s, p, i) => s + (p === art.pred[i] ? 1 : 0), 0);
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
    [script, `${FMNIST_CNN_DIR}/model.onnx`, `${FMNIST_CNN_DIR}/x.npy`, '--n', String(n), '--batch', String(batch), '--images', String(images), '--threads', String(threads)],
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
