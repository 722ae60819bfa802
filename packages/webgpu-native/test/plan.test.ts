import { describe, expect, it } from 'vitest';
import { nodeGpu } from '../src/index.js';
import { analyzeGradients } from '../src/engine/gradients.js';
import { openGpuDevice } from '../src/engine/gpu-device.js';
import { planGraph } from '../src/engine/graph-plan.js';
import { prepareModel } from '../src/engine/prepared-model.js';
import { WebGpuEngine } from '../src/engine/webgpu-engine.js';
import { adapter, fixture } from './helpers.js';

const f = fixture();

describe('plans (host only, no device)', () => {
  // SwiftShader takes about a second per model to compile WGSL: kernels whose code changed with the
  // batch size would compile again for every batch size a caller uses.
  it('emit the same WGSL for every batch size (forward and VJP), so pipelines are shared', () => {
    const forward = prepareModel(f.model);
    const support = analyzeGradients(forward, [1, 28, 28]);
    expect(support.vjp.ok).toBe(true);
    const graphs = [forward, ...(support.vjp.ok ? [support.vjp.prepared] : [])];
    for (const pm of graphs) {
      const [a, b] = [3, 500].map((batch) => planGraph(pm, [1, 28, 28], batch).kernels);
      expect(a!.map((k) => k.code)).toEqual(b!.map((k) => k.code));
      expect(a!.map((k) => k.meta?.[0])).not.toEqual(b!.map((k) => k.meta?.[0]));
    }
  });

  it('fold each Relu into the Conv / Gemm before it and each MaxPool into the Conv, unless fusion is off', () => {
    const pm = prepareModel(f.model);
    const ops = (fuse: boolean) => planGraph(pm, [1, 28, 28], 2, { fuse }).kernels.map((k) => k.label.split(' ')[0]);
    expect(ops(true)).toEqual(['Conv', 'Conv', 'Gemm', 'Gemm']);
    expect(ops(false)).toEqual(['Conv', 'Relu', 'MaxPool', 'Conv', 'Relu', 'MaxPool', 'Gemm', 'Relu', 'Gemm']);
  });
});

describe.skipIf(!adapter.available)(`fused plans on the device${adapter.available ? '' : ` (skipped: ${adapter.reason})`}`, () => {
  it('still serve a value folded away (a Conv output before its Relu), from the plan without fusion', async () => {
    const dev = await openGpuDevice(await nodeGpu());
    const pm = prepareModel(f.model);
    const conv = pm.nodes.find((n) => n.opType === 'Conv')!.outputs[0]!;
    const relu = pm.nodes.find((n) => n.opType === 'Relu' && n.inputs[0] === conv)!.outputs[0]!;
    const engine = await WebGpuEngine.create(dev, pm, [1, 28, 28]);
    const x = f.x.subarray(0, 2 * 784);
    const pre = await engine.forward(x, 2, conv);
    const post = await engine.forward(x, 2, relu);
    expect(pre.shape).toEqual([16, 28, 28]);
    expect(pre.data.some((v) => v < 0)).toBe(true);
    expect(Array.from(post.data)).toEqual(Array.from(pre.data, (v) => Math.max(v, 0)));
    await engine.destroy();
    dev.destroy();
  });
});
