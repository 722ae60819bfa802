/**
 * Benchmarks of the monorepo: `npm run bench` (from the root) builds and runs all of them.
 */
import { runCertifyOnnxBench } from './certify-onnx.js';
import { runCertifySequentialBench } from './certify-sequential.js';
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
console.log('');
// The full sequential bench (500 images at n 100,000) takes about 1.5 h here: npm run bench:sequential.
// The overview runs it on 50 images unless BENCH_SEQUENTIAL_IMAGES says otherwise.
process.env.BENCH_SEQUENTIAL_IMAGES ??= '50';
await runCertifySequentialBench();
