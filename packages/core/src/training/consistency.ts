import { z } from 'zod';
import type { LossHead } from '../classifier/classifier.js';
import { integerAtLeast, realIn } from '../options/schema-helpers.js';
import { NOISE_STREAM } from '../sampling/noise-streams.js';
import { softmaxRow } from '../smoothing/softmax.js';
import type { TrainingMethod } from './method.js';
import { noisyCopies } from './noisy-copies.js';

const nonNegative = () => realIn(0, Number.MAX_VALUE, { open: 'none' });

/**
 * Options of consistency regularization (Jeong & Shin, NeurIPS 2020) with the authors' defaults
 * (`train_consistency.py`, `consistency_loss(loss='default')`): `numNoiseVec` (m, 2) noisy copies
 * per input, `lambda` (10) the weight of the KL term, `eta` (0.5) the weight of the entropy term.
 */
export const consistencyOptionsShape = {
  method: z.literal('consistency'),
  numNoiseVec: integerAtLeast(1, 4096).default(2),
  lambda: nonNegative().default(10),
  eta: nonNegative().default(0.5),
};

/** Consistency's settings after defaults. */
export interface ConsistencySettings {
  numNoiseVec: number;
  lambda: number;
  eta: number;
}

const ENTROPY_FLOOR = 1e-20;

/**
 * The consistency loss over `m` input-major noisy copies of each of `count` inputs, in float64, as
 * Jeong & Shin's code computes it (their `kl_div` and `entropy`; the gradient also flows through
 * the mean softmax, which is not detached there):
 *
 *     classification = mean over the count * m rows of CE(z_ij, y_i)
 *     p_i = mean_j softmax(z_ij)
 *     consistency = mean_i (1/m) sum_j KL(p_i || softmax(z_ij))
 *     entropy = mean_i -sum_k p_ik log(max(p_ik, 1e-20))
 *     loss = classification + lambda * consistency + eta * entropy
 *
 * @example
 * const head = consistencyHead(labels, 10, { numNoiseVec: 2, lambda: 10, eta: 0.5 });
 */
export function consistencyHead(labels: Int32Array, nbClasses: number, s: ConsistencySettings): LossHead {
  const m = s.numNoiseVec;
  return {
    name: 'consistency',
    evaluate(logits, rows) {
      const c = nbClasses;
      const count = rows / m;
      const gradient = new Float32Array(rows * c);
      const soft = new Float64Array(m * c);
      const logSoft = new Float64Array(m * c);
      const mean = new Float64Array(c);
      const dMean = new Float64Array(c);
      let classification = 0;
      let consistency = 0;
      let entropy = 0;
      const wKl = s.lambda / (count * m);
      for (let i = 0; i < count; i++) {
        const y = labels[i]!;
        mean.fill(0);
        for (let j = 0; j < m; j++) {
          const r = i * m + j;
          const lse = softmaxRow(logits, r * c, c, soft, j * c);
          for (let k = 0; k < c; k++) {
            logSoft[j * c + k] = logits[r * c + k]! - lse;
            mean[k]! += soft[j * c + k]! / m;
          }
          classification += lse - logits[r * c + y]!;
          for (let l = 0; l < c; l++) gradient[r * c + l] = (soft[j * c + l]! - (l === y ? 1 : 0)) / rows;
        }
        // KL(p || s_j) = sum_k p_k (log p_k - log s_jk) (0 where p_k = 0); entropy with the floor.
        dMean.fill(0);
        for (let k = 0; k < c; k++) {
          const p = mean[k]!;
          const logP = Math.log(p);
          if (p > 0) {
            for (let j = 0; j < m; j++) {
              consistency += (p * (logP - logSoft[j * c + k]!)) / m;
              dMean[k]! += wKl * (logP + 1 - logSoft[j * c + k]!);
            }
          }
          const floored = p >= ENTROPY_FLOOR;
          entropy -= p * Math.log(floored ? p : ENTROPY_FLOOR);
          dMean[k]! -= (s.eta / count) * (floored ? logP + 1 : Math.log(ENTROPY_FLOOR));
        }
        for (let j = 0; j < m; j++) {
          const r = i * m + j;
          let dot = 0;
          for (let k = 0; k < c; k++) dot += dMean[k]! * soft[j * c + k]!;
          for (let l = 0; l < c; l++) {
            const sl = soft[j * c + l]!;
            // through log s_jl (p fixed), then through p = mean_j s_j
            gradient[r * c + l]! += wKl * (sl - mean[l]!) + (sl * (dMean[l]! - dot)) / m;
          }
        }
      }
      classification /= rows;
      consistency /= count;
      entropy /= count;
      const loss = classification + s.lambda * consistency + s.eta * entropy;
      return { loss, gradient, terms: { classification, consistency, entropy } };
    },
  };
}

/**
 * Consistency regularization: `numNoiseVec` noisy copies of each input (noise stream
 * `consistency`), loss {@link consistencyHead}.
 *
 * @example
 * const method = consistencyMethod({ numNoiseVec: 2, lambda: 10, eta: 0.5 });
 */
export function consistencyMethod(s: ConsistencySettings): TrainingMethod {
  return {
    name: 'consistency',
    settings: { ...s },
    rowsPerExample: s.numNoiseVec,
    samplesPerEpoch: s.numNoiseVec,
    needs: [],
    terms: ['classification', 'consistency', 'entropy'],
    async prepare(batch) {
      const x = noisyCopies(batch, NOISE_STREAM.consistency, s.numNoiseVec);
      const head = consistencyHead(batch.labels, batch.config.classifier.nbClasses, s);
      return { x, rows: batch.count * s.numNoiseVec, head };
    },
  };
}
