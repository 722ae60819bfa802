/**
 * `@rs/core/node`: the parts of core that need Node.js (worker threads). The main entry point stays
 * free of Node-only imports so it can run in a browser.
 */
export { createThreadedNoiseGenerator, type ThreadedNoiseGenerator, type ThreadedNoiseOptions } from './threaded-noise-generator.js';
