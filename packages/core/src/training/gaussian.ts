import { z } from 'zod';
import { NOISE_STREAM } from '../sampling/noise-streams.js';
import { crossEntropyHead } from './cross-entropy-head.js';
import type { TrainingMethod } from './method.js';
import { noisyCopies } from './noisy-copies.js';

/**
 * Options of Gaussian data augmentation (Cohen et al. 2019; ART's `fit`): none beyond the shared
 * training options. `method` defaults to `'gaussian'`.
 */
export const gaussianOptionsShape = {
  method: z.literal('gaussian').default('gaussian'),
};

/**
 * Gaussian data augmentation: one noisy copy per example (noise stream `training`, sample index =
 * epoch, so the noise of an example depends only on (seed, example id, epoch), as before the
 * training methods existed), mean softmax cross-entropy.
 *
 * @example
 * const method = gaussianMethod();
 * const { x, rows, head } = await method.prepare(batch);
 */
export function gaussianMethod(): TrainingMethod {
  return {
    name: 'gaussian',
    settings: {},
    rowsPerExample: 1,
    samplesPerEpoch: 1,
    needs: [],
    terms: ['classification'],
    async prepare(batch) {
      const x = noisyCopies(batch, NOISE_STREAM.training, 1);
      return { x, rows: batch.count, head: crossEntropyHead(batch.labels, batch.config.classifier.nbClasses) };
    },
  };
}
