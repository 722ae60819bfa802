import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { GpuUnavailableError, selectBackend, TfjsClassifier, TfjsRandomizedSmoothing } from '../src/index.js';
import { buildFixtureCnn, fixture } from './helpers.js';

const f = fixture();
const dir = mkdtempSync(join(tmpdir(), 'rs-tfjs-bad-'));
const good = join(dir, 'good');

beforeAll(async () => {
  await selectBackend({ backend: 'cpu' });
  const model = buildFixtureCnn();

  const rs = await TfjsClassifier.create({ model, backend: 'cpu' });
  await rs.save(good);
  model.dispose();
});

describe('bad input to the TF.js backend gets a clear error', () => {
  it('a missing model.json, a JSON file that is not a model, a missing or truncated weights file', async () => {
    await expect(TfjsClassifier.create({ model: join(dir, 'nope', 'model.json'), backend: 'cpu' })).rejects.toThrow(
      /TF\.js model file not found: .*nope\/model.json/,
    );
    await expect(TfjsClassifier.create({ model: join(dir, 'nope', 'model.json'), backend: 'cpu' })).rejects.toMatchObject({ code: 'RS_FILE_NOT_FOUND' });
    writeFileSync(join(dir, 'text.json'), 'this is not JSON');
    await expect(TfjsClassifier.create({ model: join(dir, 'text.json'), backend: 'cpu' })).rejects.toThrow(
      /not a TF\.js model\.json \(.*text\.json\): invalid JSON/,
    );
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'x', version: '1.0.0' }));
    await expect(TfjsClassifier.create({ model: join(dir, 'package.json'), backend: 'cpu' })).rejects.toThrow(
      /not a TF\.js model\.json \(.*package\.json\): it has no 'modelTopology' object \(keys: name, version\)/,
    );
    writeFileSync(join(dir, 'odd.json'), JSON.stringify({ modelTopology: { hello: 1 } }));
    await expect(TfjsClassifier.create({ model: join(dir, 'odd.json'), backend: 'cpu' })).rejects.toThrow(
      /'modelTopology' is neither a Keras model .* nor a graph/,
    );
    const noWeights = join(dir, 'no-weights');
    mkdirSync(noWeights);
    copyFileSync(join(good, 'model.json'), join(noWeights, 'model.json'));
    await expect(TfjsClassifier.create({ model: noWeights, backend: 'cpu' })).rejects.toThrow(
      /weights file not found: .*no-weights\/weights\.bin \(listed in the weightsManifest of .*model\.json\)/,
    );
    const truncated = join(dir, 'truncated');
    mkdirSync(truncated);
    copyFileSync(join(good, 'model.json'), join(truncated, 'model.json'));
    writeFileSync(join(truncated, 'weights.bin'), readFileSync(join(good, 'weights.bin')).subarray(0, 1000));
    await expect(TfjsClassifier.create({ model: truncated, backend: 'cpu' })).rejects.toThrow(
      /hold 1000 bytes, but its weightsManifest describes 827688 bytes: truncated or mismatched weight files/,
    );
  });

  it('shapes that do not fit the model', async () => {
    await expect(TfjsClassifier.create({ model: good, backend: 'cpu', inputShape: [1, 28, 28] })).rejects.toThrow(
      /'inputShape' \[1, 28, 28\] does not match the model's input \[null, 28, 28, 1\]/,
    );
    await expect(TfjsClassifier.create({ model: good, backend: 'cpu', nbClasses: 7 })).rejects.toThrow(
      /output has shape \[1, 10\] for a batch of 1: expected \[batch, nbClasses\] = \[1, 7\]/,
    );
    const threeD = tf.sequential({ layers: [tf.layers.reshape({ targetShape: [2, 2], inputShape: [4] })] });
    await expect(TfjsClassifier.create({ model: threeD, backend: 'cpu' })).rejects.toThrow(
      /the model's output has shape \[1, 2, 2\] for a batch of 1: expected \[batch, nbClasses\] logits/,
    );
    const symbolic = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [4] })] });
    await expect(TfjsClassifier.create({ model: symbolic, backend: 'cpu', inputShape: [5] })).rejects.toThrow(
      /'inputShape' \[5\] does not match the model's input \[null, 4\]/,
    );
    const rs = await TfjsRandomizedSmoothing.create({ model: good, backend: 'cpu', scale: 0.25, seed: 1 });
    const nchw = tf.zeros([2, 1, 28, 28]);
    await expect(rs.predictLogits(nchw)).rejects.toThrow(/'x' has shape \[2, 1, 28, 28\]: it must be \[batch, 28, 28, 1\] or \[28, 28, 1\]/);
    nchw.dispose();
    const x = f.x.slice(0, 784);
    x[100] = Number.NaN;
    await expect(rs.certify(x, { n: 100 })).rejects.toThrow(/'x' contains NaN at input 0, feature 100/);
    await expect(rs.predict(f.x.slice(0, 700))).rejects.toThrow(/'x' has 700 values, not a multiple of prod\(inputShape\) = 784/);
    await rs.dispose();
    await expect(rs.predictLogits(f.x.slice(0, 784))).rejects.toThrow(/disposed/);
  });

  it('bad options', async () => {
    await expect(TfjsClassifier.create({ model: 42 as never })).rejects.toThrow(
      /'model' must be a tf\.LayersModel, a tf\.GraphModel or the path of a TF\.js model\.json/,
    );
    await expect(TfjsClassifier.create({ model: good, backend: 'webgl' as never })).rejects.toThrow(/'backend' must be 'auto', 'tensorflow', 'wasm' or 'cpu'/);
    await expect(TfjsClassifier.create({ model: good, deviceType: 'tpu' as never })).rejects.toThrow(/'deviceType' must be 'cpu' or 'gpu'/);
    await expect(TfjsRandomizedSmoothing.create({ model: good, backend: 'cpu', alpha: 0.7 })).rejects.toThrow(/'alpha' must be in \(0, 0.5\), got 0.7/);
    await expect(TfjsRandomizedSmoothing.create({ model: good, sigma: 0.2 } as never)).rejects.toThrow(/unknown option 'sigma'/);
    await expect(TfjsRandomizedSmoothing.create({ model: good, backend: 'cpu', clipValues: [0, 1], clipNoisy: 'yes' as never })).rejects.toThrow(
      /'clipNoisy' must be a boolean/,
    );
  });

  it('backends that are not installed: an error naming the package, or a logged GPU fallback', async () => {
    const hasNode = await import('@tensorflow/tfjs-node' as string).then(
      () => true,
      () => false,
    );
    if (!hasNode) {
      await expect(TfjsClassifier.create({ model: good, backend: 'tensorflow', deviceType: 'cpu' })).rejects.toThrow(
        /backend 'tensorflow' is not available \(@tensorflow\/tfjs-node: not installed\)\. Install it: npm install @tensorflow\/tfjs-node/,
      );
    }
    const hasGpu = await selectBackend({ deviceType: 'gpu' }).then(
      () => true,
      (err: Error) => {
        expect(err).toBeInstanceOf(GpuUnavailableError);
        expect(err.message).toMatch(
          /deviceType 'gpu' needs @tensorflow\/tfjs-node-gpu, which could not be loaded .*npm install @tensorflow\/tfjs-node-gpu.*gpuFallback: 'cpu'/,
        );
        return false;
      },
    );
    if (hasGpu) return; // on a CUDA machine with tfjs-node-gpu there is nothing to fall back from
    await expect(TfjsClassifier.create({ model: good, deviceType: 'gpu', backend: 'wasm' })).rejects.toThrow(
      /deviceType 'gpu' needs the 'tensorflow' backend .*not backend 'wasm'/,
    );
    const warnings: string[] = [];
    const c = await TfjsClassifier.create({ model: good, deviceType: 'gpu', gpuFallback: 'cpu', onWarning: (m) => warnings.push(m) });
    expect(c.backend).toEqual({
      name: hasNode ? 'tensorflow' : 'wasm',
      deviceType: 'cpu',
      package: hasNode ? '@tensorflow/tfjs-node' : '@tensorflow/tfjs-backend-wasm',
      fellBack: true,
    });
    expect(warnings[0]).toMatch(/Falling back to the '(wasm|tensorflow)' backend/);
    await c.dispose();
  });
});
