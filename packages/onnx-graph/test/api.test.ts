import { FMNIST_CNN_DIR } from '@rs/fixtures';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readNpy } from '@rs/datasets';
import { describe, expect, it } from 'vitest';
import {
  buildGradientModel,
  foldShapeArithmetic,
  getInitializers,
  GraphBuilder,
  inferShapes,
  layerNames,
  loadModel,
  replaceInitializers,
  saveModel,
  withIntermediateOutputs,
} from '../src/index.js';
import { maxAbsDiff, run } from './helpers.js';

const dir = FMNIST_CNN_DIR;
const bytes = new Uint8Array(readFileSync(join(dir, 'model.onnx')));
const x = readNpy(new Uint8Array(readFileSync(join(dir, 'x.npy'))));
const feed = { input: { data: (x.data as Float32Array).slice(0, 3 * 784), dims: [3, 1, 28, 28] } };

describe('IR helpers', () => {
  it('saveModel round-trips (same outputs on ORT, same IR)', async () => {
    const m = loadModel(bytes);
    const again = saveModel(m);
    const m2 = loadModel(again);
    expect(m2.graph.nodes).toEqual(m.graph.nodes);
    expect(m2.graph.inputs).toEqual(m.graph.inputs);
    expect([...m2.graph.initializers.keys()]).toEqual([...m.graph.initializers.keys()]);
    const a = await run(bytes, feed);
    const b = await run(again, feed);
    expect(maxAbsDiff(a.logits!.data, b.logits!.data)).toBe(0);
  });

  it('shape inference with a symbolic batch', () => {
    const { info } = inferShapes(loadModel(bytes));
    expect(info.get('/2/MaxPool_output_0')?.shape).toEqual(['batch', 16, 14, 14]);
    expect(info.get('/6/Flatten_output_0')?.shape).toEqual(['batch', 1568]);
    expect(info.get('logits')).toMatchObject({ dtype: 'float32', shape: ['batch', 10] });
  });

  it('layerNames and withIntermediateOutputs', async () => {
    const names = layerNames(bytes);
    expect(names).toEqual([
      '/0/Conv_output_0',
      '/1/Relu_output_0',
      '/2/MaxPool_output_0',
      '/3/Conv_output_0',
      '/4/Relu_output_0',
      '/5/MaxPool_output_0',
      '/6/Flatten_output_0',
      '/7/Gemm_output_0',
      '/8/Relu_output_0',
      'logits',
    ]);
    expect(layerNames(bytes, { kind: 'nodes' })[0]).toBe('/0/Conv');
    const m2 = withIntermediateOutputs(bytes, ['/1/Relu_output_0', '/8/Relu_output_0', 'logits']);
    const out = await run(m2, feed);
    expect(out['/1/Relu_output_0']!.dims).toEqual([3, 16, 28, 28]);
    expect(out['/8/Relu_output_0']!.dims).toEqual([3, 128]);
    expect(Object.keys(out).sort()).toEqual(['/1/Relu_output_0', '/8/Relu_output_0', 'logits']);
    expect(() => withIntermediateOutputs(bytes, ['nope'])).toThrow(/not a value of the graph/);
  });

  it('replaceInitializers gives a valid model with the new weights', async () => {
    const inits = getInitializers(bytes);
    const b9 = inits.get('9.bias')!.data.map((v) => v + 1);
    const replaced = replaceInitializers(bytes, new Map([['9.bias', b9]]));
    const a = await run(bytes, feed);
    const b = await run(replaced, feed);
    for (let i = 0; i < a.logits!.data.length; i++) expect(b.logits!.data[i]).toBeCloseTo(a.logits!.data[i]! + 1, 5);
    expect(() => replaceInitializers(bytes, new Map([['9.bias', new Float32Array(3)]]))).toThrow(/has 10 values/);
    expect(() => replaceInitializers(bytes, new Map([['zzz', new Float32Array(3)]]))).toThrow(/not an initializer/);
  });
});

