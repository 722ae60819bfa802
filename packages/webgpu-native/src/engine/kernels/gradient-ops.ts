/**
 * The ops `@rs/onnx-graph`'s gradient models use beyond the forward op set: comparisons, Where,
 * Sum, Expand, Cast, ConstantOfShape, ScatterElements (with reduction 'add'), ReduceSum, Slice,
 * Split, Shape, Size and ConvTranspose. Integer tensors (indices, labels) live on the device as
 * i32, booleans as f32 0 / 1.
 */
import { dtypeFromCode, type Tensor } from '@rs/onnx-graph';
import { attrIntOf, attrIntsOf, attrStringOf } from '../attributes.js';
import type { LowerContext, OpLowering, ValueType } from '../lower-context.js';
import { broadcast, broadcastStrides } from './elementwise.js';
import { decompose, elementwiseKernel, f32, numel, stridesOf, u32, type ElementType, type KernelBinding } from './wgsl.js';

/** The WGSL element type a value is stored as. */
function wgslType(ctx: LowerContext, value: string): ElementType {
  return ctx.dtype(value) === 'int' ? 'i32' : 'f32';
}

function hostInts(ctx: LowerContext, value: string, what: string): number[] {
  const t = ctx.hostTensor(value);
  if (!t) throw ctx.fail(`${ctx.node.opType}'s ${what} must be a constant known when the model is compiled`);
  return Array.from(t.data as ArrayLike<number | bigint>, (v) => Number(v));
}

function int64(name: string, values: number[], dims: number[]): Tensor {
  return { name, dtype: 'int64', dims, data: BigInt64Array.from(values, (v) => BigInt(v)) };
}

/**
 * A kernel over `out` (numpy broadcasting of every input to it): `expr(vars)` computes the element
 * from the inputs' elements `vars[k]`.
 */
function broadcastKernel(ctx: LowerContext, inputs: string[], out: readonly number[], y: string, yType: ElementType, expr: (vars: string[]) => string): void {
  const total = numel(out);
  const lines: string[] = [];
  const vars = inputs.map((value, k) => {
    const s = ctx.shape(value);
    if (numel(s) === total) return `x${k}[i]`;
    if (numel(s) === 1) return `x${k}[0u]`;
    lines.push(decompose('i', out, [[`i${k}`, broadcastStrides(s, out)]]).replaceAll('rem_', `rem${k}_`));
    return `x${k}[i${k}]`;
  });
  const bindings: KernelBinding[] = [
    ...inputs.map((value, k) => ({ variable: `x${k}`, value, type: wgslType(ctx, value) })),
    { variable: 'y', value: y, write: true, type: yType },
  ];
  ctx.kernel(elementwiseKernel(`${ctx.node.opType} ${ctx.node.name}`, bindings, total, `${lines.join('\n')}\n  y[i] = ${expr(vars)};`));
}

function broadcastAll(ctx: LowerContext, shapes: ReadonlyArray<readonly number[]>): number[] {
  try {
    return shapes.reduce<number[]>((a, s) => broadcast(a, s), []);
  } catch (err) {
    throw ctx.fail((err as Error).message);
  }
}

const COMPARE: Record<string, string> = { Greater: '>', Less: '<', Equal: '==', GreaterOrEqual: '>=', LessOrEqual: '<=' };

/** The comparison ops implemented. @example COMPARE_OPS.includes('Greater') */
export const COMPARE_OPS = Object.keys(COMPARE);

/**
 * Greater, Less, Equal, GreaterOrEqual, LessOrEqual with broadcasting: a boolean (f32 0 / 1) output.
 *
 * @example
 * LOWERINGS.Greater = compareLowering;
 */
export const compareLowering: OpLowering = (ctx) => {
  const a = ctx.input(0);
  const b = ctx.input(1);
  const out = broadcastAll(ctx, [ctx.shape(a), ctx.shape(b)]);
  const y = ctx.output(0, out, 'bool');
  broadcastKernel(ctx, [a, b], out, y, 'f32', ([va, vb]) => `select(0.0, 1.0, ${va} ${COMPARE[ctx.node.opType]} ${vb})`);
};

/**
 * Where(condition, X, Y) with broadcasting.
 *
 * @example
 * LOWERINGS.Where = whereLowering;
 */
