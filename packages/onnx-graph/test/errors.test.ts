import { FMNIST_CNN_DIR } from '@rs/fixtures';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildGradientModel, checkSupported, GraphBuilder, InvalidModelError, loadModel, UnsupportedOpError } from '../src/index.js';
import { GRAD_RULES } from '../src/gradients/registry.js';
import { sigmoidGrad } from '../src/gradients/elementwise.js';
import { gradCheck } from './gradcheck.js';
import { rng } from './helpers.js';

const dir = FMNIST_CNN_DIR;
const bytes = new Uint8Array(readFileSync(join(dir, 'model.onnx')));

describe('bad input', () => {
  it('truncated bytes', () => {
    for (const n of [10, 1000, bytes.length - 7]) {
      expect(() => loadModel(bytes.slice(0, n))).toThrow(InvalidModelError);
      expect(() => loadModel(bytes.slice(0, n))).toThrow(/^not a valid ONNX model: /);
    }
  });

  it('random bytes and empty input', () => {
    const r = rng(99);
    for (let t = 0; t < 5; t++) {
      const junk = Uint8Array.from({ length: 200 + t * 37 }, () => Math.floor(r() * 256));
      expect(() => loadModel(junk)).toThrow(/not a valid ONNX model/);
    }
    expect(() => loadModel(new Uint8Array(0))).toThrow(/not a valid ONNX model: empty/);
    expect(() => buildGradientModel(new Uint8Array([1, 2, 3]))).toThrow(/not a valid ONNX model/);
  });

  it('a model without a graph', () => {
    // opset_import { version: 13 } only (field 8, length-delimited)
    const noGraph = new Uint8Array([0x08, 0x07, 0x42, 0x02, 0x10, 0x0d]);
    expect(() => loadModel(noGraph)).toThrow(/not a valid ONNX model: the model has no graph/);
  });

  it('unsupported ops name the op and the node', () => {
    for (const op of ['Erf', 'LSTM']) {
      const b = new GraphBuilder({ opset: 13 });
      const x = b.input('x', 'float32', ['batch', 4]);
      const h = b.node('Relu', [x]);
      const y = b.node(op, [h], {}, { name: `/block/${op}_node` });
      b.output(y, 'float32', ['batch', 4]);
      const model = loadModel(b.toBytes()); // loading itself works
      expect(() => checkSupported(model)).toThrow(UnsupportedOpError);
      expect(() => checkSupported(model)).toThrow(new RegExp(`'${op}' \\(node '/block/${op}_node'\\)`));
      expect(() => buildGradientModel(model)).toThrow(new RegExp(`unsupported ONNX op '${op}' \\(node '/block/${op}_node'\\)`));
      try {
        buildGradientModel(model);
      } catch (e) {
        expect((e as UnsupportedOpError).opType).toBe(op);
        expect((e as UnsupportedOpError).nodeName).toBe(`/block/${op}_node`);
      }
    }
  });

  it('a shape-only op on the gradient path is reported', () => {
    const b = new GraphBuilder({ opset: 13 });
    const x = b.input('x', 'float32', ['batch', 4]);
    const g = b.node('Gather', [x, b.int64s([0, 2])], { axis: 1 }, { name: 'pick' });
    b.output(g, 'float32', ['batch', 2]);
    expect(() => buildGradientModel(b.build())).toThrow(/'Gather' \(node 'pick'\).*no gradient rule/);
  });

  it('training-mode BatchNormalization and unsupported opsets are rejected', () => {
    const b = new GraphBuilder({ opset: 15 });
    const x = b.input('x', 'float32', ['batch', 2, 3, 3]);
    const p = b.initializer('p', new Float32Array([1, 1]), [2]);
    const y = b.node('BatchNormalization', [x, p, p, p, p], { training_mode: 1 }, { name: 'bn', outputs: ['y'] });
    b.output(y, 'float32', ['batch', 2, 3, 3]);
    expect(() => buildGradientModel(b.build())).toThrow(/'BatchNormalization' \(node 'bn'\).*inference form/);
    const old = new GraphBuilder({ opset: 9 });
    old.output(old.node('Relu', [old.input('x', 'float32', [2])]), 'float32', [2]);
    expect(() => buildGradientModel(old.build())).toThrow(/opset 9 is outside the supported range/);
  });

  it('window attributes with the wrong number of values per spatial axis name the node and the attribute', () => {
    for (const [attr, value] of [
      ['strides', [2]],
      ['dilations', [1, 1, 1]],
      ['pads', [1, 1]],
      ['kernel_shape', [3]],
    ] as const) {
      const b = new GraphBuilder({ opset: 13 });
      const x = b.input('x', 'float32', ['batch', 1, 8, 8]);
      const w = b.initializer('w', new Float32Array(9), [1, 1, 3, 3]);
      b.output(b.node('Conv', [x, w], { [attr]: [...value] }, { name: 'conv0' }), 'float32', undefined);
      const pattern = new RegExp(`node 'conv0' \\(Conv\\): '${attr}' has ${value.length} values for 2 spatial axes`);
      expect(() => buildGradientModel(b.build()), attr).toThrow(InvalidModelError);
      expect(() => buildGradientModel(b.build()), attr).toThrow(pattern);
    }
  });

  it('unknown output / wrt / weight names', () => {
    expect(() => buildGradientModel(bytes, { output: 'nope' })).toThrow(/'nope' is not a graph output/);
    expect(() => buildGradientModel(bytes, { wrt: ['0.weight'] })).toThrow(/not a \(non-initializer\) graph input/);
    expect(() => buildGradientModel(bytes, { weights: ['nope'] })).toThrow(/'nope' is not an initializer/);
  });
});

describe('the finite-difference checker can fail', () => {
  it('rejects a wrong gradient rule (Tanh differentiated as Sigmoid)', async () => {
    const b = new GraphBuilder({ opset: 13 });
    b.output(b.node('Tanh', [b.input('x', 'float64', ['batch', 3])]), 'float64', ['batch', 3]);
    const entry = GRAD_RULES.Tanh!;
    const original = entry.rule;
    entry.rule = sigmoidGrad;
    try {
      await expect(gradCheck(b.build(), { label: 'broken Tanh' })).rejects.toThrow(/rel err/);
    } finally {
      entry.rule = original;
    }
    await gradCheck(b.build(), { label: 'Tanh' });
  });
});
