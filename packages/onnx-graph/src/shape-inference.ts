/**
 * Static shape and dtype inference for the supported op set, with symbolic dimensions
 * (e.g. the batch dimension `'batch'`), plus partial evaluation of small integer tensors
 * (shape arithmetic such as `Shape -> Gather -> Unsqueeze -> Concat`) so that Reshape targets
 * can be resolved.
 */
import { isFloat, type DType } from './dtype.js';
import { attrInt, attrInts, attrString, type Dim, type Model, type Node, type Tensor, type ValueInfo } from './ir.js';
import { tensorValues } from './tensor.js';

/**
 * A (partially) known small integer tensor: its static shape and row-major values, where a
 * value may be symbolic (a dimension name) or unknown (null).
 * @example
 * ```ts
 * inferShapes(model).values.get('/Concat_output_0'); // { shape: [2], values: ['batch', -1] }
 * ```
 */
export interface SymValue {
  shape: number[];
  values: Dim[];
}

/**
 * Result of {@link inferShapes}: dtype/shape per value name, and known values of small
 * integer tensors.
 * @example
 * ```ts
 * const { info, values }: ShapeAnalysis = inferShapes(model);
 * ```
 */
export interface ShapeAnalysis {
  info: Map<string, ValueInfo>;
  values: Map<string, SymValue>;
}

/**
 * Broadcasts two dims (numpy rules); null when undecidable.
 *
 * @example
 * ```ts
 * broadcastDim(1, 'batch'); // 'batch'
 * ```
 */
export function broadcastDim(a: Dim, b: Dim): Dim {
  if (a === 1) return b;
  if (b === 1) return a;
  if (a === b) return a;
  if (typeof a === 'number' && typeof b !== 'number') return a;
  if (typeof b === 'number' && typeof a !== 'number') return b;
  return null;
}

/**
 * Broadcasts shapes (numpy rules).
 *
 * @example
 * ```ts
 * broadcastShapes(['batch', 3], [3]); // ['batch', 3]
 * ```
 */
export function broadcastShapes(...shapes: (Dim[] | undefined)[]): Dim[] | undefined {
  if (shapes.some((s) => !s)) return undefined;
  const rank = Math.max(...shapes.map((s) => s!.length));
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    let d: Dim = 1;
    for (const s of shapes) {
      const j = i - (rank - s!.length);
      if (j >= 0) d = broadcastDim(d, s![j]);
    }
    out.push(d);
  }
  return out;
}

/** Product of dims: numeric factor, symbolic factors, or unknown. */
function dimProduct(dims: Dim[]): { num: number; syms: string[]; unknown: boolean } {
  let num = 1;
  const syms: string[] = [];
  let unknown = false;
  for (const d of dims) {
    if (typeof d === 'number') num *= d;
    else if (typeof d === 'string') syms.push(d);
    else unknown = true;
  }
  return { num, syms, unknown };
}

/**
 * Multiplies dims into one dim (symbolic when exactly one symbol and numeric factor 1).
 *
 * @example
 * ```ts
 * productDim(['batch', 1]); // 'batch'
 * ```
 */
export function productDim(dims: Dim[]): Dim {
  const p = dimProduct(dims);
  if (p.unknown) return null;
  if (p.syms.length === 0) return p.num;
  if (p.syms.length === 1 && p.num === 1) return p.syms[0];
  return null;
}

/**
 * Resolves a Reshape target against the input shape (0 = copy unless allowzero, -1 = infer).
 *
 * @example
 * ```ts
 * reshapeShape(['batch', 32, 7, 7], [0, -1]); // ['batch', 1568]
 * ```
 */