export const whereLowering: OpLowering = (ctx) => {
  const [c, a, b] = [ctx.input(0), ctx.input(1), ctx.input(2)];
  const out = broadcastAll(ctx, [ctx.shape(c), ctx.shape(a), ctx.shape(b)]);
  const type = ctx.dtype(a);
  const y = ctx.output(0, out, type);
  const cond = (v: string) => (ctx.dtype(c) === 'int' ? `${v} != 0` : `${v} != 0.0`);
  broadcastKernel(ctx, [c, a, b], out, y, wgslType(ctx, a), ([vc, va, vb]) => `select(${vb}, ${va}, ${cond(vc!)})`);
};

/**
 * Sum of any number of inputs with broadcasting.
 *
 * @example
 * LOWERINGS.Sum = sumLowering;
 */
export const sumLowering: OpLowering = (ctx) => {
  const inputs = ctx.node.inputs.filter((n) => n);
  if (inputs.length === 0) throw ctx.fail('Sum needs at least one input');
  if (inputs.length > 6) throw ctx.fail('Sum of more than 6 inputs is not supported');
  for (const name of inputs) ctx.input(ctx.node.inputs.indexOf(name));
  const out = broadcastAll(
    ctx,
    inputs.map((n) => ctx.shape(n)),
  );
  const y = ctx.output(0, out);
  broadcastKernel(ctx, inputs, out, y, 'f32', (vars) => vars.join(' + '));
};

/**
 * Expand(input, shape) (shape known when compiled): a broadcast copy.
 *
 * @example
 * LOWERINGS.Expand = expandLowering;
 */
export const expandLowering: OpLowering = (ctx) => {
  const x = ctx.input(0);
  const out = broadcastAll(ctx, [ctx.shape(x), hostInts(ctx, ctx.input(1), 'shape')]);
  const y = ctx.output(0, out, ctx.dtype(x));
  broadcastKernel(ctx, [x], out, y, wgslType(ctx, x), ([v]) => v!);
};

function typeOfCode(ctx: LowerContext, code: number): ValueType {
  const dt = dtypeFromCode(code);
  if (!dt) throw ctx.fail(`Cast to type code ${code} is not supported`);
  return dt === 'bool' ? 'bool' : dt.startsWith('float') ? 'float' : 'int';
}

/**
 * Cast between float, integer and boolean tensors (bool -> float is a view: booleans are stored as f32 0 / 1).
 *
 * @example
 * LOWERINGS.Cast = castLowering;
 */
export const castLowering: OpLowering = (ctx) => {
  const x = ctx.input(0);
  const from = ctx.dtype(x);
  const to = typeOfCode(ctx, attrIntOf(ctx.node, 'to', 1));
  const shape = ctx.shape(x);
  const host = ctx.hostTensor(x);
  if (host && to === 'int' && from === 'int') {
    ctx.hostOutput(0, { ...host, dtype: 'int64', data: BigInt64Array.from(host.data as ArrayLike<number | bigint>, (v) => BigInt(v)) });
    return;
  }
  if (from === to || (from === 'bool' && to === 'float')) {
    ctx.alias(0, x, shape, to);
    return;
  }
  const y = ctx.output(0, shape, to);
  let expr: string;
  if (to === 'int') expr = from === 'float' ? 'i32(trunc(v))' : 'i32(v)';
  else if (to === 'float') expr = 'f32(v)';
  else expr = from === 'int' ? 'select(0.0, 1.0, v != 0)' : 'select(0.0, 1.0, v != 0.0)';
  ctx.kernel(
    elementwiseKernel(
      `Cast ${ctx.node.name}`,
      [
        { variable: 'x', value: x, type: wgslType(ctx, x) },
        { variable: 'y', value: y, write: true, type: to === 'int' ? 'i32' : 'f32' },
      ],
      numel(shape),
      `  let v = x[i];\n  y[i] = ${expr};`,
    ),
  );
};

/**
 * ConstantOfShape(shape) (shape known when compiled): a device buffer filled with `value`.
 *
 * @example
 * LOWERINGS.ConstantOfShape = constantOfShapeLowering;
 */
