/// <reference types="@webgpu/types" />
import { RsRangeError } from '@rs/core';
import type { NoiseRequest, NoiseSource } from '@rs/core';
import { getGpuEnvironment } from './environment.js';
import { BUFFER_USAGE, MAP_MODE } from './gpu-constants.js';
import { type GpuDevice, type GpuDeviceOptions, openGpuDevice } from './gpu-device.js';
import { PipelineCache } from './executable.js';
import { noisyBatchKernel } from './kernels/philox-noise.js';
import { dispatchSize } from './kernels/wgsl.js';

/**
 * The device's noise kernel (the same WGSL `countPredictions` runs: Philox4x32-10 and the noise
 * families of core's layout) as a `NoiseSource` of `@rs/core`'s self-test: `fill` draws the
 * unit-variance values of a request (clean input 0, scale 1: 0 + fl(1 z) = z), `fillNoisy` fused
 * noisy copies. So `rsmooth selftest` tests the numbers the device draws, not a host copy of them.
 *
 * @example
 * const gpu = await WebGpuNoiseSource.create();
 * const report = await runNoiseSelfTest([noiseSourceOf(createWasmNoiseGenerator()), gpu]);
 * gpu.dispose();
 */
export class WebGpuNoiseSource implements NoiseSource {
  readonly name: string;
  readonly #dev: GpuDevice;
  readonly #pipelines: PipelineCache;

  private constructor(dev: GpuDevice) {
    this.#dev = dev;
    this.#pipelines = new PipelineCache(dev);
    this.name = `webgpu (${dev.adapter.name})`;
  }

  /** Opens a device on the environment's GPU (Dawn in Node). Throws `NoAdapterError` without an adapter. */
  static async create(options: GpuDeviceOptions = {}): Promise<WebGpuNoiseSource> {
    return new WebGpuNoiseSource(await openGpuDevice(await getGpuEnvironment().gpu(), options));
  }

  fill(out: Float32Array, req: NoiseRequest): Promise<void> {
    return this.#run(out, req, new Float32Array(req.dim), 1, null);
  }

  fillNoisy(out: Float32Array, req: NoiseRequest, base: Float32Array, scale: number, clip: { min: Float32Array; max: Float32Array }): Promise<void> {
    return this.#run(out, req, base.subarray(0, req.dim), scale, clip);
  }

  /** Destroys the device (idempotent). */
  dispose(): void {
    this.#dev.destroy();
  }

  async #run(out: Float32Array, req: NoiseRequest, clean: Float32Array, scale: number, clip: { min: Float32Array; max: Float32Array } | null): Promise<void> {
    const { device } = this.#dev;
    const { dim, sampleCount: rows } = req;
    if (out.length < rows * dim) throw new RsRangeError('RS_INVALID_ARG_VALUE', `out is too short: needs ${rows * dim} values, has ${out.length}`);
    const created: GPUBuffer[] = [];
    const buffer = (data: ArrayBufferView | number, usage = 0): GPUBuffer => {
      const size = typeof data === 'number' ? data : data.byteLength;
      const b = device.createBuffer({ size: Math.max(16, Math.ceil(size / 16) * 16), usage: BUFFER_USAGE.STORAGE | BUFFER_USAGE.COPY_DST | usage });
      created.push(b);
      if (typeof data !== 'number') device.queue.writeBuffer(b, 0, data.buffer, data.byteOffset, data.byteLength);
      return b;
    };
    try {
      const seed = BigInt.asUintN(64, req.seed);
      const params = Uint32Array.of(Number(seed & 0xffffffffn), Number(seed >> 32n), req.stream >>> 0, new Uint32Array(Float32Array.of(scale).buffer)[0]!);
      const table = new Uint32Array(rows * 4);
      for (let r = 0; r < rows; r++) table.set([0, req.inputIndex, req.sampleStart + r, 0], 4 * r);
      const bindings = [buffer(params), buffer(clean), buffer(table)];
      if (clip) bindings.push(buffer(clip.min.subarray(0, dim)), buffer(clip.max.subarray(0, dim)));
      const result = buffer(rows * dim * 4, BUFFER_USAGE.COPY_SRC);
      bindings.push(result);
      const pipe = await this.#pipelines.get({
        code: noisyBatchKernel(dim, { clip: Boolean(clip), preprocessing: false, family: req.family }),
        label: `noise source (${req.family ?? 'gaussian'})`,
      });
      const group = device.createBindGroup({
        layout: pipe.getBindGroupLayout(0),
        entries: bindings.map((b, binding) => ({ binding, resource: { buffer: b } })),
      });
      const staging = device.createBuffer({ size: rows * dim * 4, usage: BUFFER_USAGE.MAP_READ | BUFFER_USAGE.COPY_DST });
      created.push(staging);
      const enc = device.createCommandEncoder();
      const pass = enc.beginComputePass();
      pass.setPipeline(pipe);
      pass.setBindGroup(0, group);
      const [gx, gy] = dispatchSize(rows * Math.ceil(dim / 4), this.#dev.limits.maxComputeWorkgroupsPerDimension);
      pass.dispatchWorkgroups(gx, gy);
      pass.end();
      enc.copyBufferToBuffer(result, 0, staging, 0, rows * dim * 4);
      device.queue.submit([enc.finish()]);
      await staging.mapAsync(MAP_MODE.READ);
      this.#dev.check();
      out.set(new Float32Array(staging.getMappedRange().slice(0)));
    } finally {
      for (const b of created) b.destroy();
    }
  }
}
