import { capabilitiesOf } from '@rs/core';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraphBuilder } from '@rs/onnx-graph';
import { describe, expect, it } from 'vitest';
import { OnnxClassifier, OnnxRandomizedSmoothing } from '../src/index.js';
import { fixture } from './helpers.js';

const f = fixture();
const dir = mkdtempSync(join(tmpdir(), 'rs-onnx-'));

describe('bad input to the ONNX backend gets a clear error', () => {
  it('a missing, empty, corrupt or truncated model file', async () => {
    await expect(OnnxClassifier.create({ model: join(dir, 'nope.onnx') })).rejects.toThrow(/model file not found: .*nope.onnx/);
    await expect(OnnxClassifier.create({ model: join(dir, 'nope.onnx') })).rejects.toMatchObject({ code: 'RS_FILE_NOT_FOUND' });
    writeFileSync(join(dir, 'empty.onnx'), '');
    await expect(OnnxClassifier.create({ model: join(dir, 'empty.onnx') })).rejects.toThrow(/not a valid ONNX model .*empty/);
    writeFileSync(join(dir, 'text.onnx'), 'this is not protobuf at all');
    await expect(OnnxClassifier.create({ model: join(dir, 'text.onnx') })).rejects.toThrow(/not a valid ONNX model \(.*text.onnx\)/);
    await expect(OnnxClassifier.create({ model: join(dir, 'text.onnx') })).rejects.toMatchObject({ code: 'RS_MALFORMED_FILE' });
    writeFileSync(join(dir, 'truncated.onnx'), f.model.subarray(0, Math.floor(f.model.length / 2)));
    await expect(OnnxClassifier.create({ model: join(dir, 'truncated.onnx') })).rejects.toThrow(/not a valid ONNX model \(.*truncated.onnx\)/);
  });

  it('bad options', async () => {
    await expect(OnnxClassifier.create({ model: 42 as never })).rejects.toThrow(/'model' must be a path to an .onnx file or its bytes/);
    await expect(OnnxClassifier.create({ model: f.model, deviceType: 'tpu' as never })).rejects.toThrow(/'deviceType' must be 'cpu' or 'gpu'/);
    await expect(OnnxClassifier.create({ model: f.model, intraOpNumThreads: 0 })).rejects.toThrow(/'intraOpNumThreads' must be an integer >= 1/);
    await expect(OnnxClassifier.create({ model: f.model, noiseThreads: 0 })).rejects.toThrow(/'noiseThreads' must be an integer >= 1, got 0/);
    await expect(OnnxClassifier.create({ model: f.model, noiseThreads: 'all' as never })).rejects.toThrow(
      /'noiseThreads' must be 'auto' or a positive integer/,
    );
    await expect(OnnxRandomizedSmoothing.create({ model: f.model, alpha: 0.7 })).rejects.toThrow(/'alpha' must be in \(0, 0.5\), got 0.7/);
    await expect(OnnxRandomizedSmoothing.create({ model: f.model, sigma: 0.2 } as never)).rejects.toThrow(/unknown option 'sigma'/);
  });

  it('a model whose output is not [batch, nbClasses], or an input shape the model rejects', async () => {
    const b = new GraphBuilder({ opset: 13 });
    b.input('x', 'float32', ['batch', 4]);
    const y = b.node('Reshape', ['x', b.int64s([-1, 2, 2])]);
    b.output(y, 'float32', ['batch', 2, 2]);
    const threeD = b.toBytes();
    await expect(OnnxClassifier.create({ model: threeD, nbClasses: 4 })).rejects.toThrow(
      /output .* has shape \[1, 2, 2\] for a batch of 1: expected \[batch, nbClasses\] = \[1, 4\]/,
    );
    await expect(OnnxClassifier.create({ model: f.model, nbClasses: 7 })).rejects.toThrow(/expected \[batch, nbClasses\] = \[1, 7\]/);
    await expect(OnnxClassifier.create({ model: f.model, inputShape: [1, 32, 32] })).rejects.toThrow(
      /'inputShape' \[1, 32, 32\] does not match the model's input 'input' \[batch, 1, 28, 28\]/,
    );
  });

  it('an op outside the differentiable set: runs forward, declares no gradients, names the op and node', async () => {
    const b = new GraphBuilder({ opset: 13 });
    b.input('x', 'float32', ['batch', 3]);
    const w = b.initializer('w', new Float32Array([1, 0, 0, 1, 1, 1]), [3, 2]);
    const h = b.node('MatMul', ['x', w]);
    const y = b.node('Erf', [h], {}, { name: 'my_erf' });
    b.output(y, 'float32', ['batch', 2]);
    const bytes = b.toBytes();
    const rs = await OnnxRandomizedSmoothing.create({ model: bytes, scale: 0.5, seed: 1 });
    expect(capabilitiesOf(rs)).toMatchObject({ gradients: false, training: false, activations: true, save: true });
    expect(rs.capabilityNotes.gradients).toMatch(/Erf.*my_erf/);
    const { prediction } = await rs.certify(new Float32Array([2, -1, 0]), { n: 200 });
    expect(prediction[0]).toBe(0);
    await expect(rs.lossGradient(new Float32Array([1, 2, 3]), [0])).rejects.toThrow(/'gradients' capability.*Erf.*my_erf/);
    await expect(rs.fit(new Float32Array([1, 2, 3]), [0])).rejects.toThrow(/'training' capability.*Erf/);
    await rs.dispose();
    await expect(OnnxClassifier.create({ model: bytes, requireGradients: true })).rejects.toThrow(/cannot be differentiated: .*Erf.*my_erf/);
  });

  it('NaN inputs and wrong input lengths', async () => {
    const rs = await OnnxRandomizedSmoothing.create({ model: f.model, scale: 0.25, seed: 1 });
    const x = f.x.slice(0, 784);
    x[100] = Number.NaN;
    await expect(rs.certify(x, { n: 100 })).rejects.toThrow(/'x' contains NaN at input 0, feature 100/);
    await expect(rs.predict(f.x.slice(0, 700))).rejects.toThrow(/'x' has 700 values, not a multiple of prod\(inputShape\) = 784/);
    await rs.dispose();
    await expect(rs.predictLogits(f.x.slice(0, 784))).rejects.toThrow(/disposed/);
  });

  it("deviceType 'gpu' without the CUDA provider: an error with the install hint, or a logged fallback", async () => {
    const hasCuda = await OnnxClassifier.create({ model: f.model, deviceType: 'gpu' }).then(
      async (c) => {
        await c.dispose();
        return true;
      },
      (err: Error) => {
        expect(err.message).toMatch(
          /deviceType 'gpu' needs ONNX Runtime's CUDA execution provider.*ONNXRUNTIME_NODE_INSTALL=cuda12 npm install onnxruntime-node/s,
        );
        return false;
      },
    );
    if (hasCuda) return; // on a CUDA machine the GPU session opened: nothing to fall back from
    const warnings: string[] = [];
    const c = await OnnxClassifier.create({ model: f.model, deviceType: 'gpu', gpuFallback: 'cpu', onWarning: (m) => warnings.push(m) });
    expect(c.device).toEqual({ requested: 'gpu', provider: 'cpu', fellBack: true });
    expect(warnings[0]).toMatch(/Falling back to the CPU provider/);
    await c.dispose();
  });
});