export const constantOfShapeLowering: OpLowering = (ctx) => {
  const dims = hostInts(ctx, ctx.input(0), 'shape');
  const a = ctx.node.attributes.value;
  const t = a?.kind === 'tensor' ? a.value : undefined;
  const type: ValueType = t ? (t.dtype === 'bool' ? 'bool' : t.dtype.startsWith('float') ? 'float' : 'int') : 'float';
  const value = t ? Number((t.data as ArrayLike<number | bigint>)[0] ?? 0) : 0;
  const y = ctx.output(0, dims, type);
  const literal = type === 'int' ? `${Math.trunc(value)}i` : f32(value);
  ctx.kernel(
    elementwiseKernel(
      `ConstantOfShape ${ctx.node.name}`,
      [{ variable: 'y', value: y, write: true, type: type === 'int' ? 'i32' : 'f32' }],
      numel(dims),
      `  y[i] = ${literal};`,
    ),
  );
};

/**
 * ScatterElements(data, indices, updates) along `axis`, reduction 'none' or 'add' (float data:
 * a compare-and-swap loop makes the float additions atomic; their order, hence the last bits, may vary).
 *
 * @example
 * LOWERINGS.ScatterElements = scatterElementsLowering;
 */
export const scatterElementsLowering: OpLowering = (ctx) => {
  const [data, indices, updates] = [ctx.input(0), ctx.input(1), ctx.input(2)];
  const ds = ctx.shape(data);
  const is = ctx.shape(indices);
  if (is.join() !== ctx.shape(updates).join()) throw ctx.fail('indices and updates must have the same shape');
  let axis = attrIntOf(ctx.node, 'axis', 0);
  if (axis < 0) axis += ds.length;
  const reduction = attrStringOf(ctx.node, 'reduction', 'none');
  if (reduction !== 'none' && reduction !== 'add') throw ctx.fail(`reduction '${reduction}' is not supported ('none', 'add')`);
  const type = ctx.dtype(data);
  if (reduction === 'add' && type !== 'float') throw ctx.fail("reduction 'add' is supported for float data only");
  const elem = wgslType(ctx, data);
  const y = ctx.output(0, ds, type);
  ctx.kernel(
    elementwiseKernel(
      `ScatterElements ${ctx.node.name} (copy)`,
      [
        { variable: 'x', value: data, type: elem },
        { variable: 'y', value: y, write: true, type: elem },
      ],
      numel(ds),
      '  y[i] = x[i];',
    ),
  );
  const outStrides = stridesOf(ds);
  const idxType = wgslType(ctx, indices);
  const head = `${decompose('i', is, [['dst', outStrides.map((s, d) => (d === axis ? 0 : s))]])}
  let raw = i32(idx[i]);
  let extent = i32(meta_.y);
  let k = select(raw, raw + extent, raw < 0);
  if (k < 0 || k >= extent) { return; }
  let at = dst + u32(k) * ${u32(outStrides[axis]!)};
  let v = upd[i];`;
  const body =
    reduction === 'add'
      ? `${head}
  var old = atomicLoad(&y[at]);
  loop {
    let r = atomicCompareExchangeWeak(&y[at], old, bitcast<u32>(bitcast<f32>(old) + v));
    if (r.exchanged) { break; }
    old = r.old_value;
  }`
      : `${head}\n  y[at] = v;`;
  ctx.kernel(
    elementwiseKernel(
      `ScatterElements ${ctx.node.name}`,
      [
        { variable: 'idx', value: indices, type: idxType },
        { variable: 'upd', value: updates, type: elem },
        { variable: 'y', value: y, write: true, type: reduction === 'add' ? 'atomic<u32>' : elem },
      ],
      numel(is),
      body,
      '',
      // The extent of the scattered axis (often the batch size times a sample's size) as a uniform.
      { meta: [ds[axis]!] },
    ),
  );
};

/**
 * ReduceSum over `axes` (the second input from opset 13, else the attribute), keepdims and
 * noop_with_empty_axes; one thread per output element.
 *
 * @example
 * LOWERINGS.ReduceSum = reduceSumLowering;
 */
