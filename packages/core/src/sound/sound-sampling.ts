import type { SmoothingConfig } from '../smoothing/smoothing-config.js';
import { type DiscreteGaussianTable, discreteGaussianTable } from './discrete-gaussian.js';
import { gridCoordinates } from './grid.js';

/**
 * The sound mode's part of a sampling context for a batch of inputs (null in the float mode): the
 * threshold table for the configured sigma and grid, and the inputs' integer grid coordinates
 * (an `OffGridInputError` for the first value off the grid).
 *
 * @example
 * ctx.sound = soundSampling(config, batch.data);
 */
export function soundSampling(config: SmoothingConfig, data: Float32Array): { table: DiscreteGaussianTable; grid: Int32Array } | null {
  if (!config.sound) return null;
  const grid = gridCoordinates(data, config.dim, config.sound.levels);
  return { table: discreteGaussianTable(config.options.scale, config.sound.levels), grid };
}
