import { RsRangeError } from '../errors.js';
import { z } from 'zod';
import { integerAtLeast, realIn } from '../options/schema-helpers.js';

/**
 * How the learning rate changes with the epoch (core computes it; the backend's optimizer receives
 * the rate of each step and keeps its state when it changes):
 *
 * - `'constant'` (default): `learningRate` throughout;
 * - `{ type: 'step', stepSize, gamma }`: PyTorch's `StepLR`, `learningRate * gamma^floor(epoch / stepSize)`
 *   (what Cohen, Salman, Zhai and Jeong et al. train with: `stepSize` 30-50, `gamma` 0.1);
 * - `{ type: 'cosine', totalEpochs, minLearningRate? }`: cosine annealing from `learningRate` at
 *   epoch 0 to `minLearningRate` (default 0) at `totalEpochs`;
 * - a function `(epoch) => rate` of the absolute epoch (`initialEpoch` + epochs done).
 *
 * @example
 * const schedule: LearningRateSchedule = { type: 'step', stepSize: 30, gamma: 0.1 };
 */
export type LearningRateSchedule =
  | 'constant'
  | { type: 'step'; stepSize: number; gamma: number }
  | { type: 'cosine'; totalEpochs: number; minLearningRate?: number }
  | ((epoch: number) => number);

/**
 * The zod schema of {@link LearningRateSchedule}.
 */
export const learningRateScheduleSchema = z.union(
  [
    z.literal('constant'),
    z.object({ type: z.literal('step'), stepSize: integerAtLeast(1), gamma: realIn(0, 1, { open: 'low' }) }).strict(),
    z
      .object({
        type: z.literal('cosine'),
        totalEpochs: integerAtLeast(1),
        minLearningRate: realIn(0, Number.MAX_VALUE, { open: 'none' }).optional(),
      })
      .strict(),
    z.custom<(epoch: number) => number>((v) => typeof v === 'function'),
  ],
  {
    error:
      "must be 'constant', { type: 'step', stepSize, gamma } (gamma in (0, 1]), { type: 'cosine', totalEpochs, minLearningRate? } or a function (epoch) => rate",
  },
);

/**
 * The learning rate of `epoch` under `schedule`; throws a `RangeError` when a schedule function
 * returns something that is not a finite number > 0.
 *
 * @example
 * learningRateAt(0.1, { type: 'step', stepSize: 30, gamma: 0.1 }, 45); // 0.01 (up to rounding)
 */
export function learningRateAt(learningRate: number, schedule: LearningRateSchedule, epoch: number): number {
  let rate: number;
  if (schedule === 'constant') rate = learningRate;
  else if (typeof schedule === 'function') rate = schedule(epoch);
  else if (schedule.type === 'step') rate = learningRate * schedule.gamma ** Math.floor(epoch / schedule.stepSize);
  else {
    const min = schedule.minLearningRate ?? 0;
    const t = Math.min(epoch, schedule.totalEpochs) / schedule.totalEpochs;
    rate = min + ((learningRate - min) * (1 + Math.cos(Math.PI * t))) / 2;
  }
  if (typeof rate !== 'number' || !Number.isFinite(rate) || rate < 0) {
    throw new RsRangeError(
      'RS_INVALID_ARG_VALUE',
      `'learningRateSchedule' gave the learning rate ${String(rate)} for epoch ${epoch}: expected a finite number >= 0`,
    );
  }
  return rate;
}