export const reduceSumLowering: OpLowering = (ctx) => {
  const x = ctx.input(0);
  const xs = ctx.shape(x);
  const given = ctx.hasInput(1) ? hostInts(ctx, ctx.input(1), 'axes') : attrIntsOf(ctx.node, 'axes');
  const keep = attrIntOf(ctx.node, 'keepdims', 1) === 1;
  if ((!given || given.length === 0) && attrIntOf(ctx.node, 'noop_with_empty_axes', 0) === 1) {
    ctx.alias(0, x, xs);
    return;
  }
  const axes = new Set((given?.length ? given : xs.map((_, d) => d)).map((a) => (a < 0 ? a + xs.length : a)));
  const kept = xs.map((d, k) => (axes.has(k) ? 1 : d));
  const out = keep ? kept : xs.filter((_, k) => !axes.has(k));
  const y = ctx.output(0, out);
  const strides = stridesOf(xs);
  const reduced = [...axes].sort((a, b) => a - b);
  const count = numel(reduced.map((a) => xs[a]!));
  const body = `${decompose('i', kept, [['base', strides.map((s, d) => (axes.has(d) ? 0 : s))]])}
  var acc = 0.0;
  for (var r = 0u; r < ${u32(count)}; r++) {
${decompose(
  'r',
  reduced.map((a) => xs[a]!),
  [['off', reduced.map((a) => strides[a]!)]],
).replaceAll('rem_', 'remr_')}
    acc = acc + x[base + off];
  }
  y[i] = acc;`;
  ctx.kernel(
    elementwiseKernel(
      `ReduceSum ${ctx.node.name}`,
      [
        { variable: 'x', value: x },
        { variable: 'y', value: y, write: true },
      ],
      numel(out),
      body,
    ),
  );
};

/** ONNX Slice's output geometry: per axis start, step and length. */
function sliceGeometry(ctx: LowerContext, xs: readonly number[]): { start: number[]; step: number[]; out: number[] } {
  const starts = hostInts(ctx, ctx.input(1), 'starts');
  const ends = hostInts(ctx, ctx.input(2), 'ends');
  const axes = ctx.hasInput(3) ? hostInts(ctx, ctx.input(3), 'axes') : starts.map((_, k) => k);
  const steps = ctx.hasInput(4) ? hostInts(ctx, ctx.input(4), 'steps') : starts.map(() => 1);
  const start = xs.map(() => 0);
  const step = xs.map(() => 1);
  const out = [...xs];
  axes.forEach((a0, k) => {
    const a = a0 < 0 ? a0 + xs.length : a0;
    const dim = xs[a]!;
    const st = steps[k]!;
    if (st === 0) throw ctx.fail('Slice step 0');
    let s = starts[k]!;
    let e = ends[k]!;
    if (s < 0) s += dim;
    if (e < 0) e += dim;
    if (st > 0) {
      s = Math.min(Math.max(s, 0), dim);
      e = Math.min(Math.max(e, 0), dim);
    } else {
      s = Math.min(Math.max(s, 0), dim - 1);
      e = Math.min(Math.max(e, -1), dim - 1);
    }
    start[a] = s;
    step[a] = st;
    out[a] = Math.max(0, Math.ceil((e - s) / st));
  });
  return { start, step, out };
}

/**
 * Slice (starts, ends, axes, steps known when compiled; negative steps too); computed on the host
 * when the data is a host constant (shape arithmetic).
 *
 * @example
 * LOWERINGS.Slice = sliceLowering;
 */
export const sliceLowering: OpLowering = (ctx) => {
  const x = ctx.input(0);
  const xs = ctx.shape(x);
  const { start, step, out } = sliceGeometry(ctx, xs);
  const strides = stridesOf(xs);
  const host = ctx.hostTensor(x);
  if (host && ctx.dtype(x) === 'int') {
    const src = Array.from(host.data as ArrayLike<number | bigint>, (v) => Number(v));
    const vals: number[] = [];
    for (let i = 0; i < numel(out); i++) {
      let rem = i;
      let at = 0;
      for (let d = out.length - 1; d >= 0; d--) {
        const c = rem % out[d]!;
        rem = Math.floor(rem / out[d]!);
        at += (start[d]! + c * step[d]!) * strides[d]!;
      }
      vals.push(src[at]!);
    }
    ctx.hostOutput(0, int64(ctx.outputName(0), vals, out));
    return;
  }
  const y = ctx.output(0, out, ctx.dtype(x));
  const offset = start.reduce((a, s, d) => a + s * strides[d]!, 0);
  const lines = [`  var rem_ = i;`, `  var src = ${offset}i;`];
  for (let d = out.length - 1; d >= 0; d--) {
    lines.push(`  { let c_ = rem_ % ${u32(out[d]!)}; rem_ = rem_ / ${u32(out[d]!)}; src = src + i32(c_) * ${step[d]! * strides[d]!}i; }`);
  }
  const elem = wgslType(ctx, x);
  ctx.kernel(
    elementwiseKernel(
      `Slice ${ctx.node.name}`,
      [
        { variable: 'x', value: x, type: elem },
        { variable: 'y', value: y, write: true, type: elem },
      ],
      numel(out),
      `${lines.join('\n')}\n  y[i] = x[u32(src)];`,
    ),
  );
};