export function reshapeShape(input: Dim[] | undefined, target: Dim[], allowzero = false): Dim[] {
  const out: Dim[] = target.map((t, i) => (t === 0 && !allowzero ? (input ? (input[i] ?? null) : null) : t));
  const inferIdx = out.indexOf(-1);
  if (inferIdx >= 0) {
    out[inferIdx] = null;
    if (input) {
      const pin = dimProduct(input);
      const others = out.filter((_, i) => i !== inferIdx);
      const pout = dimProduct(others);
      if (!pin.unknown && !pout.unknown) {
        const syms = [...pin.syms];
        let ok = true;
        for (const s of pout.syms) {
          const k = syms.indexOf(s);
          if (k < 0) ok = false;
          else syms.splice(k, 1);
        }
        if (ok && pout.num !== 0 && pin.num % pout.num === 0) {
          const num = pin.num / pout.num;
          if (syms.length === 0) out[inferIdx] = num;
          else if (syms.length === 1 && num === 1) out[inferIdx] = syms[0];
        }
      }
    }
  }
  return out;
}

/**
 * Output spatial size of a convolution/pooling window (NOTSET padding).
 *
 * @example
 * ```ts
 * windowOutSize(28, 3, 1, 1, 1, 1, false); // 28
 * ```
 */
export function windowOutSize(inSize: number, kernel: number, stride: number, padBegin: number, padEnd: number, dilation: number, ceilMode: boolean): number {
  const span = (kernel - 1) * dilation + 1;
  const num = inSize + padBegin + padEnd - span;
  let out = (ceilMode ? Math.ceil(num / stride) : Math.floor(num / stride)) + 1;
  // A window must start inside the input or the leading padding (PyTorch / onnxruntime rule).
  if (ceilMode && (out - 1) * stride >= inSize + padBegin) out--;
  return out;
}

/**
 * Explicit begin/end pads of a conv/pool node for a given input spatial shape, resolving
 * `auto_pad` (SAME_UPPER/SAME_LOWER/VALID). Returns [begins..., ends...].
 *
 * @example
 * ```ts
 * resolvePads(node, [28, 28], [3, 3], [1, 1], [1, 1]); // [1, 1, 1, 1]
 * ```
 */
