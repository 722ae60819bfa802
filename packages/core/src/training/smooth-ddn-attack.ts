import { throwIfAborted } from '../errors.js';
import { clampRow, renormRow, rowNorm, roundHalfEven, toFloat64, unitDirection } from './attack-steps.js';
import type { MethodBatch } from './method.js';
import { softSmoothedGradient } from './soft-smoothed-gradient.js';

/** Settings of {@link smoothDdnAttack}. */
export interface SmoothDdnSettings {
  /** Largest L2 norm of the result, and the initial norm of the search (Salman et al. set both to the warmed-up epsilon). */
  epsilon: number;
  numSteps: number;
  m: number;
  /** Factor of the norm's change per step (DDN's gamma, 0.05). */
  gamma: number;
  /** Quantization levels of the valid domain (256 for 8-bit images; 0: none). Needs `clipValues`. */
  levels: number;
}

/** The class most copies predict (ties: the lower class), for each input. */
function modes(predictions: Int32Array, count: number, m: number, nbClasses: number): Int32Array {
  const out = new Int32Array(count);
  const votes = new Int32Array(nbClasses);
  for (let i = 0; i < count; i++) {
    votes.fill(0);
    for (let j = 0; j < m; j++) votes[predictions[i * m + j]!]!++;
    let best = 0;
    for (let k = 1; k < nbClasses; k++) if (votes[k]! > votes[best]!) best = k;
    out[i] = best;
  }
  return out;
}

/**
 * SmoothAdv's DDN (Rony et al. 2019 as Salman et al. adapt it, `DDN._attack_mutlinoise`) on the
 * soft smoothed classifier with fixed noise: each step takes a unit-gradient step of size
 * `0.01 + 0.99 (1 + cos(pi (t + 1) / numSteps)) / 2` (cosine annealing), then rescales `delta` to a
 * norm that shrinks by `1 - gamma` while the copies' majority class is wrong and grows by
 * `1 + gamma` otherwise (capped at the largest norm the domain allows), quantizes `x + delta` to
 * `levels` and clamps it to the domain. It returns `x` plus the smallest perturbation seen that
 * made the majority wrong (zero if none), projected onto the `epsilon` ball and quantized.
 *
 * @example
 * const xAdv = await smoothDdnAttack(batch, noise, { epsilon: 0.5, numSteps: 10, m: 4, gamma: 0.05, levels: 256 });
 */
export async function smoothDdnAttack(batch: MethodBatch, noise: Float32Array, s: SmoothDdnSettings): Promise<Float64Array> {
  const { config, count, labels } = batch;
  const { dim } = config;
  const domain = config.domain;
  const levels = domain && s.levels > 1 ? s.levels - 1 : 0;
  const x = toFloat64(batch.x, count * dim);
  const delta = new Float64Array(count * dim);
  const adv = new Float64Array(count * dim);
  const best = new Float64Array(count * dim);
  const norm = new Float64Array(count).fill(s.epsilon);
  const worst = new Float64Array(count).fill(Infinity);
  if (domain) {
    for (let i = 0; i < count; i++) {
      let w = 0;
      for (let f = 0; f < dim; f++) {
        const v = x[i * dim + f]!;
        w += Math.max(v - domain.min[f]!, domain.max[f]! - v) ** 2;
      }
      worst[i] = Math.sqrt(w);
    }
  }
  const bestNorm = Float64Array.from(worst);
  for (let step = 0; step < s.numSteps; step++) {
    throwIfAborted(batch.signal);
    const rate = 0.01 + (0.99 * (1 + Math.cos((Math.PI * (step + 1)) / s.numSteps))) / 2;
    for (let k = 0; k < adv.length; k++) adv[k] = x[k]! + delta[k]!;
    const { gradient, predictions } = await softSmoothedGradient(batch, adv, noise, s.m);
    const majority = modes(predictions, count, s.m, config.classifier.nbClasses);
    for (let i = 0; i < count; i++) {
      const o = i * dim;
      const l2 = rowNorm(delta, i, dim);
      const isAdv = majority[i] !== labels[i];
      if (isAdv && l2 < bestNorm[i]!) {
        bestNorm[i] = l2;
        best.set(delta.subarray(o, o + dim), o);
      }
      unitDirection(batch, gradient, i, step, s.numSteps);
      for (let f = 0; f < dim; f++) delta[o + f]! += rate * gradient[o + f]!;
      norm[i] = Math.min(norm[i]! * (1 - (isAdv ? 1 : -1) * s.gamma), worst[i]!);
      const scale = norm[i]! / rowNorm(delta, i, dim);
      for (let f = 0; f < dim; f++) {
        let v = x[o + f]! + delta[o + f]! * scale;
        if (levels) {
          const lo = domain!.min[f]!;
          const span = domain!.max[f]! - lo;
          v = lo + (roundHalfEven(((v - lo) / span) * levels) / levels) * span;
        }
        adv[o + f] = v;
      }
      clampRow(adv, i, dim, domain);
      for (let f = 0; f < dim; f++) delta[o + f] = adv[o + f]! - x[o + f]!;
    }
  }
  for (let i = 0; i < count; i++) {
    renormRow(best, i, dim, s.epsilon);
    for (let f = 0; f < dim; f++) {
      const o = i * dim + f;
      let d = best[o]!;
      if (levels) {
        const span = domain!.max[f]! - domain!.min[f]!;
        d = (roundHalfEven((d / span) * levels) / levels) * span;
      }
      adv[o] = x[o]! + d;
    }
  }
  return adv;
}