/**
 * Split along `axis` (sizes from the second input, the `split` attribute, or equal parts): one copy per output.
 *
 * @example
 * LOWERINGS.Split = splitLowering;
 */
export const splitLowering: OpLowering = (ctx) => {
  const x = ctx.input(0);
  const xs = ctx.shape(x);
  let axis = attrIntOf(ctx.node, 'axis', 0);
  if (axis < 0) axis += xs.length;
  const outputs = ctx.node.outputs.length;
  let sizes = ctx.hasInput(1) ? hostInts(ctx, ctx.input(1), 'split') : attrIntsOf(ctx.node, 'split');
  if (!sizes) {
    const part = Math.ceil(xs[axis]! / outputs);
    sizes = Array.from({ length: outputs }, (_, k) => Math.max(0, Math.min(part, xs[axis]! - k * part)));
  }
  if (sizes.length !== outputs || sizes.reduce((a, b) => a + b, 0) !== xs[axis])
    throw ctx.fail(`split sizes [${sizes.join(', ')}] do not add up to dimension ${xs[axis]}`);
  const inner = numel(xs.slice(axis + 1));
  const total = xs[axis]! * inner;
  const elem = wgslType(ctx, x);
  let offset = 0;
  sizes.forEach((size, k) => {
    const shape = [...xs];
    shape[axis] = size;
    const y = ctx.output(k, shape, ctx.dtype(x));
    const chunk = size * inner;
    if (chunk > 0) {
      ctx.kernel(
        elementwiseKernel(
          `Split ${ctx.node.name} [${k}]`,
          [
            { variable: 'x', value: x, type: elem },
            { variable: 'y', value: y, write: true, type: elem },
          ],
          numel(shape),
          `  y[i] = x[(i / ${u32(chunk)}) * ${u32(total)} + ${u32(offset * inner)} + i % ${u32(chunk)}];`,
        ),
      );
    }
    offset += size;
  });
};

/**
 * Shape (with start / end) and Size: computed on the host for the plan's batch size.
 *
 * @example
 * LOWERINGS.Shape = shapeLowering;
 */
export const shapeLowering: OpLowering = (ctx) => {
  const xs = ctx.shape(ctx.input(0));
  if (ctx.node.opType === 'Size') {
    ctx.hostOutput(0, int64(ctx.outputName(0), [numel(xs)], []));
    return;
  }
  const clampAxis = (a: number) => Math.min(Math.max(a < 0 ? a + xs.length : a, 0), xs.length);
  const start = clampAxis(attrIntOf(ctx.node, 'start', 0));
  const end = clampAxis(attrIntOf(ctx.node, 'end', xs.length));
  const dims = xs.slice(start, Math.max(start, end));
  ctx.hostOutput(0, int64(ctx.outputName(0), dims, [dims.length]));
};

/**
 * ConvTranspose (1-D and 2-D; strides, pads, dilations, groups, output_padding, output_shape,
 * bias): one thread per output element gathers the input pixels whose window covers it.
 *
 * @example
 * LOWERINGS.ConvTranspose = convTransposeLowering;
 */