export function resolvePads(node: Node, spatial: number[], kernel: number[], strides: number[], dilations: number[]): number[] {
  const r = spatial.length;
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  if (autoPad === 'NOTSET') return attrInts(node, 'pads') ?? new Array(2 * r).fill(0);
  if (autoPad === 'VALID') return new Array(2 * r).fill(0);
  const begins: number[] = [];
  const ends: number[] = [];
  for (let i = 0; i < r; i++) {
    const out = Math.ceil(spatial[i] / strides[i]);
    const total = Math.max(0, (out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - spatial[i]);
    const small = Math.floor(total / 2);
    if (autoPad === 'SAME_UPPER') {
      begins.push(small);
      ends.push(total - small);
    } else {
      begins.push(total - small);
      ends.push(small);
    }
  }
  return [...begins, ...ends];
}

function normAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

function symFromTensor(t: Tensor): SymValue | undefined {
  if (isFloat(t.dtype) || t.data.length > 64) return undefined;
  return { shape: [...t.dims], values: tensorValues(t) };
}

/** Evaluates a node on known small integer values (shape arithmetic). */
function evalValue(node: Node, ins: (SymValue | undefined)[], shapes: (Dim[] | undefined)[], opset: number): SymValue | undefined {
  const op = node.opType;
  const known = (i: number) => ins[i];
  switch (op) {
    case 'Shape': {
      const s = shapes[0];
      if (!s) return undefined;
      const r = s.length;
      let start = attrInt(node, 'start', 0);
      let end = attrInt(node, 'end', r);
      start = Math.min(Math.max(normAxis(start, r), 0), r);
      end = Math.min(Math.max(normAxis(end, r), 0), r);
      const v = s.slice(start, Math.max(start, end));
      return { shape: [v.length], values: v };
    }
    case 'Size': {
      const s = shapes[0];
      if (!s) return undefined;
      return { shape: [], values: [productDim(s)] };
    }
    case 'Identity':
    case 'Cast':
      return known(0);
    case 'Constant': {
      const a = node.attributes;
      if (a.value?.kind === 'tensor') return symFromTensor(a.value.value);
      if (a.value_int?.kind === 'int') return { shape: [], values: [a.value_int.value] };
      if (a.value_ints?.kind === 'ints') return { shape: [a.value_ints.value.length], values: [...a.value_ints.value] };
      return undefined;
    }
    case 'Gather': {
      const d = known(0);
      const idx = known(1);
      if (!d || !idx || d.shape.length !== 1 || attrInt(node, 'axis', 0) !== 0) return undefined;
      const values = idx.values.map((i) => (typeof i === 'number' ? (d.values[normAxis(i, d.values.length)] ?? null) : null));
      return { shape: [...idx.shape], values };
    }
    case 'Unsqueeze': {
      const d = known(0);
      if (!d || d.shape.length > 1) return undefined;
      const axes = opset >= 13 ? known(1)?.values : attrInts(node, 'axes');
      if (!axes) return undefined;
      const shape = [...d.shape];
      const outRank = shape.length + axes.length;
      const ax = axes.map((a) => normAxis(Number(a), outRank)).sort((x, y) => x - y);
      for (const a of ax) shape.splice(a, 0, 1);
      return { shape, values: [...d.values] };
    }
    case 'Squeeze': {
      const d = known(0);
      if (!d) return undefined;
      return { shape: d.shape.filter((x) => x !== 1), values: [...d.values] };
    }
    case 'Concat': {
      if (ins.some((v) => v?.shape.length !== 1)) return undefined;
      const values = ins.flatMap((v) => v!.values);
      return { shape: [values.length], values };
    }
    case 'Slice': {
      const d = known(0);
      if (d?.shape.length !== 1) return undefined;
      const starts = known(1)?.values;
      const ends = known(2)?.values;
      const axes = ins[3] ? known(3)?.values : [0];
      const steps = ins[4] ? known(4)?.values : [1];
      if (!starts || !ends || !axes || !steps) return undefined;
      if ([starts[0], ends[0], steps[0]].some((v) => typeof v !== 'number') || Number(axes[0]) !== 0) return undefined;
      const n = d.values.length;
      const step = steps[0] as number;
      if (step !== 1) return undefined;
      const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + n : v, 0), n);
      const s = clamp(starts[0] as number);
      const e = clamp(ends[0] as number);
      const values = d.values.slice(s, Math.max(s, e));
      return { shape: [values.length], values };
    }
    case 'Add':
    case 'Sub':
    case 'Mul':
    case 'Div': {
      const a = known(0);
      const b = known(1);
      if (!a || !b) return undefined;
      const n = Math.max(a.values.length, b.values.length);
      if ((a.values.length !== n && a.values.length !== 1) || (b.values.length !== n && b.values.length !== 1)) return undefined;
      const values: Dim[] = [];
      for (let i = 0; i < n; i++) {
        const x = a.values[a.values.length === 1 ? 0 : i];
        const y = b.values[b.values.length === 1 ? 0 : i];
        if (typeof x !== 'number' || typeof y !== 'number') {
          if (op === 'Mul' && (x === 1 || y === 1)) values.push(x === 1 ? y : x);
          else if (op === 'Div' && y === 1) values.push(x);
          else values.push(null);
          continue;
        }
        values.push(op === 'Add' ? x + y : op === 'Sub' ? x - y : op === 'Mul' ? x * y : Math.trunc(x / y));
      }
      return { shape: a.values.length >= b.values.length ? [...a.shape] : [...b.shape], values };
    }
    default:
      return undefined;
  }
}

/**
 * Infers dtype and shape of every value of the graph for the supported op set (unknown
 * ops leave their outputs unknown), and partially evaluates small integer tensors.
 *
 * @example
 * ```ts
 * const { info } = inferShapes(loadModel(bytes));
 * info.get('/6/Flatten_output_0')?.shape; // ['batch', 1568]
 * ```
 */
