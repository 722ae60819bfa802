import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  NOISE_STREAM,
  resolveSmoothingConfig,
  scaledNoise,
  smoothDdnAttack,
  smoothMixAttack,
  smoothPgdAttack,
  warmedEpsilon,
  type FitOptions,
  type MethodBatch,
} from '@rs/core';
import { loadTrainingReference, worstTensorError } from '@rs/fixtures';
import { getInitializers } from '@rs/onnx-graph';
import { describe, expect, it } from 'vitest';
import { OnnxClassifier, OnnxRandomizedSmoothing } from '../src/index.js';

// PyTorch (float64, the authors' code) on core's noise: tools/fixtures/training-reference/README.md.
const ref = loadTrainingReference();
const s = ref.settings;
const dir = mkdtempSync(join(tmpdir(), 'rs-onnx-train-ref-'));
const names = ref.expected.parameters;

function flatWeights(bytes: Uint8Array): Float64Array {
  const all = getInitializers(bytes);
  return Float64Array.from(names.flatMap((n) => Array.from(all.get(n)!.data as Float32Array)));
}

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);

describe('one step of every training method agrees with PyTorch (the authors’ losses, float64) on core’s noise', () => {
  const before = flatWeights(ref.model);
  for (const [key, method] of Object.entries(s.methods)) {
    it(`${key}: the loss, its terms and the weight gradient within 1e-4`, async () => {
      const rs = await OnnxRandomizedSmoothing.create({ model: ref.model, scale: s.sigma, seed: s.seed, clipValues: [0, 1], intraOpNumThreads: 1 });
      const options = { ...method, nbEpochs: 1, initialEpoch: s.epoch, batchSize: s.count, shuffle: false, optimizer: 'sgd', learningRate: s.learningRate };
      const { epochLosses, epochTerms } = await rs.fit(ref.x, ref.y, options as FitOptions);
      const want = ref.expected.methods[key]!;
      const path = join(dir, `${key}.onnx`);
      await rs.save(path);
      const after = flatWeights(new Uint8Array(readFileSync(path)));
      const gradient = before.map((w, i) => (w - after[i]!) / s.learningRate);
      const gradErr = worstTensorError(ref.expected, gradient, ref.gradient(key));
      const termErrs = Object.entries(want.terms).map(([t, v]) => `${t} ${rel(epochTerms[t]![0]!, v).toExponential(1)}`);
      console.log(
        `[onnx] ${key}: loss ${epochLosses[0]!.toPrecision(8)} vs PyTorch ${want.loss.toPrecision(8)} (relative ${rel(epochLosses[0]!, want.loss).toExponential(1)}); terms ${termErrs.join(', ')}; weight gradient ${gradErr.toExponential(1)} of each tensor's largest`,
      );
      expect(rel(epochLosses[0]!, want.loss)).toBeLessThan(1e-4);
      for (const [t, v] of Object.entries(want.terms)) expect(Math.abs(epochTerms[t]![0]! - v), `term ${t}`).toBeLessThan(1e-4 * Math.max(Math.abs(v), 1e-2));
      expect(gradErr).toBeLessThan(1e-4);
      await rs.dispose();
    });
  }

  it('the attacks’ adversarial examples (SmoothAdv PGD and DDN, SmoothMix both sides) within 1e-4 after 3 steps', async () => {
    const classifier = await OnnxClassifier.create({ model: ref.model, intraOpNumThreads: 1 });
    const config = resolveSmoothingConfig(classifier, { scale: s.sigma, seed: s.seed, clipValues: [0, 1] });
    const batch: MethodBatch = {
      config,
      seed: BigInt(s.seed),
      epoch: s.epoch,
      x: ref.x,
      count: s.count,
      labels: ref.y,
      ids: Uint32Array.from({ length: s.count }, (_, i) => i),
    };
    const maxDiff = (a: Float64Array, b: Float64Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
    const pgd = s.methods.smoothAdvPgd as unknown as { epsilon: number; warmup: number; numSteps: number; numNoiseVec: number };
    const noise = scaledNoise(batch, NOISE_STREAM.smoothAdv, pgd.numNoiseVec);
    expect(Array.from(noise), 'the fixture holds the noise core draws (regenerate it with make-noise.mjs)').toEqual(Array.from(ref.noise('smoothAdv')));
    const epsilon = warmedEpsilon(pgd.epsilon, pgd.warmup, s.epoch);
    const advPgd = await smoothPgdAttack(batch, noise, { epsilon, numSteps: pgd.numSteps, m: pgd.numNoiseVec });
    const ddn = s.methods.smoothAdvDdn as unknown as { ddnGamma: number; ddnLevels: number };
    const advDdn = await smoothDdnAttack(batch, noise, { epsilon, numSteps: pgd.numSteps, m: pgd.numNoiseVec, gamma: ddn.ddnGamma, levels: ddn.ddnLevels });
    const mix = s.methods.smoothMix as unknown as { numNoiseVec: number; numSteps: number; stepSize: number; mixStep: number; maxnorm: number; warmup: number };
    const warm = Math.min(1, (s.epoch + 1) / mix.warmup);
    const mixed = await smoothMixAttack(batch, scaledNoise(batch, NOISE_STREAM.smoothMix, mix.numNoiseVec), {
      numSteps: mix.numSteps,
      stepSize: mix.stepSize,
      mixStep: mix.mixStep,
      maxnorm: mix.maxnorm,
      maxnormS: warm * mix.stepSize * mix.mixStep,
      m: mix.numNoiseVec,
    });
    const errors = {
      pgd: maxDiff(advPgd, ref.adversarial('smoothAdvPgd')),
      ddn: maxDiff(advDdn, ref.adversarial('smoothAdvDdn')),
      smoothMixAdv: maxDiff(mixed.adv, ref.adversarial('smoothMix')),
      smoothMixInit: maxDiff(mixed.init, ref.smoothMixInit()),
    };
    const moved = maxDiff(advPgd, Float64Array.from(ref.x));
    console.log(
      `[onnx] adversarial examples vs PyTorch, max |difference| (inputs in [0, 1], PGD moved pixels by up to ${moved.toFixed(3)}): ${JSON.stringify(errors)}`,
    );
    expect(moved).toBeGreaterThan(0.05);
    for (const [k, e] of Object.entries(errors)) expect(e, k).toBeLessThan(1e-4);
    await classifier.dispose();
  });
});
