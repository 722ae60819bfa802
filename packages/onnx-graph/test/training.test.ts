import { FMNIST_CNN_DIR } from '@rs/fixtures';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readNpy } from '@rs/datasets';
import { buildGradientModel, getInitializers, GraphBuilder, loadModel, replaceInitializers } from '../src/index.js';
import { randArray, rng, run, type Feed } from './helpers.js';

const dir = FMNIST_CNN_DIR;
const bytes = new Uint8Array(readFileSync(join(dir, 'model.onnx')));
const npy = (f: string) => readNpy(new Uint8Array(readFileSync(join(dir, f))));

describe('weight gradients', () => {
  it('fixture CNN: weight gradients of the summed loss match finite differences', async () => {
    const gm = buildGradientModel(bytes, { loss: { type: 'softmax-cross-entropy' }, weights: true, wrt: [] });
    expect(gm.weightInputs.sort()).toEqual(['0.bias', '0.weight', '3.bias', '3.weight', '7.bias', '7.weight', '9.bias', '9.weight']);
    expect(Object.keys(gm.inputGradients)).toEqual([]);
    const x = npy('x.npy');
    const y = npy('y.npy');
    const B = 4; // a few samples keep float32 finite differences clear of ReLU/max-pool kinks
    const feeds: Feed = {
      input: { data: (x.data as Float32Array).slice(0, B * 784), dims: [B, 1, 28, 28] },
      labels: { data: (y.data as BigInt64Array).slice(0, B), dims: [B] },
    };
    const inits = getInitializers(bytes);
    for (const name of gm.weightInputs) {
      const t = inits.get(name)!;
      feeds[name] = { data: t.data.slice(), dims: t.dims };
    }
    const out = await run(gm.bytes, feeds);
    const lossSum = (o: Awaited<ReturnType<typeof run>>) => o[gm.lossOutput!]!.data.reduce((a, b) => a + b, 0);
    // For each weight tensor: the 3 entries with the largest |gradient| and 2 fixed ones.
    const picks: [string, number[]][] = gm.weightInputs.map((name) => {
      const g = out[gm.weightGradients[name]!]!.data;
      const order = Array.from(g.keys()).sort((a, b) => Math.abs(g[b]!) - Math.abs(g[a]!));
      return [name, [...order.slice(0, 3), 0, g.length - 1]];
    });
    const h = 5e-4;
    let worst = 0;
    for (const [name, idxs] of picks) {
      const g = out[gm.weightGradients[name]!]!.data;
      expect(out[gm.weightGradients[name]!]!.dims).toEqual(inits.get(name)!.dims);
      for (const i of idxs) {
        const plus = (feeds[name]!.data as Float32Array).slice();
        const minus = plus.slice();
        plus[i]! += h;
        minus[i]! -= h;
        const lp = lossSum(await run(gm.bytes, { ...feeds, [name]: { data: plus, dims: feeds[name]!.dims } }));
        const lm = lossSum(await run(gm.bytes, { ...feeds, [name]: { data: minus, dims: feeds[name]!.dims } }));
        const fd = (lp - lm) / (plus[i]! - minus[i]!);
        const err = Math.abs(fd - g[i]!) / Math.max(0.05, Math.abs(g[i]!));
        worst = Math.max(worst, err);
        expect(err, `${name}[${i}]: analytic ${g[i]}, fd ${fd}`).toBeLessThan(2e-2);
      }
    }
    console.log(`fixture weight gradients: worst rel err vs FD ${worst.toExponential(2)}`);
  });

  it('2 SGD steps on a tiny MLP decrease the loss; replaceInitializers saves the trained model', async () => {
    const r = rng(21);
    const b = new GraphBuilder({ opset: 13 });
    const x = b.input('x', 'float32', ['batch', 4]);
    let h = b.node('Gemm', [x, b.initializer('fc1.weight', randArray('float32', 32, r, 0.5), [8, 4]), b.initializer('fc1.bias', new Float32Array(8), [8])], {
      transB: 1,
    });
    h = b.node('Relu', [h]);
    h = b.node(
      'Gemm',
      [h, b.initializer('fc2.weight', randArray('float32', 24, r, 0.5), [3, 8]), b.initializer('fc2.bias', new Float32Array(3), [3])],
      { transB: 1 },
      { outputs: ['logits'] },
    );
    b.output(h, 'float32', ['batch', 3]);
    const model = b.build();
    const gm = buildGradientModel(model, { loss: { type: 'softmax-cross-entropy' }, weights: true, wrt: [] });
    const N = 32;
    const xs = randArray('float32', N * 4, r) as Float32Array;
    const labels = new BigInt64Array(N);
    for (let i = 0; i < N; i++) labels[i] = BigInt(xs[i * 4]! + xs[i * 4 + 1]! > 0 ? 0 : xs[i * 4 + 2]! > 0 ? 1 : 2);
    const weights = getInitializers(model);
    const feed = (): Feed => {
      const f: Feed = { x: { data: xs, dims: [N, 4] }, labels: { data: labels, dims: [N] } };
      for (const [k, v] of weights) f[k] = { data: v.data, dims: v.dims };
      return f;
    };
    const losses: number[] = [];
    const lr = 0.5 / N;
    for (let step = 0; step < 3; step++) {
      const out = await run(gm.bytes, feed());
      losses.push(out[gm.lossOutput!]!.data.reduce((a, c) => a + c, 0) / N);
      if (step === 2) break;
      for (const [k, v] of weights) {
        const g = out[gm.weightGradients[k]!]!.data;
        const next = v.data.slice();
        for (let i = 0; i < next.length; i++) next[i]! -= lr * g[i]!;
        weights.set(k, { dims: v.dims, data: next });
      }
    }
    console.log(`tiny MLP mean loss over SGD steps: ${losses.map((l) => l.toFixed(4)).join(' -> ')}`);
    expect(losses[1]).toBeLessThan(losses[0]!);
    expect(losses[2]).toBeLessThan(losses[1]!);

    // Save the trained weights and check the saved model reproduces the trained logits.
    const trained = replaceInitializers(model, new Map([...weights].map(([k, v]) => [k, v.data])));
    const reloaded = loadModel(trained);
    expect([...reloaded.graph.initializers.keys()].sort()).toEqual(['fc1.bias', 'fc1.weight', 'fc2.bias', 'fc2.weight']);
    const saved = await run(trained, { x: { data: xs, dims: [N, 4] } });
    const viaGrad = await run(gm.bytes, feed());
    for (let i = 0; i < saved.logits!.data.length; i++) expect(saved.logits!.data[i]).toBeCloseTo(viaGrad.logits!.data[i]!, 5);
  });
});
