import { throwIfAborted } from '../errors.js';
import { clampRow, renormRow, toFloat64, unitDirection } from './attack-steps.js';
import type { MethodBatch } from './method.js';
import { softSmoothedGradient } from './soft-smoothed-gradient.js';

/** Settings of {@link smoothPgdAttack}. */
export interface SmoothPgdSettings {
  /** L2 radius of the perturbation. */
  epsilon: number;
  numSteps: number;
  /** Noise vectors per input (the noise holds `count * m` rows). */
  m: number;
}

/**
 * SmoothAdv's PGD (Salman et al. 2019, `PGD_L2._attack_mutlinoise`): an L2 attack on the soft
 * smoothed classifier `mean_j softmax(f(x + e_j))` with fixed noise `e`. From `delta = 0`, each of
 * `numSteps` steps moves `delta` by `2 epsilon / numSteps` along the unit gradient of
 * `-log(mean softmax[y])` (a random direction where it is zero), clamps `x + delta` to the valid
 * domain (`clipValues`, when set) and projects `delta` onto the L2 ball of radius `epsilon`
 * (`renorm`). Returns the adversarial points `x + delta` in raw input space (float64).
 *
 * @example
 * const xAdv = await smoothPgdAttack(batch, noise, { epsilon: 0.5, numSteps: 10, m: 4 });
 */
export async function smoothPgdAttack(batch: MethodBatch, noise: Float32Array, s: SmoothPgdSettings): Promise<Float64Array> {
  const { config, count } = batch;
  const { dim } = config;
  const x = toFloat64(batch.x, count * dim);
  const delta = new Float64Array(count * dim);
  const adv = new Float64Array(count * dim);
  const stepSize = (2 * s.epsilon) / s.numSteps;
  for (let step = 0; step < s.numSteps; step++) {
    throwIfAborted(batch.signal);
    for (let k = 0; k < adv.length; k++) adv[k] = x[k]! + delta[k]!;
    const { gradient } = await softSmoothedGradient(batch, adv, noise, s.m);
    for (let i = 0; i < count; i++) {
      unitDirection(batch, gradient, i, step, s.numSteps);
      for (let f = 0; f < dim; f++) adv[i * dim + f] = x[i * dim + f]! + (delta[i * dim + f]! + stepSize * gradient[i * dim + f]!);
      clampRow(adv, i, dim, config.domain);
      for (let f = 0; f < dim; f++) delta[i * dim + f] = adv[i * dim + f]! - x[i * dim + f]!;
      renormRow(delta, i, dim, s.epsilon);
    }
  }
  for (let k = 0; k < adv.length; k++) adv[k] = x[k]! + delta[k]!;
  return adv;
}
