/**
 * Gradient rules of MaxPool, AveragePool and GlobalAveragePool.
 */
import { allocate } from '../dtype.js';
import { attrInt, attrInts } from '../ir.js';
import { makeTensor } from '../tensor.js';
import type { GradRule } from './context.js';
import { transposeGeometry, windowGeometry } from './conv.js';

/**
 * MaxPool: routes g to the argmax positions using MaxPool's Indices output (added to the
 * forward node if absent): ScatterElements into a flat zero tensor (with reduction 'add',
 * opset 16, when windows overlap), then Reshape to X's shape.
 */
export const maxPoolGrad: GradRule = (ctx, node, [g]) => {
  const x = ctx.input(0);
  if (attrInt(node, 'storage_order', 0) !== 0) ctx.fail('storage_order = 1 is not supported');
  const r = ctx.rank(x) - 2;
  const kernel = attrInts(node, 'kernel_shape');
  if (!kernel) return ctx.fail('kernel_shape is required');
  const strides = attrInts(node, 'strides') ?? new Array(r).fill(1);
  const dil = attrInts(node, 'dilations') ?? new Array(r).fill(1);
  const overlapping = kernel.some((k, i) => (k - 1) * dil[i] + 1 > strides[i]);
  if (!node.outputs[1]) {
    node.outputs[1] = ctx.b.uniqueName(`${ctx.output(0)}_indices`);
  }
  const indices = node.outputs[1];
  const dt = ctx.dtype(x);
  const size = ctx.emit('Reshape', [ctx.emit('Size', [x]), ctx.ints([1])]);
  const zeros = ctx.emit('ConstantOfShape', [size], { value: makeTensor('value', allocate(dt, 1), [1], dt) });
  const flatI = ctx.emit('Reshape', [indices, ctx.ints([-1])]);
  const flatG = ctx.emit('Reshape', [g!, ctx.ints([-1])]);
  let scattered: string;
  if (overlapping) {
    ctx.requireOpset(16);
    scattered = ctx.emit('ScatterElements', [zeros, flatI, flatG], { axis: 0, reduction: 'add' });
  } else {
    scattered = ctx.emit('ScatterElements', [zeros, flatI, flatG], { axis: 0 });
  }
  return [ctx.reshapeLike(scattered, x)];
};

/**
 * AveragePool: g divided by each window's element count (count_include_pad, ceil_mode and
 * border clipping as onnxruntime/PyTorch compute it), spread back with a ConvTranspose whose
 * kernel is all ones (channels folded into the batch).
 */
export const averagePoolGrad: GradRule = (ctx, node, [g]) => {
  const x = ctx.input(0);
  const kernel = attrInts(node, 'kernel_shape');
  if (!kernel) return ctx.fail('kernel_shape is required');
  const geo = windowGeometry(ctx, kernel);
  if (geo.dilations.some((d) => d !== 1)) ctx.fail('dilated AveragePool is not supported');
  const r = kernel.length;
  const includePad = attrInt(node, 'count_include_pad', 0) === 1;
  const dt = ctx.dtype(x);
  // counts per output position, per spatial axis (separable), then the outer product.
  // (the geometry has one entry per spatial axis, kernel included: checked by resolvePads)
  const perAxis = geo.outSpatial.map((o, i) => {
    const [stride, padBegin, padEnd, k, size] = [geo.strides[i]!, geo.pads[i]!, geo.pads[i + r]!, kernel[i]!, geo.spatial[i]!];
    return Array.from({ length: o }, (_, p) => {
      let start = p * stride - padBegin;
      let end = Math.min(start + k, size + padEnd);
      const withPad = end - start;
      start = Math.max(start, 0);
      end = Math.min(end, size);
      return includePad ? withPad : end - start;
    });
  });
  const total = geo.outSpatial.reduce((a, b) => a * b, 1);
  const inv = dt === 'float64' ? new Float64Array(total) : new Float32Array(total);
  for (let flat = 0; flat < total; flat++) {
    let rem = flat;
    let c = 1;
    for (let i = r - 1; i >= 0; i--) {
      const o = geo.outSpatial[i]!;
      c *= perAxis[i]![rem % o]!;
      rem = Math.floor(rem / o);
    }
    inv[flat] = 1 / c;
  }
  const first = inv[0];
  const scale =
    first !== undefined && inv.every((v) => v === first) ? ctx.scalar(first, dt) : ctx.b.constant(inv, [1, 1, ...geo.outSpatial], 'avgpool_inv_counts');
  const gs = ctx.emit('Mul', [g!, scale]);
  const gr = ctx.emit('Reshape', [gs, ctx.ints([-1, 1, ...geo.outSpatial])]);
  const k = kernel.reduce((a, b) => a * b, 1);
  const ones = dt === 'float64' ? new Float64Array(k).fill(1) : new Float32Array(k).fill(1);
  const w = ctx.b.constant(ones, [1, 1, ...kernel], 'avgpool_ones');
  const t = transposeGeometry(geo);
  const ct = ctx.emit('ConvTranspose', [gr, w], {
    strides: geo.strides,
    kernel_shape: kernel,
    pads: t.pads,
    output_padding: t.outputPadding.some((p) => p !== 0) ? t.outputPadding : undefined,
  });
  return [ctx.reshapeLike(ct, x)];
};

/**
 * GlobalAveragePool: g broadcast over the spatial dims, divided by their product.
 */
export const globalAveragePoolGrad: GradRule = (ctx, _node, [g]) => {
  const x = ctx.input(0);
  const r = ctx.rank(x);
  const dt = ctx.dtype(x);
  const spatialAxes = Array.from({ length: r - 2 }, (_, i) => i + 2);
  const s = ctx.shape(x)!;
  let scale: string;
  if (spatialAxes.every((a) => typeof s[a] === 'number')) {
    scale = ctx.scalar(1 / spatialAxes.reduce((p, a) => p * (s[a] as number), 1), dt);
  } else {
    const sp = ctx.emit('Slice', [ctx.emit('Shape', [x]), ctx.ints([2]), ctx.ints([r])]);
    scale = ctx.emit('Reciprocal', [ctx.cast(ctx.emit('ReduceProd', [sp], { keepdims: 0 }), dt)]);
  }
  const gs = ctx.emit('Mul', [g!, scale]);
  return [ctx.emit('Expand', [gs, ctx.emit('Shape', [x])])];
};
