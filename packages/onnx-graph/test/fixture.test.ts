import { FMNIST_CNN_DIR } from '@rs/fixtures';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readNpy } from '@rs/datasets';
import { buildGradientModel, loadModel } from '../src/index.js';
import { maxAbs, maxAbsDiff, run } from './helpers.js';

const dir = FMNIST_CNN_DIR;
const bytes = new Uint8Array(readFileSync(join(dir, 'model.onnx')));
const npy = (f: string) => readNpy(new Uint8Array(readFileSync(join(dir, f))));

describe('fmnist-cnn fixture vs PyTorch', () => {
  const x = npy('x.npy');
  const y = npy('y.npy');
  const logitsRef = npy('logits.npy');
  const lossGradRef = npy('loss_grad_sum.npy');
  const classGradRef = npy('class_grad.npy');
  const B = x.shape[0]!;

  it('loads the IR', () => {
    const m = loadModel(bytes);
    expect(m.opsetVersion).toBe(13);
    expect(m.graph.inputs[0]).toMatchObject({ name: 'input', dtype: 'float32', shape: ['batch', 1, 28, 28] });
    expect(m.graph.nodes.map((n) => n.opType)).toEqual(['Conv', 'Relu', 'MaxPool', 'Conv', 'Relu', 'MaxPool', 'Flatten', 'Gemm', 'Relu', 'Gemm']);
    expect(m.graph.initializers.get('0.weight')?.dims).toEqual([16, 1, 3, 3]);
    expect(x.shape).toEqual([20, 1, 28, 28]);
    expect(classGradRef.shape).toEqual([20, 10, 1, 28, 28]);
  });

  it('matches logits and the loss-sum input gradient', async () => {
    const gm = buildGradientModel(bytes, { loss: { type: 'softmax-cross-entropy' } });
    expect(gm.labelsInput).toBe('labels');
    const out = await run(gm.bytes, {
      input: { data: x.data as Float32Array, dims: x.shape },
      labels: { data: y.data as BigInt64Array, dims: y.shape },
    });
    const logitsErr = maxAbsDiff(out.logits!.data, logitsRef.data as Float32Array) / maxAbs(logitsRef.data as Float32Array);
    const g = out[gm.inputGradients.input!]!;
    expect(g.dims).toEqual([20, 1, 28, 28]);
    const gradErr = maxAbsDiff(g.data, lossGradRef.data as Float32Array) / maxAbs(lossGradRef.data as Float32Array);
    console.log(`fixture: logits max rel err ${logitsErr.toExponential(2)}, loss-grad max rel err ${gradErr.toExponential(2)}`);
    expect(logitsErr).toBeLessThan(1e-4);
    expect(gradErr).toBeLessThan(1e-4);
    // per-sample losses are positive and finite
    expect(out[gm.lossOutput!]!.dims).toEqual([B]);
    for (const v of out[gm.lossOutput!]!.data) expect(v).toBeGreaterThan(0);
  });

  it('matches class gradients (10 one-hot VJPs)', async () => {
    const gm = buildGradientModel(bytes, { wrt: ['input'] });
    expect(gm.seedInput).toBe('grad_logits');
    const ref = classGradRef.data as Float32Array;
    const scale = maxAbs(ref);
    let worst = 0;
    const C = 10;
    const per = 784;
    for (let c = 0; c < C; c++) {
      const seed = new Float32Array(B * C);
      for (let i = 0; i < B; i++) seed[i * C + c] = 1;
      const out = await run(gm.bytes, {
        input: { data: x.data as Float32Array, dims: x.shape },
        grad_logits: { data: seed, dims: [B, C] },
      });
      const g = out[gm.inputGradients.input!]!.data;
      for (let i = 0; i < B; i++) {
        for (let k = 0; k < per; k++) {
          worst = Math.max(worst, Math.abs(g[i * per + k]! - ref[(i * C + c) * per + k]!));
        }
      }
    }
    console.log(`fixture: class-gradient max rel err ${(worst / scale).toExponential(2)}`);
    expect(worst / scale).toBeLessThan(1e-4);
  });
});
