/**
 * Benchmarks of the monorepo: `npm run bench` (from the root) builds and runs all of them.
 */
import { runCertifyOnnxBench } from './certify-onnx.js';
import { runNoiseBench } from './noise.js';

runNoiseBench();
console.log('');
await runCertifyOnnxBench();
