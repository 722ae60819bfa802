/**
 * Denoised smoothing outcome (Salman et al., NeurIPS 2020): a Fashion-MNIST CNN trained by this
 * library on clean images only, smoothed as it is and with a small denoiser in front, the denoiser
 * trained by this library (`trainDenoiser`) with the MSE objective, then the stability objective
 * (the classifier frozen), at sigma 0.25 and 0.5. Prints certified accuracy at r = 0.25 / 0.5 / 1.0
 * and the average certified radius (ACR) on the same test images with the same noise.
 *
 * Usage: node tools/bench/dist/denoised-smoothing.js [--images 500] [--n 2000] [--train 60000]
 *   [--denoiser-train 60000] [--classifier-epochs 2] [--mse-epochs 1] [--stability-epochs 1]
 *   [--mse-lr 0.001] [--stability-lr 0.0005] [--channels 16] [--threads 2] [--sigmas 0.25,0.5]
 *   [--mse-row 1] [--classifier clean.onnx] [--save DIR]
 * `--mse-row 0` leaves out the certify run of the MSE-only denoiser. `--classifier` reuses a CNN this bench trained and saved before (`--save DIR` writes it and the denoisers).
 * (needs Debian's dataset-fashion-mnist; about 30 minutes on 2 loaded cores with the defaults)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compose, trainDenoiser, type Classifier } from '@rs/core';
import { loadFashionMnist } from '@rs/datasets';
import { readFmnistCnn } from '@rs/fixtures';
import { OnnxClassifier } from '@rs/onnx';
import { denoiserModel, freshCnn, trainClean } from './bench-models.js';
import { certifyRow, testImages } from './ensemble-outcome.js';
import { formatOutcomes, type OutcomeRow } from './outcome-table.js';
import { arg } from './util.js';

const RADII = [0.25, 0.5, 1];

/** String command-line flag `--name value`, or undefined. */
function stringArg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const seconds = (t0: number) => `${((performance.now() - t0) / 1000).toFixed(0)} s`;

/** The clean-trained CNN: trained here (no noise), or one an earlier run of this bench saved. */
async function cleanClassifier(train: { x: Float32Array; y: Int32Array; count: number }, threads: number): Promise<OnnxClassifier> {
  const reuse = stringArg('classifier');
  const t0 = performance.now();
  const model = reuse ? new Uint8Array(readFileSync(reuse)) : freshCnn(readFmnistCnn('model.onnx'), 0n);
  const classifier = await OnnxClassifier.create({ model, intraOpNumThreads: threads });
  if (reuse) console.log(`Denoised smoothing outcome: the clean-trained CNN of an earlier run (${reuse})`);
  else {
    const epochs = arg('classifier-epochs', 2);
    const losses = await trainClean(classifier, train.x, train.y, { epochs, batchSize: 64, seed: 0n, optimizer: 'adam', learningRate: 1e-3 });
    console.log(
      `Denoised smoothing outcome: CNN trained on ${train.count} clean images, ${epochs} epochs (losses ${losses.map((l) => l.toFixed(4)).join(', ')}; ${seconds(t0)})`,
    );
  }
  return classifier;
}

export async function runDenoisedSmoothingOutcome(): Promise<void> {
  const images = arg('images', 500);
  const n = arg('n', 2000);
  const threads = arg('threads', 2);
  const channels = arg('channels', 16);
  const sigmas = (stringArg('sigmas') ?? '0.25,0.5').split(',').map(Number);
  const save = stringArg('save');
  const train = loadFashionMnist({ split: 'train', limit: arg('train', 60_000) });
  const test = testImages(images);
  const denoiserTrain = train.x.subarray(0, Math.min(train.count, arg('denoiser-train', 60_000)) * 784);
  const denoiserCount = denoiserTrain.length / 784;
  const classifier = await cleanClassifier(train, threads);
  if (save && !stringArg('classifier')) await classifier.save(join(save, 'clean-cnn.onnx'));
  const certifyAt = (name: string, base: Classifier, sigma: number) => certifyRow(name, base, sigma, test, { n, batch: 1000 });

  const tables: string[] = [];
  for (const sigma of sigmas) {
    const rows: OutcomeRow[] = [];
    rows.push(await certifyAt(`sigma ${sigma}: clean-trained CNN alone`, classifier, sigma));
    const denoiser = await OnnxClassifier.create({ model: denoiserModel(channels, 1n), output: 'any', intraOpNumThreads: threads });
    let t0 = performance.now();
    const mseEpochs = arg('mse-epochs', 1);
    const mse = await trainDenoiser(denoiser, denoiserTrain, {
      objective: 'mse',
      scale: sigma,
      nbEpochs: mseEpochs,
      batchSize: 64,
      learningRate: arg('mse-lr', 1e-3),
      seed: 1,
    });
    console.log(
      `  denoiser (MSE, ${denoiserCount} images x ${mseEpochs} epochs): losses ${Array.from(mse.epochLosses, (l) => l.toFixed(5)).join(', ')} (${seconds(t0)})`,
    );
    if (arg('mse-row', 1)) rows.push(await certifyAt(`sigma ${sigma}: + denoiser (MSE)`, compose(denoiser, classifier), sigma));
    t0 = performance.now();
    const stabilityEpochs = arg('stability-epochs', 1);
    const stability = await trainDenoiser(denoiser, denoiserTrain, {
      objective: 'stability',
      classifier,
      scale: sigma,
      nbEpochs: stabilityEpochs,
      batchSize: 64,
      learningRate: arg('stability-lr', 5e-4),
      seed: 2,
    });
    console.log(
      `  denoiser (stability, ${denoiserCount} images x ${stabilityEpochs} epochs): losses ${Array.from(stability.epochLosses, (l) => l.toFixed(4)).join(', ')} (${seconds(t0)})`,
    );
    rows.push(await certifyAt(`sigma ${sigma}: + denoiser (MSE, then stability)`, compose(denoiser, classifier), sigma));
    if (save) await denoiser.save(join(save, `denoiser-sigma${sigma}.onnx`));
    await denoiser.dispose();
    const gain = 100 * (rows.at(-1)!.certified[1]! - rows[0]!.certified[1]!);
    tables.push(
      `sigma ${sigma}, ${images} Fashion-MNIST test images, n0 100, n ${n}, alpha 0.001:\n${formatOutcomes(rows, RADII)}\ncertified accuracy at r = 0.5: ${gain >= 0 ? '+' : ''}${gain.toFixed(1)} points with the denoiser (MSE, then stability)`,
    );
    console.log(`\n${tables.at(-1)}\n`);
  }
  console.log(tables.join('\n\n'));
  await classifier.dispose();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await runDenoisedSmoothingOutcome();
