import { describe, expect, it } from 'vitest';
import { buildGradientModel, GraphBuilder, type DType, type Dim } from '../src/index.js';
import { gradCheck } from './gradcheck.js';
import { randArray, rng } from './helpers.js';

type Setup = (b: GraphBuilder, dt: DType, r: () => number) => { y: string; shape: Dim[] };

function model(dt: DType, setup: Setup, opset = 13, seed = 7) {
  const b = new GraphBuilder({ opset });
  const r = rng(seed);
  const { y, shape } = setup(b, dt, r);
  b.output(y, dt, shape);
  return b.build();
}

function w(b: GraphBuilder, name: string, dt: DType, dims: number[], r: () => number, scale = 1): string {
  return b.initializer(
    name,
    randArray(
      dt,
      dims.reduce((a, c) => a * c, 1),
      r,
      scale,
    ),
    dims,
  );
}

/** Distinct values (spaced by 0.05) in random order, so max-pool argmaxes are stable under FD. */
function distinct(n: number, r: () => number, dt: DType): Float32Array | Float64Array {
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  const a = dt === 'float64' ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (idx[i]! - n / 2) * 0.05;
  return a;
}

/** Values bounded away from 0 (for Relu/LeakyRelu kinks and Div denominators). */
function awayFromZero(n: number, r: () => number, dt: DType, min = 0.1): Float32Array | Float64Array {
  const a = dt === 'float64' ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (r() < 0.5 ? -1 : 1) * (min + r());
  return a;
}

const F64: DType = 'float64';
const F32: DType = 'float32';