export function inferShapes(model: Model): ShapeAnalysis {
  const g = model.graph;
  const info = new Map<string, ValueInfo>();
  const values = new Map<string, SymValue>();
  for (const [k, t] of g.initializers) {
    info.set(k, { name: k, dtype: t.dtype, shape: [...t.dims] });
    const v = symFromTensor(t);
    if (v) values.set(k, v);
  }
  for (const i of g.inputs) if (!info.has(i.name) || i.shape) info.set(i.name, { ...i, shape: i.shape ? [...i.shape] : info.get(i.name)?.shape });
  for (const [k, v] of g.valueInfo) if (!info.has(k)) info.set(k, v);
  const opset = model.opsetVersion;
  for (const n of g.nodes) {
    const ins = n.inputs.map((x) => (x ? info.get(x) : undefined));
    const shapes = ins.map((x) => x?.shape);
    const dt = ins[0]?.dtype;
    const set = (idx: number, dtype: DType | undefined, shape: Dim[] | undefined) => {
      const name = n.outputs[idx];
      if (!name) return;
      const prev = g.valueInfo.get(name);
      info.set(name, { name, dtype: dtype ?? prev?.dtype, shape: shape ?? prev?.shape });
    };
    const inferred = inferNode(
      n,
      shapes,
      ins.map((x) => x?.dtype),
      n.inputs.map((x) => (x ? values.get(x) : undefined)),
      opset,
    );
    for (let i = 0; i < n.outputs.length; i++) {
      const r = inferred[i];
      set(i, r?.dtype ?? (i === 0 ? dt : undefined), r?.shape);
    }
    const v = evalValue(
      n,
      n.inputs.map((x) => (x ? values.get(x) : undefined)),
      shapes,
      opset,
    );
    if (v && n.outputs[0]) values.set(n.outputs[0], v);
  }
  for (const o of g.outputs) {
    const known = info.get(o.name);
    if (!known) info.set(o.name, o);
    else if (!known.shape && o.shape) known.shape = [...o.shape];
  }
  return { info, values };
}

type Inferred = { dtype?: DType; shape?: Dim[] } | undefined;

