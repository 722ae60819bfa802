export * from './noisy-batches.js';
export * from './count-helpers.js';
export * from './noise-streams.js';
export type * from './progress.js';