describe('shape-arithmetic folding', () => {
  function pytorchViewModel(opset: number) {
    // x.view(x.size(0), -1) as the TorchScript exporter emits it
    const b = new GraphBuilder({ opset });
    const x = b.input('input', 'float32', ['batch', 2, 3, 3]);
    const c = b.node('Conv', [x, b.initializer('w', new Float32Array(4 * 2 * 9).fill(0.1), [4, 2, 3, 3])], {}, { name: '/conv/Conv' });
    const shape = b.node('Shape', [c], {}, { name: '/Shape' });
    const idx = b.node('Constant', [], { value: { name: 'i', dtype: 'int64', dims: [], data: new BigInt64Array([0n]) } }, { name: '/Constant' });
    const g = b.node('Gather', [shape, idx], { axis: 0 }, { name: '/Gather' });
    const u = b.node('Unsqueeze', [g, b.int64s([0])], {}, { name: '/Unsqueeze' });
    const m1 = b.node('Constant', [], { value: { name: 'm', dtype: 'int64', dims: [1], data: new BigInt64Array([-1n]) } }, { name: '/Constant_1' });
    const cat = b.node('Concat', [u, m1], { axis: 0 }, { name: '/Concat' });
    const casted = b.node('Cast', [cat], { to: 7 }, { name: '/Cast' });
    const r = b.node('Reshape', [c, casted], {}, { name: '/Reshape' });
    const y = b.node('Gemm', [r, b.initializer('fc', new Float32Array(4 * 3).fill(0.2), [3, 4])], { transB: 1 }, { name: '/fc/Gemm', outputs: ['logits'] });
    b.output(y, 'float32', ['batch', 3]);
    return b.build();
  }

  it('folds Shape/Gather/Unsqueeze/Concat/Cast feeding Reshape into a constant', async () => {
    const m = pytorchViewModel(13);
    const folded = foldShapeArithmetic(m);
    expect(folded.graph.nodes.map((n) => n.opType)).toEqual(['Conv', 'Reshape', 'Gemm']);
    const reshape = folded.graph.nodes[1]!;
    expect(Array.from(folded.graph.initializers.get(reshape.inputs[1]!)!.data as BigInt64Array, Number)).toEqual([0, -1]);
    const { info } = inferShapes(m);
    expect(info.get(reshape.outputs[0]!)?.shape).toEqual(['batch', 4]);
    const gm = buildGradientModel(m, { weights: true });
    expect(gm.model.graph.nodes.some((n) => n.opType === 'Gather' || (n.opType === 'Shape' && n.name.startsWith('/Shape')))).toBe(false);
    const out = await run(gm.bytes, {
      input: { data: new Float32Array(2 * 18).fill(1), dims: [2, 2, 3, 3] },
      grad_logits: { data: new Float32Array(6).fill(1), dims: [2, 3] },
      w: { data: new Float32Array(72).fill(0.1), dims: [4, 2, 3, 3] },
      fc: { data: new Float32Array(12).fill(0.2), dims: [3, 4] },
    });
    expect(out.grad_input!.dims).toEqual([2, 2, 3, 3]);
    // d sum(logits) / d x = sum_o 3 * 0.2 * w = 0.6 * 4 * 0.1
    for (const v of out.grad_input!.data) expect(v).toBeCloseTo(0.24, 5);
  });

  it('MaxPool with overlapping windows raises the gradient model to opset 16 (ScatterElements add)', () => {
    const b = new GraphBuilder({ opset: 13 });
    b.output(b.node('MaxPool', [b.input('x', 'float32', ['batch', 1, 5, 5])], { kernel_shape: [3, 3], strides: [1, 1] }), 'float32', ['batch', 1, 3, 3]);
    const gm = buildGradientModel(b.build());
    expect(gm.model.opsetVersion).toBe(16);
    const nb = new GraphBuilder({ opset: 13 });
    nb.output(nb.node('MaxPool', [nb.input('x', 'float32', ['batch', 1, 4, 4])], { kernel_shape: [2, 2], strides: [2, 2] }), 'float32', ['batch', 1, 2, 2]);
    expect(buildGradientModel(nb.build()).model.opsetVersion).toBe(13);
  });

  it('describes the gradient model interface', () => {
    const gm = buildGradientModel(bytes, { weights: ['9.weight', '9.bias'] });
    expect(gm.inputs.map((i) => i.name)).toEqual(['input', 'grad_logits', '9.weight', '9.bias']);
    expect(gm.inputs[1]).toMatchObject({ dtype: 'float32', shape: ['batch', 10] });
    expect(gm.outputs.map((o) => o.name)).toEqual(['logits', 'grad_input', 'grad_9.weight', 'grad_9.bias']);
    expect(gm.outputs[1]).toMatchObject({ dtype: 'float32', shape: ['batch', 1, 28, 28] });
    expect(gm.inputGradients).toEqual({ input: 'grad_input' });
    expect(gm.weightGradients).toEqual({ '9.weight': 'grad_9.weight', '9.bias': 'grad_9.bias' });
    const withLoss = buildGradientModel(bytes, { loss: { type: 'softmax-cross-entropy', labels: 'probabilities' } });
    expect(withLoss.inputs.map((i) => i.name)).toEqual(['input', 'labels']);
    expect(withLoss.inputs[1]).toMatchObject({ dtype: 'float32', shape: ['batch', 10] });
    expect(withLoss.outputs.map((o) => o.name)).toEqual(['logits', 'loss', 'grad_input']);
  });

  it('probability labels give the same loss and gradient as int64 labels when one-hot', async () => {
    const hard = buildGradientModel(bytes, { loss: { type: 'softmax-cross-entropy' } });
    const soft = buildGradientModel(bytes, { loss: { type: 'softmax-cross-entropy', labels: 'probabilities' } });
    const labels = new BigInt64Array([3n, 0n, 9n]);
    const onehot = new Float32Array(30);
    for (const [i, l] of labels.entries()) onehot[i * 10 + Number(l)] = 1;
    const a = await run(hard.bytes, { ...feed, labels: { data: labels, dims: [3] } });
    const b = await run(soft.bytes, { ...feed, labels: { data: onehot, dims: [3, 10] } });
    expect(maxAbsDiff(a.loss!.data, b.loss!.data)).toBeLessThan(1e-6);
    expect(maxAbsDiff(a.grad_input!.data, b.grad_input!.data)).toBeLessThan(1e-7);
  });
});
