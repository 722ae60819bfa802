import { createNoiseGenerator, NOISE_FAMILIES } from '@rs/core';
import { describe, expect, it } from 'vitest';
import { nodeGpu } from '../src/index.js';
import { PipelineCache } from '../src/engine/executable.js';
import { BUFFER_USAGE, MAP_MODE } from '../src/engine/gpu-constants.js';
import { openGpuDevice } from '../src/engine/gpu-device.js';
import { noisyBatchKernel } from '../src/engine/kernels/philox-noise.js';
import { dispatchSize } from '../src/engine/kernels/wgsl.js';
import { adapter } from './helpers.js';

/** Float32 ulp distance. */
function ulps(a: number, b: number): number {
  const f = new Float32Array([a, b]);
  const i = new Int32Array(f.buffer);
  const key = (v: number) => (v < 0 ? 0x80000000 - v : v);
  return Math.abs(key(i[0]!) - key(i[1]!));
}

describe.skipIf(!adapter.available)(`WGSL Philox noise vs core's stream layout${adapter.available ? '' : ` (skipped: ${adapter.reason})`}`, () => {
  it.each(NOISE_FAMILIES)('reproduces createNoiseGenerator().fillStandard for the same requests, family %s', async (family) => {
    const dev = await openGpuDevice(await nodeGpu());
    const { device } = dev;
    const pipelines = new PipelineCache(dev);
    const core = createNoiseGenerator();
    const dim = 787; // not a multiple of 4: the truncated last block
    const rows = 512;
    let total = 0;
    let differing = 0;
    let worst = 0;
    for (const [seed, stream, id, start] of [
      [0n, 0, 0, 0],
      [0x1234_5678_9abc_def0n, 1, 7, 1000],
      [2n ** 64n - 1n, 4, 123456, 4_000_000_000],
    ] as const) {
      const expected = new Float32Array(rows * dim);
      core.fillStandard!(expected, 0, { seed, stream, inputIndex: id, sampleStart: start, sampleCount: rows, dim, family });
      const buf = (data: ArrayBufferView | number, usage = 0) => {
        const size = typeof data === 'number' ? data : data.byteLength;
        const b = device.createBuffer({ size: Math.ceil(size / 16) * 16, usage: BUFFER_USAGE.STORAGE | BUFFER_USAGE.COPY_DST | usage });
        if (typeof data !== 'number') device.queue.writeBuffer(b, 0, data.buffer, data.byteOffset, data.byteLength);
        return b;
      };
      const params = buf(Uint32Array.of(Number(seed & 0xffffffffn), Number(seed >> 32n), stream, new Uint32Array(Float32Array.of(1).buffer)[0]!));
      const clean = buf(new Float32Array(dim));
      const table = new Uint32Array(rows * 4);
      for (let r = 0; r < rows; r++) table.set([0, id, start + r, 0], 4 * r);
      const rowBuf = buf(table);
      const out = buf(rows * dim * 4, BUFFER_USAGE.COPY_SRC);
      const pipe = await pipelines.get({ code: noisyBatchKernel(dim, { clip: false, preprocessing: false, family }), label: 'noise' });
      const group = device.createBindGroup({
        layout: pipe.getBindGroupLayout(0),
        entries: [params, clean, rowBuf, out].map((buffer, binding) => ({ binding, resource: { buffer } })),
      });
      const staging = device.createBuffer({ size: rows * dim * 4, usage: BUFFER_USAGE.MAP_READ | BUFFER_USAGE.COPY_DST });
      const enc = device.createCommandEncoder();
      const pass = enc.beginComputePass();
      pass.setPipeline(pipe);
      pass.setBindGroup(0, group);
      const [gx, gy] = dispatchSize(rows * Math.ceil(dim / 4), dev.limits.maxComputeWorkgroupsPerDimension);
      pass.dispatchWorkgroups(gx, gy);
      pass.end();
      enc.copyBufferToBuffer(out, 0, staging, 0, rows * dim * 4);
      device.queue.submit([enc.finish()]);
      await staging.mapAsync(MAP_MODE.READ);
      const got = new Float32Array(staging.getMappedRange().slice(0));
      for (let i = 0; i < expected.length; i++) {
        total++;
        if (got[i] !== expected[i]) {
          differing++;
          worst = Math.max(worst, ulps(got[i]!, expected[i]!));
        }
      }
    }
    console.log(
      `GPU noise vs core (${family}): ${differing} of ${total} values differ, worst ${worst} float32 ulps (${adapter.available ? 'SwiftShader/this adapter' : ''})`,
    );
    // The layout's contract for GPUs: bitwise where division / sqrt are correctly rounded, else a few ulps.
    expect(worst).toBeLessThanOrEqual(4);
    expect(differing / total).toBeLessThan(0.01);
    dev.destroy();
  });
});
