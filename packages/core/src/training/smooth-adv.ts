import { z } from 'zod';
import { integerAtLeast, positiveReal, realIn } from '../options/schema-helpers.js';
import { NOISE_STREAM } from '../sampling/noise-streams.js';
import { crossEntropyHead, repeatLabels } from './cross-entropy-head.js';
import type { TrainingMethod } from './method.js';
import { addNoise, scaledNoise } from './noisy-copies.js';
import { smoothDdnAttack } from './smooth-ddn-attack.js';
import { smoothPgdAttack } from './smooth-pgd-attack.js';

/**
 * Options of SmoothAdv (Salman et al., NeurIPS 2019) with ART's defaults (`PyTorchSmoothAdv`):
 * `epsilon` (1.0) the L2 radius of the attack, `numNoiseVec` (m, 1) noise vectors per input (the
 * attack's soft smoothed classifier and the training rows), `numSteps` (10) attack steps, `warmup`
 * (1) epochs over which epsilon grows linearly to its value; `attack` `'pgd'` (default, as ART) or
 * `'ddn'`, with DDN's `ddnGamma` (0.05) and `ddnLevels` (256; quantization of the `clipValues`
 * domain, 0 for none).
 */
export const smoothAdvOptionsShape = {
  method: z.literal('smoothAdv'),
  epsilon: positiveReal().default(1),
  numNoiseVec: integerAtLeast(1, 4096).default(1),
  numSteps: integerAtLeast(1, 10_000).default(10),
  warmup: integerAtLeast(1).default(1),
  attack: z.enum(['pgd', 'ddn'], { error: "must be 'pgd' or 'ddn'" }).default('pgd'),
  ddnGamma: realIn(0, 1, { open: 'both' }).default(0.05),
  ddnLevels: integerAtLeast(0, 2 ** 24).default(256),
};

/** SmoothAdv's settings after defaults. */
export interface SmoothAdvSettings {
  epsilon: number;
  numNoiseVec: number;
  numSteps: number;
  warmup: number;
  attack: 'pgd' | 'ddn';
  ddnGamma: number;
  ddnLevels: number;
}

/**
 * The attack radius of `epoch` (0-based): `min(epsilon, (epoch + 1) epsilon / warmup)`, as Salman et al.
 *
 * @example
 * warmedEpsilon(1, 10, 0); // 0.1
 */
export function warmedEpsilon(epsilon: number, warmup: number, epoch: number): number {
  return Math.min(epsilon, ((epoch + 1) * epsilon) / warmup);
}

/**
 * SmoothAdv with multi-noise training (`train_pgd.py --train-multi-noise`): draws `numNoiseVec`
 * noise vectors per input (stream `smoothAdv`), attacks the soft smoothed classifier with them
 * (PGD or DDN within the warmed-up epsilon, through `forward` and `gradients.vjp`), then takes one
 * step on the `count * m` noisy adversarial rows `x_adv + e_j` with mean cross-entropy.
 *
 * @example
 * const method = smoothAdvMethod({ epsilon: 0.5, numNoiseVec: 4, numSteps: 10, warmup: 10, attack: 'pgd', ddnGamma: 0.05, ddnLevels: 256 });
 */
export function smoothAdvMethod(s: SmoothAdvSettings): TrainingMethod {
  const m = s.numNoiseVec;
  return {
    name: 'smoothAdv',
    settings: { ...s },
    rowsPerExample: m,
    samplesPerEpoch: m,
    needs: ['gradients'],
    terms: ['classification'],
    async prepare(batch) {
      const noise = scaledNoise(batch, NOISE_STREAM.smoothAdv, m);
      const epsilon = warmedEpsilon(s.epsilon, s.warmup, batch.epoch);
      const adv =
        s.attack === 'pgd'
          ? await smoothPgdAttack(batch, noise, { epsilon, numSteps: s.numSteps, m })
          : await smoothDdnAttack(batch, noise, { epsilon, numSteps: s.numSteps, m, gamma: s.ddnGamma, levels: s.ddnLevels });
      const x = addNoise(batch.config, adv, batch.count, noise, m);
      return { x, rows: batch.count * m, head: crossEntropyHead(repeatLabels(batch.labels, m), batch.config.classifier.nbClasses) };
    },
  };
}
