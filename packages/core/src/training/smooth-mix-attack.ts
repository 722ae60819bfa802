import { throwIfAborted } from '../errors.js';
import { clampRow, renormRow, rowNorm, toFloat64 } from './attack-steps.js';
import type { MethodBatch } from './method.js';
import { softSmoothedGradient } from './soft-smoothed-gradient.js';

/** Settings of {@link smoothMixAttack}. */
export interface SmoothMixAttackSettings {
  numSteps: number;
  /** Step size (the authors' `alpha`). */
  stepSize: number;
  /** Step whose iterate becomes the clean side of the mix (0: the input itself). */
  mixStep: number;
  /** L2 bound of the adversarial side (none: unbounded, only clamped to the domain). */
  maxnorm: number | null;
  /** L2 bound of the clean side (already warmed up). */
  maxnormS: number;
  m: number;
}

function project(v: Float64Array, x: Float64Array, i: number, dim: number, maxnorm: number | null, domain: MethodBatch['config']['domain']): void {
  if (maxnorm !== null) {
    const o = i * dim;
    const eta = new Float64Array(dim);
    for (let f = 0; f < dim; f++) eta[f] = v[o + f]! - x[o + f]!;
    renormRow(eta, 0, dim, maxnorm);
    for (let f = 0; f < dim; f++) v[o + f] = x[o + f]! + eta[f]!;
  }
  clampRow(v, i, dim, domain);
}

/**
 * SmoothMix's PGD (Jeong et al. 2021, `SmoothMix_PGD.attack`) on the soft smoothed classifier
 * with fixed noise: `numSteps` steps of `stepSize` along `g / (||g|| + 1e-8)`, `g` the gradient of
 * `-log(mean softmax[y])`, each projected onto the `maxnorm` ball (when set) and clamped to the
 * domain. Returns `{ init, adv }`: the iterate at step `mixStep` projected onto the `maxnormS` ball
 * (the clean side of the mix) and the last iterate (the adversarial side), raw space, float64.
 *
 * @example
 * const { init, adv } = await smoothMixAttack(batch, noise, { numSteps: 4, stepSize: 1, mixStep: 0, maxnorm: null, maxnormS: 0, m: 2 });
 */
export async function smoothMixAttack(batch: MethodBatch, noise: Float32Array, s: SmoothMixAttackSettings): Promise<{ init: Float64Array; adv: Float64Array }> {
  const { config, count } = batch;
  const { dim } = config;
  const x = toFloat64(batch.x, count * dim);
  const adv = Float64Array.from(x);
  let init = Float64Array.from(x);
  for (let step = 0; step < s.numSteps; step++) {
    throwIfAborted(batch.signal);
    if (step === s.mixStep) init = Float64Array.from(adv);
    const { gradient } = await softSmoothedGradient(batch, adv, noise, s.m);
    for (let i = 0; i < count; i++) {
      const scale = s.stepSize / (rowNorm(gradient, i, dim) + 1e-8);
      for (let f = 0; f < dim; f++) adv[i * dim + f]! += scale * gradient[i * dim + f]!;
      project(adv, x, i, dim, s.maxnorm, config.domain);
    }
  }
  for (let i = 0; i < count; i++) project(init, x, i, dim, s.maxnormS, config.domain);
  return { init, adv };
}
