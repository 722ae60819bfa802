/**
 * What the top-two certificate (certify(x, { radius: 'top-two' })) gains over Cohen et al.'s
 * one-sided radius on Fashion-MNIST with the bundled CNN (packages/cli/assets/model.onnx, trained at
 * sigma 0.25): mean certified radius (ACR: radius of correct predictions, 0 otherwise), certified
 * accuracy at several radii, abstain rate. Both certificates come from the same run's counts (same
 * noise): the top-two one through `topTwoBounds` / `topTwoRadius`, which is what certify does with
 * `radius: 'top-two'` (tested in core's test/smoothing/top-two-certify.test.ts).
 *
 * Usage: node tools/bench/dist/top-two.js [--images 200] [--n 10000] [--sigma 0.25] [--threads 2]
 * (Fashion-MNIST from Debian's dataset-fashion-mnist; test images 0, 50, 100, ... by default.)
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { topTwoBounds, topTwoRadius } from '@rs/core';
import { hasFashionMnist, loadFashionMnist, FASHION_MNIST_INSTALL_HINT } from '@rs/datasets';
import { OnnxRandomizedSmoothing } from '@rs/onnx';
import { arg } from './util.js';

const MODEL = fileURLToPath(new URL('../../../packages/cli/assets/model.onnx', import.meta.url));

export async function runTopTwoBench(): Promise<void> {
  if (!hasFashionMnist()) {
    console.log(`top-two bench skipped: Fashion-MNIST is missing (${FASHION_MNIST_INSTALL_HINT})`);
    return;
  }
  const images = arg('images', 200);
  const n = arg('n', 10_000);
  const sigma = arg('sigma', 0.25);
  const alpha = 0.001;
  const test = loadFashionMnist({ split: 'test' });
  const stride = Math.max(1, Math.floor(test.count / images));
  const ids = Array.from({ length: images }, (_, i) => i * stride);
  const x = new Float32Array(images * 784);
  ids.forEach((id, i) => {
    x.set(test.x.subarray(id * 784, (id + 1) * 784), i * 784);
  });
  const y = ids.map((id) => test.y[id]!);
  const rs = await OnnxRandomizedSmoothing.create({
    model: MODEL,
    scale: sigma,
    sampleSize: 100,
    alpha,
    seed: 0,
    clipValues: [0, 1],
    intraOpNumThreads: arg('threads', 2),
  });
  const t0 = performance.now();
  const r = await rs.certify(x, { n, batchSize: 1000, inputIds: ids });
  const seconds = (performance.now() - t0) / 1000;
  const c = rs.nbClasses;
  const one = { radius: Array.from(r.radius), prediction: Array.from(r.prediction) };
  const two = { radius: [] as number[], prediction: [] as number[] };
  for (let i = 0; i < images; i++) {
    const b = topTwoBounds(r.estimationCounts, i * c, c, r.selected[i]!, n, alpha);
    const ok = b.pALower > b.pBUpper;
    two.prediction.push(ok ? r.selected[i]! : -1);
    two.radius.push(ok ? topTwoRadius(b.pALower, b.pBUpper, sigma) : 0);
  }
  await rs.dispose();
  const radii = [0, 0.25, 0.5, 0.75, 1];
  const summarize = (s: { radius: number[]; prediction: number[] }) => {
    const correct = s.prediction.map((p, i) => p === y[i]);
    return {
      ACR: (s.radius.reduce((a, v, i) => a + (correct[i] ? v : 0), 0) / images).toFixed(4),
      abstain: (s.prediction.filter((p) => p === -1).length / images).toFixed(3),
      ...Object.fromEntries(radii.map((rr) => [`acc@${rr}`, (correct.filter((ok, i) => ok && s.radius[i]! >= rr).length / images).toFixed(3)])),
    };
  };
  const gained = two.prediction.filter((p, i) => p !== -1 && one.prediction[i] === -1).length;
  const larger = two.radius.filter((v, i) => v > one.radius[i]!).length;
  console.log(
    `top-two vs one-sided radius: bundled CNN, Fashion-MNIST test images ${ids[0]}, ${ids[1]}, ... (${images}), sigma ${sigma}, n0 100, n ${n}, alpha ${alpha}; ${seconds.toFixed(1)} s`,
  );
  console.table({ "one-sided (Cohen et al.'s CERTIFY)": summarize(one), 'top-two (alpha split in half)': summarize(two) });
  console.log(`top-two radius larger on ${larger} of ${images} inputs; certifies ${gained} inputs the one-sided radius abstains on`);
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) await runTopTwoBench();