function inferNode(n: Node, shapes: (Dim[] | undefined)[], dtypes: (DType | undefined)[], vals: (SymValue | undefined)[], opset: number): Inferred[] {
  const s0 = shapes[0];
  const same: Inferred[] = [{ dtype: dtypes[0], shape: s0 }];
  switch (n.opType) {
    case 'Relu':
    case 'LeakyRelu':
    case 'Sigmoid':
    case 'Tanh':
    case 'Softmax':
    case 'LogSoftmax':
    case 'Identity':
    case 'Neg':
    case 'Exp':
    case 'Log':
    case 'Sqrt':
    case 'Abs':
    case 'Erf':
    case 'BatchNormalization':
      return same;
    case 'Dropout':
      return [
        { dtype: dtypes[0], shape: s0 },
        { dtype: 'bool', shape: s0 },
      ];
    case 'Cast': {
      const to = attrInt(n, 'to', 1);
      const map: Record<number, DType> = { 1: 'float32', 2: 'uint8', 3: 'int8', 5: 'int16', 6: 'int32', 7: 'int64', 9: 'bool', 10: 'float16', 11: 'float64' };
      return [{ dtype: map[to], shape: s0 }];
    }
    case 'Add':
    case 'Sub':
    case 'Mul':
    case 'Div':
    case 'Pow':
      return [{ dtype: dtypes[0], shape: broadcastShapes(shapes[0], shapes[1]) }];
    case 'Equal':
    case 'Less':
    case 'Greater':
      return [{ dtype: 'bool', shape: broadcastShapes(shapes[0], shapes[1]) }];
    case 'Where':
      return [{ dtype: dtypes[1], shape: broadcastShapes(shapes[0], shapes[1], shapes[2]) }];
    case 'Gemm': {
      const a = shapes[0];
      const b = shapes[1];
      const m = a ? (attrInt(n, 'transA', 0) ? a[1] : a[0]) : null;
      const k = b ? (attrInt(n, 'transB', 0) ? b[0] : b[1]) : null;
      return [{ dtype: dtypes[0], shape: [m ?? null, k ?? null] }];
    }
    case 'MatMul': {
      const a = shapes[0];
      const b = shapes[1];
      if (!a || !b) return [{ dtype: dtypes[0] }];
      const a2 = a.length === 1 ? [1, a[0]] : a;
      const b2 = b.length === 1 ? [b[0], 1] : b;
      const batch = broadcastShapes(a2.slice(0, -2), b2.slice(0, -2)) ?? [];
      const out = [...batch, a2[a2.length - 2], b2[b2.length - 1]];
      if (a.length === 1) out.splice(out.length - 2, 1);
      if (b.length === 1) out.splice(out.length - 1, 1);
      return [{ dtype: dtypes[0], shape: out }];
    }
    case 'Conv':
    case 'MaxPool':
    case 'AveragePool': {
      if (!s0) return n.opType === 'MaxPool' ? [{ dtype: dtypes[0] }, { dtype: 'int64' }] : [{ dtype: dtypes[0] }];
      const spatial = s0.slice(2);
      const r = spatial.length;
      const w = shapes[1];
      const kernel = attrInts(n, 'kernel_shape') ?? (w ? (w.slice(2) as number[]) : undefined);
      const strides = attrInts(n, 'strides') ?? new Array(r).fill(1);
      const dil = attrInts(n, 'dilations') ?? new Array(r).fill(1);
      const ceil = attrInt(n, 'ceil_mode', 0) === 1;
      let outSpatial: Dim[] = new Array(r).fill(null);
      if (kernel?.every((k) => typeof k === 'number') && spatial.every((d) => typeof d === 'number')) {
        const pads = resolvePads(n, spatial as number[], kernel, strides, dil);
        outSpatial = spatial.map((d, i) => windowOutSize(d as number, kernel[i], strides[i], pads[i], pads[i + r], dil[i], ceil));
      } else if (kernel && attrString(n, 'auto_pad', 'NOTSET').startsWith('SAME')) {
        outSpatial = spatial.map((d, i) => (typeof d === 'number' ? Math.ceil(d / strides[i]) : null));
      }
      const channels = n.opType === 'Conv' ? (w ? w[0] : null) : s0[1];
      const shape = [s0[0], channels, ...outSpatial];
      return n.opType === 'MaxPool'
        ? [
            { dtype: dtypes[0], shape },
            { dtype: 'int64', shape },
          ]
        : [{ dtype: dtypes[0], shape }];
    }
    case 'GlobalAveragePool':
    case 'GlobalMaxPool':
      return [{ dtype: dtypes[0], shape: s0 ? [s0[0], s0[1], ...s0.slice(2).map(() => 1)] : undefined }];
    case 'Flatten': {
      if (!s0) return [{ dtype: dtypes[0] }];
      const axis = normAxis(attrInt(n, 'axis', 1), s0.length);
      return [{ dtype: dtypes[0], shape: [productDim(s0.slice(0, axis)), productDim(s0.slice(axis))] }];
    }
    case 'Reshape': {
      const t = vals[1];
      if (!t) {
        const r = shapes[1]?.[0];
        return [{ dtype: dtypes[0], shape: typeof r === 'number' ? new Array(r).fill(null) : undefined }];
      }
      return [{ dtype: dtypes[0], shape: reshapeShape(s0, t.values, attrInt(n, 'allowzero', 0) === 1) }];
    }
    case 'Transpose': {
      if (!s0) return [{ dtype: dtypes[0] }];
      const perm = attrInts(n, 'perm') ?? s0.map((_, i) => s0.length - 1 - i);
      return [{ dtype: dtypes[0], shape: perm.map((p) => s0[p]) }];
    }
    case 'Concat': {
      if (shapes.some((s) => !s)) return [{ dtype: dtypes[0] }];
      const rank = s0!.length;
      const axis = normAxis(attrInt(n, 'axis', 0), rank);
      const out = [...s0!];
      out[axis] = productSum(shapes.map((s) => s![axis]));
      for (let i = 0; i < rank; i++) {
        if (i !== axis && out[i] === null) out[i] = shapes.map((s) => s![i]).find((d) => d !== null) ?? null;
      }
      return [{ dtype: dtypes[0], shape: out }];
    }
    case 'Unsqueeze': {
      const axes = opset >= 13 ? vals[1]?.values : attrInts(n, 'axes');
      if (!s0 || !axes || axes.some((a) => typeof a !== 'number')) return [{ dtype: dtypes[0] }];
      const outRank = s0.length + axes.length;
      const ax = (axes as number[]).map((a) => normAxis(a, outRank)).sort((x, y) => x - y);
      const out = [...s0];
      for (const a of ax) out.splice(a, 0, 1);
      return [{ dtype: dtypes[0], shape: out }];
    }
    case 'Squeeze': {
      if (!s0) return [{ dtype: dtypes[0] }];
      const axes = opset >= 13 ? (n.inputs[1] ? vals[1]?.values : undefined) : attrInts(n, 'axes');
      if (n.inputs[1] && opset >= 13 && !axes) return [{ dtype: dtypes[0] }];
      const ax = axes ? (axes as number[]).map((a) => normAxis(a, s0.length)) : s0.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0);
      return [{ dtype: dtypes[0], shape: s0.filter((_, i) => !ax.includes(i)) }];
    }
    case 'Shape': {
      if (!s0) return [{ dtype: 'int64' }];
      const r = s0.length;
      const start = Math.min(Math.max(normAxis(attrInt(n, 'start', 0), r), 0), r);
      const end = Math.min(Math.max(normAxis(attrInt(n, 'end', r), r), 0), r);
      return [{ dtype: 'int64', shape: [Math.max(0, end - start)] }];
    }
    case 'Size':
      return [{ dtype: 'int64', shape: [] }];
    case 'Constant': {
      const a = n.attributes;
      if (a.value?.kind === 'tensor') return [{ dtype: a.value.value.dtype, shape: [...a.value.value.dims] }];
      if (a.value_int) return [{ dtype: 'int64', shape: [] }];
      if (a.value_ints?.kind === 'ints') return [{ dtype: 'int64', shape: [a.value_ints.value.length] }];
      if (a.value_float) return [{ dtype: 'float32', shape: [] }];
      if (a.value_floats?.kind === 'floats') return [{ dtype: 'float32', shape: [a.value_floats.value.length] }];
      return [{}];
    }
    case 'Gather': {
      const idx = shapes[1];
      if (!s0 || !idx) return [{ dtype: dtypes[0] }];
      const axis = normAxis(attrInt(n, 'axis', 0), s0.length);
      return [{ dtype: dtypes[0], shape: [...s0.slice(0, axis), ...idx, ...s0.slice(axis + 1)] }];
    }
    case 'Slice': {
      if (!s0) return [{ dtype: dtypes[0] }];
      const starts = vals[1]?.values;
      const ends = vals[2]?.values;
      const axes = n.inputs[3] ? vals[3]?.values : s0.map((_, i) => i).slice(0, starts?.length ?? 0);
      const steps = n.inputs[4] ? vals[4]?.values : axes?.map(() => 1);
      const out: Dim[] = [...s0];
      if (!starts || !ends || !axes || !steps) {
        return [{ dtype: dtypes[0], shape: s0.map(() => null) }];
      }
      for (let i = 0; i < axes.length; i++) {
        const ax = normAxis(Number(axes[i]), s0.length);
        const d = s0[ax];
        const st = starts[i];
        const en = ends[i];
        const sp = steps[i];
        if (typeof d !== 'number' || typeof st !== 'number' || typeof en !== 'number' || typeof sp !== 'number') {
          out[ax] = null;
          continue;
        }
        const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v < 0 ? v + d : v, lo), hi);
        if (sp > 0) {
          const s = clamp(st, 0, d);
          const e = clamp(en, 0, d);
          out[ax] = Math.max(0, Math.ceil((e - s) / sp));
        } else {
          const s = clamp(st, -1, d - 1);
          const e = clamp(en, -1, d - 1);
          out[ax] = Math.max(0, Math.ceil((s - e) / -sp));
        }
      }
      return [{ dtype: dtypes[0], shape: out }];
    }
    case 'ConstantOfShape': {
      const v = vals[0];
      const a = n.attributes.value;
      const dtype = a?.kind === 'tensor' ? a.value.dtype : 'float32';
      return [{ dtype, shape: v ? v.values : undefined }];
    }
    case 'Range':
      return [{ dtype: dtypes[0], shape: [null] }];
    case 'ReduceProd':
    case 'ReduceSum':
      return [{ dtype: dtypes[0] }];
    default:
      return [];
  }
}

function productSum(ds: Dim[]): Dim {
  let sum = 0;
  for (const d of ds) {
    if (typeof d !== 'number') return null;
    sum += d;
  }
  return sum;
}
