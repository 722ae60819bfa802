/**
 * Benchmarks of the monorepo: `node tools/bench/dist/index.js` runs all of them.
 */
import { runNoiseBench } from './noise.js';

runNoiseBench();