export const convTransposeLowering: OpLowering = (ctx) => {
  const { node } = ctx;
  const x = ctx.input(0);
  const w = ctx.input(1);
  const xs = ctx.shape(x);
  const ws = ctx.shape(w);
  if (xs.length !== 3 && xs.length !== 4) throw ctx.fail(`ConvTranspose over ${xs.length - 2} spatial dimensions is not supported (1 or 2)`);
  const r = xs.length - 2;
  const [n, c] = xs as [number, number];
  const group = attrIntOf(node, 'group', 1);
  if (ws[0] !== c || c % group !== 0) throw ctx.fail(`ConvTranspose weight [${ws.join(', ')}] does not fit input channels ${c} with group ${group}`);
  const mg = ws[1]!;
  const m = mg * group;
  const kernel = attrIntsOf(node, 'kernel_shape') ?? ws.slice(2);
  const strides = attrIntsOf(node, 'strides') ?? new Array<number>(r).fill(1);
  const dil = attrIntsOf(node, 'dilations') ?? new Array<number>(r).fill(1);
  const outPad = attrIntsOf(node, 'output_padding') ?? new Array<number>(r).fill(0);
  const autoPad = attrStringOf(node, 'auto_pad', 'NOTSET');
  if (autoPad !== 'NOTSET' && autoPad !== 'VALID') throw ctx.fail(`ConvTranspose auto_pad '${autoPad}' is not supported`);
  let pads = autoPad === 'VALID' ? new Array<number>(2 * r).fill(0) : (attrIntsOf(node, 'pads') ?? new Array<number>(2 * r).fill(0));
  const spatial = xs.slice(2);
  const full = spatial.map((s, d) => strides[d]! * (s - 1) + outPad[d]! + (kernel[d]! - 1) * dil[d]! + 1);
  let out = full.map((f, d) => f - pads[d]! - pads[d + r]!);
  const outputShape = attrIntsOf(node, 'output_shape');
  if (outputShape) {
    const target = outputShape.slice(-r);
    pads = new Array<number>(2 * r).fill(0);
    target.forEach((t, d) => {
      const total = full[d]! - t;
      // ONNX: without auto_pad SAME_UPPER the extra padding goes to the beginning.
      pads[d + r] = Math.floor(total / 2);
      pads[d] = total - pads[d + r]!;
    });
    out = target;
  }
  if (out.some((o) => o <= 0)) throw ctx.fail(`ConvTranspose output size [${out.join(', ')}] is not positive`);
  const two = (v: readonly number[], fill: number): [number, number] => (r === 1 ? [fill, v[0]!] : [v[0]!, v[1]!]);
  const [h, wd] = two(spatial, 1);
  const [oh, ow] = two(out, 1);
  const [kh, kw] = two(kernel, 1);
  const [sh, sw] = two(strides, 1);
  const [dh, dw] = two(dil, 1);
  const [ph, pw] = two(pads.slice(0, r), 0);
  const y = ctx.output(0, [n, m, ...out]);
  const hasBias = ctx.hasInput(2);
  const cg = c / group;
  const body = `
  let ox = i32(i % ${u32(ow)});
  let oy = i32((i / ${u32(ow)}) % ${u32(oh)});
  let oc = (i / ${u32(ow * oh)}) % ${u32(m)};
  let nb = i / ${u32(ow * oh * m)};
  let gi = oc / ${u32(mg)};
  let mo = oc % ${u32(mg)};
  var acc = ${hasBias ? 'bias[oc]' : '0.0'};
  for (var ky = 0; ky < ${kh}; ky++) {
    let ty = oy + ${ph} - ky * ${dh};
    if (ty < 0 || ty % ${sh} != 0) { continue; }
    let iy = ty / ${sh};
    if (iy >= ${h}) { continue; }
    for (var kx = 0; kx < ${kw}; kx++) {
      let tx = ox + ${pw} - kx * ${dw};
      if (tx < 0 || tx % ${sw} != 0) { continue; }
      let ix = tx / ${sw};
      if (ix >= ${wd}) { continue; }
      for (var ic = 0u; ic < ${u32(cg)}; ic++) {
        let ch = gi * ${u32(cg)} + ic;
        acc = acc + xin[((nb * ${u32(c)} + ch) * ${u32(h)} + u32(iy)) * ${u32(wd)} + u32(ix)] * wt[((ch * ${u32(mg)} + mo) * ${u32(kh)} + u32(ky)) * ${u32(kw)} + u32(kx)];
      }
    }
  }
  y[i] = acc;`;
  const bindings = [
    { variable: 'xin', value: x },
    { variable: 'wt', value: w },
    ...(hasBias ? [{ variable: 'bias', value: ctx.input(2) }] : []),
    { variable: 'y', value: y, write: true },
  ];
  ctx.kernel(elementwiseKernel(`ConvTranspose ${node.name}`, bindings, n * m * oh * ow, body));
};
