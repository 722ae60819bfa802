/**
 * Benchmarks of the monorepo: `npm run bench` (from the root) builds and runs all of them.
 */
import { runCertifyOnnxBench } from './certify-onnx.js';
import { runCertifyTfjsBench } from './certify-tfjs.js';
import { runCertifyWebGpuBench } from './certify-webgpu.js';
import { runNoiseBench } from './noise.js';
import { runQueueOverheadBench } from './queue-overhead.js';

runNoiseBench();
console.log('');
await runCertifyOnnxBench();
console.log('');
await runCertifyTfjsBench();
console.log('');
await runCertifyWebGpuBench();
console.log('');
await runQueueOverheadBench();