describe('gradients vs central finite differences', () => {
  it('Gemm transB, alpha, beta, bias [N]', async () => {
    const m = model(F64, (b, dt, r) => {
      const x = b.input('x', dt, ['batch', 4]);
      return { y: b.node('Gemm', [x, w(b, 'w', dt, [3, 4], r), w(b, 'c', dt, [3], r)], { transB: 1, alpha: 0.7, beta: 1.3 }), shape: ['batch', 3] };
    });
    await gradCheck(m, { label: 'Gemm' });
  });

  it('Gemm transA, C [1, N], two inputs', async () => {
    const m = model(F64, (b, dt, r) => {
      const a = b.input('a', dt, [4, 'batch']);
      const bb = b.input('b', dt, [4, 3]);
      return { y: b.node('Gemm', [a, bb, w(b, 'c', dt, [1, 3], r)], { transA: 1, alpha: 1.5 }), shape: ['batch', 3] };
    });
    await gradCheck(m, { label: 'Gemm transA' });
  });

  it('Gemm transA+transB without C', async () => {
    const m = model(F64, (b, dt) => {
      const a = b.input('a', dt, [4, 2]);
      const bb = b.input('b', dt, [3, 4]);
      return { y: b.node('Gemm', [a, bb], { transA: 1, transB: 1 }), shape: [2, 3] };
    });
    await gradCheck(m, { label: 'Gemm tA tB' });
  });

  it('MatMul 2-D, 3-D x 2-D, batched broadcast, 1-D operands', async () => {
    await gradCheck(
      model(F64, (b, dt, r) => ({ y: b.node('MatMul', [b.input('x', dt, ['batch', 4]), w(b, 'w', dt, [4, 3], r)]), shape: ['batch', 3] })),
      { label: 'MatMul 2d' },
    );
    await gradCheck(
      model(F64, (b, dt, r) => ({ y: b.node('MatMul', [b.input('x', dt, ['batch', 2, 4]), w(b, 'w', dt, [4, 3], r)]), shape: ['batch', 2, 3] })),
      { label: 'MatMul 3d' },
    );
    await gradCheck(
      model(F64, (b, dt) => ({ y: b.node('MatMul', [b.input('a', dt, [2, 1, 3, 4]), b.input('b', dt, [5, 4, 2])]), shape: [2, 5, 3, 2] })),
      { label: 'MatMul bcast' },
    );
    await gradCheck(
      model(F64, (b, dt, r) => ({ y: b.node('MatMul', [b.input('x', dt, ['batch', 4]), w(b, 'v', dt, [4], r)]), shape: ['batch'] })),
      { label: 'MatMul 1-D rhs' },
    );
    await gradCheck(
      model(F64, (b, dt) => ({ y: b.node('MatMul', [b.input('v', dt, [4]), b.input('m', dt, [2, 4, 3])]), shape: [2, 3] })),
      { label: 'MatMul 1-D lhs' },
    );
  });

  it('Add / Sub / Mul / Div with broadcasting', async () => {
    for (const op of ['Add', 'Sub', 'Mul', 'Div']) {
      const m = model(F64, (b, dt, r) => {
        const x = b.input('x', dt, ['batch', 3, 4]);
        const y = b.input('y', dt, [4]);
        const c = w(b, 'c', dt, [3, 1], r);
        const t = b.node(op, [x, y]);
        return { y: b.node(op, [c, t]), shape: ['batch', 3, 4] };
      });
      const r = rng(11);
      await gradCheck(m, {
        label: op,
        inputs: op === 'Div' ? { x: awayFromZero(24, r, F64, 0.5), y: awayFromZero(4, r, F64, 0.5) } : undefined,
      });
    }
  });

  it('Mul of a tensor with itself and a value used twice (accumulation)', async () => {
    const m = model(F64, (b, dt) => {
      const x = b.input('x', dt, ['batch', 3]);
      const sq = b.node('Mul', [x, x]);
      const t = b.node('Tanh', [x]);
      return { y: b.node('Add', [sq, t]), shape: ['batch', 3] };
    });
    await gradCheck(m, { label: 'x*x + tanh(x)' });
  });

  it('Relu, LeakyRelu, Sigmoid, Tanh, Neg, Exp, Log, Sqrt', async () => {
    for (const [op, attrs] of [
      ['Relu', {}],
      ['Sigmoid', {}],
      ['Tanh', {}],
      ['Neg', {}],
      ['Exp', {}],
    ] as const) {
      const m = model(F64, (b, dt) => ({ y: b.node(op, [b.input('x', dt, ['batch', 5])], attrs), shape: ['batch', 5] }));
      await gradCheck(m, { label: op, inputs: { x: awayFromZero(10, rng(5), F64) } });
    }
    // onnxruntime's CPU LeakyRelu is float32 only
    const lr = model(F32, (b, dt) => ({ y: b.node('LeakyRelu', [b.input('x', dt, ['batch', 5])], { alpha: 0.2 }), shape: ['batch', 5] }));
    await gradCheck(lr, { label: 'LeakyRelu', inputs: { x: awayFromZero(10, rng(5), F32) } });
    for (const op of ['Log', 'Sqrt']) {
      const m = model(F64, (b, dt) => ({ y: b.node(op, [b.input('x', dt, ['batch', 5])]), shape: ['batch', 5] }));
      await gradCheck(m, { label: op, inputs: { x: Float64Array.from(awayFromZero(10, rng(5), F64, 0.3), Math.abs) } });
    }
  });

  it('Softmax and LogSoftmax (axis 1 and -1)', async () => {
    for (const op of ['Softmax', 'LogSoftmax']) {
      for (const axis of [1, -1]) {
        const m = model(F64, (b, dt) => ({ y: b.node(op, [b.input('x', dt, ['batch', 3, 4])], { axis }), shape: ['batch', 3, 4] }));
        await gradCheck(m, { label: `${op} axis ${axis}` });
      }
    }
  });

  it('Conv: stride 2, asymmetric pads, dilation 2, groups 2, bias', async () => {
    const m = model(F32, (b, dt, r) => {
      const x = b.input('x', dt, ['batch', 4, 9, 8]);
      const y = b.node('Conv', [x, w(b, 'w', dt, [6, 2, 3, 3], r), w(b, 'bias', dt, [6], r)], {
        strides: [2, 2],
        pads: [1, 0, 2, 1],
        dilations: [2, 2],
        group: 2,
        kernel_shape: [3, 3],
      });
      return { y, shape: ['batch', 6, 4, 3] };
    });
    await gradCheck(m, { label: 'Conv s2 d2 g2' });
  });

  it('Conv: stride 1 pads 1 no bias, stride 3 kernel 2 (uncovered border), depthwise, 1-D, auto_pad SAME_UPPER', async () => {
    await gradCheck(
      model(F32, (b, dt, r) => ({
        y: b.node('Conv', [b.input('x', dt, ['batch', 2, 6, 6]), w(b, 'w', dt, [3, 2, 3, 3], r)], { pads: [1, 1, 1, 1] }),
        shape: ['batch', 3, 6, 6],
      })),
      { label: 'Conv p1' },
    );
    await gradCheck(
      model(F32, (b, dt, r) => ({
        y: b.node('Conv', [b.input('x', dt, ['batch', 2, 8, 7]), w(b, 'w', dt, [3, 2, 2, 2], r)], { strides: [3, 3] }),
        shape: ['batch', 3, 3, 2],
      })),
      { label: 'Conv s3' },
    );
    await gradCheck(
      model(F32, (b, dt, r) => ({
        y: b.node('Conv', [b.input('x', dt, ['batch', 3, 5, 5]), w(b, 'w', dt, [3, 1, 3, 3], r), w(b, 'bias', dt, [3], r)], {
          group: 3,
          pads: [1, 1, 1, 1],
          strides: [2, 2],
        }),
        shape: ['batch', 3, 3, 3],
      })),
      { label: 'Conv depthwise' },
    );
    await gradCheck(
      model(F32, (b, dt, r) => ({
        y: b.node('Conv', [b.input('x', dt, ['batch', 2, 10]), w(b, 'w', dt, [4, 2, 3], r), w(b, 'bias', dt, [4], r)], { strides: [2], pads: [1, 1] }),
        shape: ['batch', 4, 5],
      })),
      { label: 'Conv1d' },
    );
    await gradCheck(
      model(F32, (b, dt, r) => ({
        y: b.node('Conv', [b.input('x', dt, ['batch', 2, 7, 7]), w(b, 'w', dt, [2, 2, 3, 3], r)], { strides: [2, 2], auto_pad: 'SAME_UPPER' }),
        shape: ['batch', 2, 4, 4],
      })),
      { label: 'Conv SAME_UPPER' },
    );
  });

  it('Conv stride 1 with >= 8 input channels (dX as a flipped-kernel Conv): groups 2, dilation 2, asymmetric pads', async () => {
    const m = model(F32, (b, dt, r) => {
      const x = b.input('x', dt, ['batch', 8, 6, 5]);
      const y = b.node('Conv', [x, w(b, 'w', dt, [4, 4, 3, 2], r, 0.5), w(b, 'bias', dt, [4], r)], { pads: [2, 0, 1, 1], dilations: [2, 1], group: 2 });
      return { y, shape: ['batch', 4, 5, 5] };
    });
    const gm = buildGradientModel(m);
    expect(gm.model.graph.nodes.some((n) => n.opType === 'ConvTranspose')).toBe(false);
    await gradCheck(m, { label: 'Conv s1 c8 g2 d2' });
    const plain = model(F32, (b, dt, r) => ({
      y: b.node('Conv', [b.input('x', dt, ['batch', 8, 5, 5]), w(b, 'w', dt, [3, 8, 3, 3], r, 0.5)], { pads: [1, 1, 1, 1] }),
      shape: ['batch', 3, 5, 5],
    }));
    await gradCheck(plain, { label: 'Conv s1 c8' });
  });

  it('MaxPool: non-overlapping, overlapping with pads and strides, ceil_mode', async () => {
    const cases: [Record<string, number[] | number>, Dim[], number[]][] = [
      [{ kernel_shape: [2, 2], strides: [2, 2] }, ['batch', 3, 3, 3], [3, 6, 6]],
      [{ kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, ['batch', 3, 4, 3], [3, 7, 6]],
      [{ kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1 }, ['batch', 2, 4, 4], [2, 7, 7]],
      [{ kernel_shape: [3, 2], strides: [1, 2], pads: [1, 0, 1, 1], dilations: [2, 1] }, ['batch', 2, 3, 3], [2, 5, 6]],
    ];
    for (const [attrs, outShape, inDims] of cases) {
      for (const dt of [F32, F64]) {
        const m = model(dt, (b, d) => ({ y: b.node('MaxPool', [b.input('x', d, ['batch', ...inDims])], attrs), shape: outShape }));
        const n = 2 * inDims.reduce((a, c) => a * c, 1);
        await gradCheck(m, { label: `MaxPool ${JSON.stringify(attrs)} ${dt}`, inputs: { x: distinct(n, rng(9), dt) } });
      }
    }
  });

  it('AveragePool: count_include_pad 0/1 with pads, ceil_mode; GlobalAveragePool', async () => {
    const cases: [Record<string, number[] | number>, Dim[]][] = [
      [{ kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, ['batch', 2, 4, 3]],
      [{ kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], count_include_pad: 1 }, ['batch', 2, 4, 3]],
      [{ kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1 }, ['batch', 2, 4, 3]],
      [{ kernel_shape: [2, 2], strides: [2, 2] }, ['batch', 2, 3, 3]],
    ];
    for (const [attrs, outShape] of cases) {
      const m = model(F32, (b, d) => ({ y: b.node('AveragePool', [b.input('x', d, ['batch', 2, 7, 6])], attrs), shape: outShape }));
      await gradCheck(m, { label: `AveragePool ${JSON.stringify(attrs)}` });
    }
    const g = model(F32, (b, d) => ({ y: b.node('GlobalAveragePool', [b.input('x', d, ['batch', 3, 4, 5])]), shape: ['batch', 3, 1, 1] }));
    await gradCheck(g, { label: 'GlobalAveragePool' });
  });

  it('BatchNormalization (inference) incl. scale and bias gradients', async () => {
    const m = model(F32, (b, dt, r) => {
      const x = b.input('x', dt, ['batch', 3, 4, 4]);
      const mean = w(b, 'mean', dt, [3], r);
      const v = b.initializer('var', Float32Array.from([0.5, 1.5, 2.0]), [3]);
      return { y: b.node('BatchNormalization', [x, w(b, 'scale', dt, [3], r), w(b, 'B', dt, [3], r), mean, v], { epsilon: 1e-3 }), shape: ['batch', 3, 4, 4] };
    });
    const res = await gradCheck(m, { label: 'BatchNormalization' });
    expect(res.checked).toBe(2 * 48 + 3 + 3); // x, scale, B (not mean/var)
  });

  it('Flatten, Reshape (PyTorch shape chain), Transpose, Squeeze, Unsqueeze, Identity, Dropout, Constant, Concat', async () => {
    const m = model(F64, (b, dt, r) => {
      const x = b.input('x', dt, ['batch', 2, 3, 2]);
      const t = b.node('Transpose', [x], { perm: [0, 2, 3, 1] });
      const f = b.node('Flatten', [t], { axis: 2 }); // [batch*3, 4]
      const shp = b.node('Shape', [x]);
      const n0 = b.node('Gather', [shp, b.node('Constant', [], { value: { name: 'c0', dtype: 'int64', dims: [], data: new BigInt64Array([0n]) } })], {
        axis: 0,
      });
      const n0u = b.node('Unsqueeze', [n0, b.int64s([0])]);
      const minus1 = b.node('Constant', [], { value: { name: 'm1', dtype: 'int64', dims: [1], data: new BigInt64Array([-1n]) } });
      const target = b.node('Concat', [n0u, minus1], { axis: 0 });
      const rs = b.node('Reshape', [f, target]); // [batch, 12]
      const u = b.node('Unsqueeze', [rs, b.int64s([1])]); // [batch, 1, 12]
      const id = b.node('Identity', [u]);
      const [dr] = b.nodeMulti('Dropout', [id, b.scalar(0.3, dt)], {}, { outputs: 2 });
      const sq = b.node('Squeeze', [dr!, b.int64s([1])]);
      const k = b.node('Constant', [], { value: { name: 'k', dtype: dt, dims: [12], data: randArray(dt, 12, r) } });
      const scaled = b.node('Mul', [sq, k]);
      const other = b.input('z', dt, ['batch', 5]);
      const cat = b.node('Concat', [scaled, b.node('Sigmoid', [other]), sq], { axis: 1 });
      return { y: cat, shape: ['batch', 29] };
    });
    await gradCheck(m, { label: 'layout ops', batch: 3 });
  });

  it('Concat with a dynamic (symbolic) axis', async () => {
    const m = model(F64, (b, dt) => {
      const a = b.input('a', dt, ['batch', 2]);
      const c = b.input('c', dt, ['n', 2]);
      return { y: b.node('Concat', [a, b.node('Tanh', [c])], { axis: 0 }), shape: [null, 2] };
    });
    await gradCheck(m, { label: 'Concat dynamic' });
  });

  it('a small CNN at opset 17: MaxPool-Conv-BN-Sigmoid-AvgPool-Conv(g2)-GAP-Flatten-Gemm-Softmax', async () => {
    // Kinks (Relu, max switching) make float32 finite differences unreliable deep in a network,
    // so the max-pool sits on the input (with well-separated values) and activations are smooth.
    const m = model(
      F32,
      (b, dt, r) => {
        const x = b.input('x', dt, ['batch', 2, 9, 9]);
        let h = b.node('MaxPool', [x], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] });
        h = b.node('Conv', [h, w(b, 'c1.w', dt, [4, 2, 3, 3], r, 0.5), w(b, 'c1.b', dt, [4], r)], { pads: [1, 1, 1, 1] });
        h = b.node('BatchNormalization', [
          h,
          w(b, 'bn.s', dt, [4], r),
          w(b, 'bn.b', dt, [4], r),
          w(b, 'bn.m', dt, [4], r),
          b.initializer('bn.v', new Float32Array([1, 2, 0.5, 1]), [4]),
        ]);
        h = b.node('Sigmoid', [h]);
        h = b.node('AveragePool', [h], { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1 });
        h = b.node('Conv', [h, w(b, 'c2.w', dt, [4, 2, 3, 3], r, 0.5)], { pads: [1, 1, 1, 1], group: 2 });
        h = b.node('GlobalAveragePool', [h]);
        h = b.node('Flatten', [h]);
        h = b.node('Gemm', [h, w(b, 'fc.w', dt, [3, 4], r, 3), w(b, 'fc.b', dt, [3], r)], { transB: 1 });
        return { y: b.node('Softmax', [h], { axis: 1 }), shape: ['batch', 3] };
      },
      17,
    );
    const res = await gradCheck(m, { label: 'small CNN opset 17', inputs: { x: distinct(2 * 2 * 81, rng(4), F32) } });
    console.log('small CNN opset 17 per-tensor max rel err', res.errors);
  });
});
