import { z } from 'zod';
import type { LossHead } from '../classifier/classifier.js';
import { philox4x32, philoxKey } from '../noise/index.js';
import { integerAtLeast, positiveReal, realIn } from '../options/schema-helpers.js';
import { NOISE_STREAM } from '../sampling/noise-streams.js';
import { softmaxRow } from '../smoothing/softmax.js';
import type { MethodBatch, TrainingMethod } from './method.js';
import { addNoise, scaledNoise } from './noisy-copies.js';
import { smoothMixAttack } from './smooth-mix-attack.js';

const nonNegative = () => realIn(0, Number.MAX_VALUE, { open: 'none' });

/**
 * Options of SmoothMix (Jeong et al., NeurIPS 2021) with ART's defaults (`PyTorchSmoothMix`):
 * `eta` (1.0) the weight of the mixup term, `numNoiseVec` (m, 1), `numSteps` (10) attack steps,
 * `warmup` (1) epochs over which the mixup weight and `maxnormS` grow linearly, `mixStep` (0) the
 * attack step whose iterate is the clean side of the mix, `maxnormS` (default `stepSize * mixStep`)
 * and `maxnorm` (default none) the L2 bounds of the clean and adversarial sides; `stepSize` (the
 * authors' `alpha`, 1.0; ART passes its certification `alpha` here instead, a slip).
 */
export const smoothMixOptionsShape = {
  method: z.literal('smoothMix'),
  eta: nonNegative().default(1),
  numNoiseVec: integerAtLeast(1, 4096).default(1),
  numSteps: integerAtLeast(1, 10_000).default(10),
  warmup: integerAtLeast(1).default(1),
  mixStep: integerAtLeast(0).default(0),
  stepSize: positiveReal().default(1),
  maxnormS: nonNegative().nullable().default(null),
  maxnorm: positiveReal().nullable().default(null),
};

/** SmoothMix's settings after defaults. */
export interface SmoothMixSettings {
  eta: number;
  numNoiseVec: number;
  numSteps: number;
  warmup: number;
  mixStep: number;
  stepSize: number;
  maxnormS: number | null;
  maxnorm: number | null;
}

/**
 * SmoothMix's loss over `2 count m` rows: the `count * m` noisy clean-side rows (input-major),
 * then the `count * m` noisy mixed rows, as the authors' `train` computes it (float64):
 *
 *     classification = mean over the clean rows of CE(zc_ij, y_i)
 *     t_i = (1 - lam_i) mean_j softmax(zc_ij) + lam_i / C        (not detached, as theirs)
 *     mixup = mean over the mixed rows of [argmax mean_j softmax(zc_ij) = y_i] KL(t_i || softmax(zm_ij))
 *     loss = classification + weight * mixup                        (weight = eta * warm-up factor)
 *
 * @example
 * const head = smoothMixHead(labels, 10, 2, Float64Array.of(0.1, 0.3), 1);
 */
export function smoothMixHead(labels: Int32Array, nbClasses: number, m: number, lam: Float64Array, weight: number): LossHead {
  return {
    name: 'smoothMix',
    evaluate(logits, rows) {
      const c = nbClasses;
      const half = rows / 2;
      const count = half / m;
      const gradient = new Float32Array(rows * c);
      const soft = new Float64Array(m * c);
      const mean = new Float64Array(c);
      const t = new Float64Array(c);
      const logT = new Float64Array(c);
      const q = new Float64Array(c);
      const dT = new Float64Array(c);
      let classification = 0;
      let mixup = 0;
      for (let i = 0; i < count; i++) {
        const y = labels[i]!;
        mean.fill(0);
        for (let j = 0; j < m; j++) {
          const r = i * m + j;
          const lse = softmaxRow(logits, r * c, c, soft, j * c);
          classification += lse - logits[r * c + y]!;
          for (let k = 0; k < c; k++) {
            mean[k]! += soft[j * c + k]! / m;
            gradient[r * c + k] = (soft[j * c + k]! - (k === y ? 1 : 0)) / half;
          }
        }
        let top = 0;
        for (let k = 1; k < c; k++) if (mean[k]! > mean[top]!) top = k;
        if (top !== y) continue;
        const l = lam[i]!;
        for (let k = 0; k < c; k++) {
          t[k] = (1 - l) * mean[k]! + l / c;
          logT[k] = Math.log(t[k]!);
        }
        dT.fill(0);
        const w = weight / half;
        for (let j = 0; j < m; j++) {
          const r = half + i * m + j;
          const lse = softmaxRow(logits, r * c, c, q);
          for (let k = 0; k < c; k++) {
            const logQ = logits[r * c + k]! - lse;
            mixup += t[k]! * (logT[k]! - logQ);
            dT[k]! += w * (logT[k]! + 1 - logQ);
            gradient[r * c + k] = w * (q[k]! - t[k]!);
          }
        }
        // through t = (1 - lam) mean_j s_j + lam / C into the clean rows
        for (let j = 0; j < m; j++) {
          const r = i * m + j;
          let dot = 0;
          for (let k = 0; k < c; k++) dot += dT[k]! * soft[j * c + k]!;
          for (let k = 0; k < c; k++) gradient[r * c + k]! += ((1 - l) / m) * soft[j * c + k]! * (dT[k]! - dot);
        }
      }
      classification /= half;
      mixup /= half;
      return { loss: classification + weight * mixup, gradient, terms: { classification, mixup } };
    },
  };
}

