import { z } from 'zod';
import type { LossHead } from '../classifier/classifier.js';
import { integerAtLeast, positiveReal, realIn } from '../options/schema-helpers.js';
import { NOISE_STREAM } from '../sampling/noise-streams.js';
import { normalPdf } from '../stats/normal.js';
import { normalPpf } from '../stats/normal-ppf.js';
import { softmaxScaled } from './cross-entropy-head.js';
import type { TrainingMethod } from './method.js';
import { noisyCopies } from './noisy-copies.js';

/**
 * Options of MACER (Zhai et al., ICLR 2020), with ART's defaults (`PyTorchMACER`):
 * `gaussianSamples` (k, 16) noisy copies per input, `beta` (16) the inverse temperature of the
 * robustness term's softmax, `gamma` (8) its hinge, `lambda` (12) its weight (ART: `lmbda`);
 * `deferEpochs` (0) epochs trained with `lambda` 0 first (Jeong et al.'s `--deferred` MACER baseline
 * defers it to the first learning-rate step).
 */
export const macerOptionsShape = {
  method: z.literal('macer'),
  gaussianSamples: integerAtLeast(1, 4096).default(16),
  beta: positiveReal().default(16),
  gamma: positiveReal().default(8),
  lambda: realIn(0, Number.MAX_VALUE, { open: 'none' }).default(12),
  deferEpochs: integerAtLeast(0).default(0),
};

/** MACER's settings after defaults. */
export interface MacerSettings {
  gaussianSamples: number;
  beta: number;
  gamma: number;
  lambda: number;
  /** Epochs with `lambda` 0 first (default 0). */
  deferEpochs?: number;
}

/**
 * MACER's loss over `m` input-major noisy copies of each of `count` inputs (`count * m` rows), as
 * the authors' `macer_train` and ART's `PyTorchMACER.fit` compute it, in float64:
 *
 *     classification = sum_i -log(mean_j softmax(z_ij)[y_i] + 1e-10)
 *     q_i = mean_j softmax(beta z_ij);  (a, b) = its top two classes
 *     robustness = sigma/2 * sum over i with a = y_i and |Phi^-1(q_ib) - Phi^-1(q_ia)| <= gamma (finite)
 *                  of (Phi^-1(q_ib) - Phi^-1(q_ia) + gamma)
 *     loss = (classification + lambda * robustness) / count
 *
 * Terms (per input): `classification / count`, `robustness / count`. The gradient flows through
 * both softmaxes and Phi^-1 (`dPhi^-1(p)/dp = 1 / phi(Phi^-1(p))`), not through the selections.
 *
 * @example
 * const head = macerHead(labels, 10, { gaussianSamples: 16, beta: 16, gamma: 8, lambda: 12 }, 0.5);
 */
export function macerHead(labels: Int32Array, nbClasses: number, s: MacerSettings, sigma: number): LossHead {
  const m = s.gaussianSamples;
  return {
    name: 'macer',
    evaluate(logits, rows) {
      const c = nbClasses;
      const count = rows / m;
      const gradient = new Float32Array(rows * c);
      const soft = new Float64Array(m * c);
      const sharp = new Float64Array(m * c);
      const mean = new Float64Array(c);
      const q = new Float64Array(c);
      let classification = 0;
      let robustness = 0;
      for (let i = 0; i < count; i++) {
        const y = labels[i]!;
        mean.fill(0);
        q.fill(0);
        for (let j = 0; j < m; j++) {
          const r = i * m + j;
          softmaxScaled(logits, r * c, c, 1, soft.subarray(j * c, (j + 1) * c));
          softmaxScaled(logits, r * c, c, s.beta, sharp.subarray(j * c, (j + 1) * c));
          for (let k = 0; k < c; k++) {
            mean[k]! += soft[j * c + k]! / m;
            q[k]! += sharp[j * c + k]! / m;
          }
        }
        classification -= Math.log(mean[y]! + 1e-10);
        // d CE / d mean[y] = -1 / (mean[y] + 1e-10); d mean[y] / d z_jl = s_j[y] (delta_yl - s_j[l]) / m
        const dMean = -1 / (mean[y]! + 1e-10) / count;
        for (let j = 0; j < m; j++) {
          const sy = soft[j * c + y]!;
          for (let l = 0; l < c; l++) gradient[(i * m + j) * c + l]! += (dMean * sy * ((l === y ? 1 : 0) - soft[j * c + l]!)) / m;
        }
        // Top two classes of q (ties: the lower class first, as a stable sort would).
        let a = 0;
        for (let k = 1; k < c; k++) if (q[k]! > q[a]!) a = k;
        let b = a === 0 ? 1 : 0;
        for (let k = 0; k < c; k++) if (k !== a && q[k]! > q[b]!) b = k;
        if (a !== y) continue;
        const ia = normalPpf(q[a]!);
        const ib = normalPpf(q[b]!);
        const gap = ib - ia;
        if (!Number.isFinite(gap) || Math.abs(gap) > s.gamma) continue;
        robustness += ((gap + s.gamma) * sigma) / 2;
        // d gap / d q[b] = 1 / phi(ib), d gap / d q[a] = -1 / phi(ia)
        const w = (s.lambda * sigma) / 2 / count;
        const dq = new Float64Array(c);
        dq[b] = w / normalPdf(ib);
        dq[a] = -w / normalPdf(ia);
        for (let j = 0; j < m; j++) {
          // d q[k] / d z_jl = beta / m * t_j[k] (delta_kl - t_j[l])
          let dot = 0;
          for (let k = 0; k < c; k++) dot += dq[k]! * sharp[j * c + k]!;
          for (let l = 0; l < c; l++) {
            const t = sharp[j * c + l]!;
            gradient[(i * m + j) * c + l]! += (s.beta / m) * t * (dq[l]! - dot);
          }
        }
      }
      const loss = (classification + s.lambda * robustness) / count;
      return { loss, gradient, terms: { classification: classification / count, robustness: robustness / count } };
    },
  };
}

/**
 * MACER: `gaussianSamples` noisy copies of each input (noise stream `macer`), loss {@link macerHead}.
 *
 * @example
 * const method = macerMethod({ gaussianSamples: 16, beta: 16, gamma: 8, lambda: 12 });
 */
export function macerMethod(s: MacerSettings): TrainingMethod {
  return {
    name: 'macer',
    settings: { ...s },
    rowsPerExample: s.gaussianSamples,
    samplesPerEpoch: s.gaussianSamples,
    needs: [],
    terms: ['classification', 'robustness'],
    async prepare(batch) {
      const x = noisyCopies(batch, NOISE_STREAM.macer, s.gaussianSamples);
      const lambda = batch.epoch < (s.deferEpochs ?? 0) ? 0 : s.lambda;
      const head = macerHead(batch.labels, batch.config.classifier.nbClasses, { ...s, lambda }, batch.config.options.scale);
      return { x, rows: batch.count * s.gaussianSamples, head };
    },
  };
}
