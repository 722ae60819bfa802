/**
 * Ensemble outcome (Horvath et al., ICLR 2022): three Fashion-MNIST CNNs trained by this library
 * with Gaussian data augmentation from different seeds (initialization, noise, shuffling), each
 * certified on its own and as one `ensemble([...], { combine: 'mean-softmax' })` base classifier,
 * on the same test images with the same noise. Prints certified accuracy at r = 0.25 / 0.5 / 1.0
 * and the average certified radius (ACR) of each.
 *
 * Usage: node tools/bench/dist/ensemble-outcome.js [--images 500] [--n 10000] [--sigma 0.25] [--epochs 2] [--train 60000] [--threads 2]
 * (needs Debian's dataset-fashion-mnist; about 8 minutes on 2 cores with the defaults)
 */
import { fileURLToPath } from 'node:url';
import { ensemble, smooth, type Classifier } from '@rs/core';
import { loadFashionMnist } from '@rs/datasets';
import { readFmnistCnn } from '@rs/fixtures';
import { OnnxClassifier, OnnxRandomizedSmoothing } from '@rs/onnx';
import { freshCnn } from './bench-models.js';
import { formatOutcomes, outcomeRow, type OutcomeRow } from './outcome-table.js';
import { arg } from './util.js';

const RADII = [0.25, 0.5, 1];

/** Every `step`-th test image, `count` of them (500 of 10,000: every 20th). */
export function testImages(count: number): { x: Float32Array; y: Int32Array } {
  const all = loadFashionMnist({ split: 'test' });
  const step = Math.floor(all.count / count);
  const x = new Float32Array(count * 784);
  const y = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    x.set(all.x.subarray(i * step * 784, (i * step + 1) * 784), i * 784);
    y[i] = all.y[i * step]!;
  }
  return { x, y };
}

/** Certifies with the bench's settings and returns the outcome row. */
export async function certifyRow(
  name: string,
  base: Classifier,
  sigma: number,
  test: { x: Float32Array; y: Int32Array },
  o: { n: number; batch: number },
): Promise<OutcomeRow> {
  const g = smooth(base, { scale: sigma, sampleSize: 100, alpha: 0.001, seed: 7, clipValues: [0, 1] });
  const t0 = performance.now();
  const r = await g.certify(test.x, { n: o.n, batchSize: o.batch });
  const row = outcomeRow(name, r, test.y, RADII, (performance.now() - t0) / 1000);
  console.log(`  ${name}: accuracy ${(100 * row.accuracy).toFixed(1)}%, ACR ${row.acr.toFixed(3)} (${row.seconds.toFixed(0)} s)`);
  return row;
}

export async function runEnsembleOutcome(): Promise<void> {
  const images = arg('images', 500);
  const n = arg('n', 10_000);
  const sigma = arg('sigma', 0.25);
  const epochs = arg('epochs', 2);
  const threads = arg('threads', 2);
  const trainCount = arg('train', 60_000);
  const train = loadFashionMnist({ split: 'train', limit: trainCount });
  const test = testImages(images);
  const architecture = readFmnistCnn('model.onnx');
  console.log(
    `Ensemble outcome: 3 CNNs trained with Gaussian augmentation (sigma ${sigma}, ${epochs} epochs, ${train.count} images), ${images} test images, n ${n}`,
  );
  const members: OnnxClassifier[] = [];
  for (const seed of [1, 2, 3]) {
    const rs = await OnnxRandomizedSmoothing.create({ model: freshCnn(architecture, BigInt(seed)), scale: sigma, seed, intraOpNumThreads: threads });
    const t0 = performance.now();
    const { epochLosses } = await rs.fit(train.x, train.y, { nbEpochs: epochs, batchSize: 64, optimizer: 'adam', learningRate: 2e-3 });
    const bytes = await savedBytes(rs);
    console.log(
      `  member seed ${seed}: epoch losses ${Array.from(epochLosses, (l) => l.toFixed(4)).join(', ')} (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
    );
    await rs.dispose();
    members.push(await OnnxClassifier.create({ model: bytes, intraOpNumThreads: threads }));
  }
  const rows: OutcomeRow[] = [];
  for (const [i, m] of members.entries()) rows.push(await certifyRow(`member ${i + 1} (seed ${i + 1})`, m, sigma, test, { n, batch: 1000 }));
  rows.push(await certifyRow('ensemble of the 3 (mean-softmax)', ensemble(members, { combine: 'mean-softmax' }), sigma, test, { n, batch: 1000 }));
  const best = Math.max(...rows.slice(0, 3).map((r) => r.acr));
  const ens = rows[3]!.acr;
  console.log(`\nsigma ${sigma}, ${images} Fashion-MNIST test images, n0 100, n ${n}, alpha 0.001:\n${formatOutcomes(rows, RADII)}`);
  console.log(`ensemble ACR ${ens.toFixed(3)} vs best member ${best.toFixed(3)}: ${ens >= best ? '+' : ''}${((100 * (ens - best)) / best).toFixed(1)}%`);
  for (const m of members) await m.dispose();
}

/** The trained model's bytes (through a temporary file: `save` writes atomically). */
async function savedBytes(rs: OnnxRandomizedSmoothing): Promise<Uint8Array> {
  const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'rs-bench-'));
  try {
    await rs.save(join(dir, 'model.onnx'));
    return new Uint8Array(readFileSync(join(dir, 'model.onnx')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await runEnsembleOutcome();
