import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FitOptions } from '@rs/core';
import { loadTrainingReference, worstTensorError } from '@rs/fixtures';
import { getInitializers } from '@rs/onnx-graph';
import { describe, expect, it } from 'vitest';
import { WebGpuRandomizedSmoothing } from '../src/index.js';
import { adapter } from './helpers.js';

// PyTorch (float64, the authors' code) on core's noise: tools/fixtures/training-reference/README.md.
const ref = loadTrainingReference();
const s = ref.settings;
const dir = mkdtempSync(join(tmpdir(), 'rs-webgpu-train-ref-'));
const names = ref.expected.parameters;

function flatWeights(bytes: Uint8Array): Float64Array {
  const all = getInitializers(bytes);
  return Float64Array.from(names.flatMap((n) => Array.from(all.get(n)!.data as Float32Array)));
}

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);

describe.skipIf(!adapter.available)(
  `one step of every training method on the device agrees with PyTorch${adapter.available ? '' : ` (skipped: ${adapter.reason})`}`,
  () => {
    const before = flatWeights(ref.model);
    for (const [key, method] of Object.entries(s.methods)) {
      it(`${key}: the loss and the weight gradient (WGSL) within 1e-4`, async () => {
        const rs = await WebGpuRandomizedSmoothing.create({ model: ref.model, scale: s.sigma, seed: s.seed, clipValues: [0, 1] });
        const options = { ...method, nbEpochs: 1, initialEpoch: s.epoch, batchSize: s.count, shuffle: false, optimizer: 'sgd', learningRate: s.learningRate };
        const { epochLosses } = await rs.fit(ref.x, ref.y, options as FitOptions);
        const want = ref.expected.methods[key]!;
        const path = join(dir, `${key}.onnx`);
        await rs.save!(path);
        const after = flatWeights(new Uint8Array(readFileSync(path)));
        const gradErr = worstTensorError(
          ref.expected,
          before.map((w, i) => (w - after[i]!) / s.learningRate),
          ref.gradient(key),
        );
        console.log(
          `[webgpu] ${key}: loss relative error ${rel(epochLosses[0]!, want.loss).toExponential(1)}; weight gradient ${gradErr.toExponential(1)} of each tensor's largest`,
        );
        expect(rel(epochLosses[0]!, want.loss)).toBeLessThan(1e-4);
        expect(gradErr).toBeLessThan(1e-4);
        await rs.dispose();
      });
    }
  },
);
