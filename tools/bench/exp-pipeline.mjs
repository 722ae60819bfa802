import * as ort from 'onnxruntime-node';
import { createNoiseGenerator } from '@rs/core';
import { readFmnistCnn } from '@rs/fixtures';
const model = readFmnistCnn('model.onnx'); const B = 1000, dim = 784;
const gen = createNoiseGenerator(); const base = new Float32Array(dim).fill(0.3);
const s = await ort.InferenceSession.create(model, { intraOpNumThreads: 2, extra: { session: { intra_op: { allow_spinning: '0' } } } });
const bufs = [new Float32Array(B * dim), new Float32Array(B * dim)];
const run = (b) => s.run({ input: new ort.Tensor('float32', b, [B, 1, 28, 28]) });
for (let i = 0; i < 3; i++) await run(bufs[0]);
let t0 = performance.now(); for (let i = 0; i < 20; i++) await run(bufs[0]); const raw = 20 * B / ((performance.now() - t0) / 1000);
t0 = performance.now(); let cur = 0; let p = run(bufs[0]);
for (let i = 0; i < 20; i++) { gen.fillNoisy(bufs[cur ^ 1], 0, { seed: 1n, stream: 1, inputIndex: 0, sampleStart: i * B, sampleCount: B, dim }, base, 0, 0.25); await p; cur ^= 1; p = run(bufs[cur]); }
await p; const pipe = 21 * B / ((performance.now() - t0) / 1000);
console.log(`raw ${Math.round(raw)} pipelined ${Math.round(pipe)} ratio ${(pipe / raw).toFixed(2)}`);
