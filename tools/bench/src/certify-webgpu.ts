/**
 * Certify throughput of @rs/webgpu-native (the whole Monte Carlo loop on the WebGPU device) next to
 * @rs/onnx (host noise + ONNX Runtime CPU) on the fixture CNN, same images, n, batch and seed, in
 * the same run; plus the raw forward throughput of both. On a machine without a GPU the adapter is
 * SwiftShader (a CPU Vulkan implementation), which the table says.
 *
 * Usage: node tools/bench/dist/certify-webgpu.js [--n 1000] [--batch 500] [--images 4] [--threads 2] [--profile 1]
 * (`--profile 1`: also the WGSL compile time of the model and the time of each dispatch of one
 * forward pass at the batch size, each submitted alone, median of 5).
 */
import { pathToFileURL } from 'node:url';
import { readFmnistCnn } from '@rs/fixtures';
import { OnnxClassifier, OnnxRandomizedSmoothing } from '@rs/onnx';
import { readNpy } from '@rs/datasets';
import { nodeGpu, openGpuDevice, prepareModel, WebGpuClassifier, WebGpuEngine, WebGpuRandomizedSmoothing } from '@rs/webgpu-native';
import { arg, forwardRate, median } from './util.js';

/** Compile time of the model's kernels and the time of each dispatch of one forward pass (ms). */
async function profileForward(model: Uint8Array, input: Float32Array, batch: number): Promise<void> {
  const dev = await openGpuDevice(await nodeGpu());
  try {
    const t0 = performance.now();
    const engine = await WebGpuEngine.create(dev, prepareModel(model), [1, 28, 28]); // compiles every kernel (batch-1 plan)
    const compile = performance.now() - t0;
    const exe = await engine.plan(batch);
    const device = dev.device;
    device.queue.writeBuffer(exe.buffer(engine.prepared.inputName), 0, input.buffer, input.byteOffset, input.byteLength);
    const run = async (from: number, to: number): Promise<number> => {
      const start = performance.now();
      const encoder = device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      exe.encode(pass, from, to);
      pass.end();
      device.queue.submit([encoder.finish()]);
      await device.queue.onSubmittedWorkDone();
      return performance.now() - start;
    };
    const kernels = exe.plan.kernels;
    await run(0, kernels.length);
    const rows = kernels.map((k, i) => ({ kernel: k.label, invocations: k.threads, times: [] as number[], index: i }));
    const whole: number[] = [];
    for (let r = 0; r < 5; r++) {
      for (const row of rows) row.times.push(await run(row.index, row.index + 1));
      whole.push(await run(0, kernels.length));
    }
    console.log(
      `forward profile (batch ${batch}): model compiled in ${compile.toFixed(0)} ms (${kernels.length} kernels); one pass ${median(whole).toFixed(1)} ms`,
    );
    console.table(Object.fromEntries(rows.map((r) => [r.kernel, { invocations: r.invocations, ms: Number(median(r.times).toFixed(1)) }])));
    await engine.destroy();
  } finally {
    dev.destroy();
  }
}

export async function runCertifyWebGpuBench(): Promise<void> {
  const n = arg('n', 1000);
  const batch = arg('batch', 500);
  const images = arg('images', 4);
  const threads = arg('threads', 2);
  const model = readFmnistCnn('model.onnx');
  const x = (readNpy(readFmnistCnn('x.npy')).data as Float32Array).subarray(0, images * 784);
  const input = Float32Array.from({ length: batch * 784 }, (_, i) => x[i % x.length]! + 0.25 * Math.sin(i));
  if (arg('profile', 0)) await profileForward(model, input, batch);

  const gpuRaw = await WebGpuClassifier.create({ model });
  const adapter = gpuRaw.adapter;
  const gpuForward = await forwardRate((a, b) => gpuRaw.forward(a, b), input, batch, 3);
  await gpuRaw.dispose();
  const onnxRaw = await OnnxClassifier.create({ model, intraOpNumThreads: threads });
  const onnxForward = await forwardRate((a, b) => onnxRaw.forward(a, b), input, batch, 10);
  await onnxRaw.dispose();

  const settings = { scale: 0.25, sampleSize: 100, alpha: 0.001, seed: 1 };
  const timeCertify = async (rs: { certify: (x: Float32Array, o: { n: number; batchSize: number }) => Promise<{ prediction: Int32Array }> }) => {
    await rs.certify(x.subarray(0, 784), { n: Math.min(n, batch), batchSize: batch }); // warm-up (compiles the batch plan)
    const t0 = performance.now();
    const result = await rs.certify(x, { n, batchSize: batch });
    return { seconds: (performance.now() - t0) / 1000, prediction: Array.from(result.prediction) };
  };
  const gpu = await WebGpuRandomizedSmoothing.create({ model, ...settings });
  const g = await timeCertify(gpu);
  await gpu.dispose();
  const onnx = await OnnxRandomizedSmoothing.create({ model, intraOpNumThreads: threads, ...settings });
  const o = await timeCertify(onnx);
  await onnx.dispose();
  const samples = images * (n + 100);

  console.log(
    `certify benchmark (WebGPU): fixture CNN, ${images} images, n0 100, n ${n}, batch ${batch}, adapter ${adapter.name} (${adapter.description}${adapter.isFallbackAdapter ? ', fallback adapter' : ''}), ORT ${threads} threads, Node ${process.version}`,
  );
  console.table({
    '@rs/webgpu-native certify (device sampling)': {
      'samples/s': Math.round(samples / g.seconds),
      's/image': (g.seconds / images).toFixed(3),
      'raw forward samples/s': Math.round(gpuForward),
    },
    '@rs/onnx certify (host noise, ORT CPU)': {
      'samples/s': Math.round(samples / o.seconds),
      's/image': (o.seconds / images).toFixed(3),
      'raw forward samples/s': Math.round(onnxForward),
    },
  });
  const agree = g.prediction.filter((p, i) => p === o.prediction[i]).length;
  console.log(`WebGPU / ONNX certify throughput: ${(o.seconds / g.seconds).toFixed(3)}x; predictions equal: ${agree}/${images}`);
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) await runCertifyWebGpuBench();