/**
 * SmoothMix's mixing weights `lam_i = u_i / 2`, `u_i` uniform in (0, 1) from word 0 of Philox
 * counter (0, epoch, example id, `smoothMixWeights`).
 *
 * @example
 * mixingWeights(batch); // Float64Array of batch.count values in (0, 0.5)
 */
export function mixingWeights(batch: MethodBatch): Float64Array {
  const key = philoxKey(batch.seed);
  const out = new Float64Array(batch.count);
  for (let i = 0; i < batch.count; i++) {
    const word = philox4x32([0, batch.epoch, batch.ids[i]!, NOISE_STREAM.smoothMixWeights], key)[0]!;
    out[i] = (word + 0.5) / 2 ** 32 / 2;
  }
  return out;
}

/**
 * SmoothMix: draws `numNoiseVec` noise vectors per input (stream `smoothMix`), runs
 * {@link smoothMixAttack}, mixes `x_mix = (1 - lam) init + lam adv` and takes one step on the noisy
 * clean-side rows `init + e_j` and mixed rows `x_mix + e_j` (the same noise) with {@link smoothMixHead}.
 * The warm-up factor `min(1, (epoch + 1) / warmup)` scales both `eta` and `maxnormS`.
 *
 * @example
 * const method = smoothMixMethod({ eta: 5, numNoiseVec: 2, numSteps: 4, warmup: 10, mixStep: 0, stepSize: 1, maxnormS: null, maxnorm: null });
 */
export function smoothMixMethod(s: SmoothMixSettings): TrainingMethod {
  const m = s.numNoiseVec;
  return {
    name: 'smoothMix',
    settings: { ...s },
    rowsPerExample: 2 * m,
    samplesPerEpoch: m,
    needs: ['gradients'],
    terms: ['classification', 'mixup'],
    async prepare(batch) {
      const { config, count } = batch;
      const dim = config.dim;
      const warm = Math.min(1, (batch.epoch + 1) / s.warmup);
      const noise = scaledNoise(batch, NOISE_STREAM.smoothMix, m);
      const maxnormS = warm * (s.maxnormS ?? s.stepSize * s.mixStep);
      const { init, adv } = await smoothMixAttack(batch, noise, {
        numSteps: s.numSteps,
        stepSize: s.stepSize,
        mixStep: s.mixStep,
        maxnorm: s.maxnorm,
        maxnormS,
        m,
      });
      const lam = mixingWeights(batch);
      const mix = new Float64Array(count * dim);
      for (let i = 0; i < count; i++) {
        const l = lam[i]!;
        for (let f = 0; f < dim; f++) mix[i * dim + f] = (1 - l) * init[i * dim + f]! + l * adv[i * dim + f]!;
      }
      const x = new Float32Array(2 * count * m * dim);
      x.set(addNoise(config, init, count, noise, m));
      x.set(addNoise(config, mix, count, noise, m), count * m * dim);
      return { x, rows: 2 * count * m, head: smoothMixHead(batch.labels, config.classifier.nbClasses, m, lam, s.eta * warm) };
    },
  };
}
