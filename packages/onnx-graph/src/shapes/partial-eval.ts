/**
 * Partial evaluation of small integer tensors (shape arithmetic such as
 * `Shape -> Gather -> Unsqueeze -> Concat`), so that Reshape targets and other shape inputs can
 * be resolved. A value may be symbolic (a dimension name) or unknown (null).
 */
import { isFloat } from '../dtype.js';
import { attrInt, attrInts, type Dim, type Node, type Tensor } from '../ir.js';
import { tensorValues } from '../tensor.js';
import { normAxis, productDim } from './dims.js';

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

/** The known values of a constant integer tensor (at most 64 elements; float tensors are not shape arithmetic). */
export function symFromTensor(t: Tensor): SymValue | undefined {
  if (isFloat(t.dtype) || t.data.length > 64) return undefined;
  return { shape: [...t.dims], values: tensorValues(t) };
}

/** Evaluates one op on its inputs' known values (`ins`) and shapes; undefined when unknown. */
type ValueRule = (node: Node, ins: (SymValue | undefined)[], shapes: (Dim[] | undefined)[], opset: number) => SymValue | undefined;

const shapeValue: ValueRule = (node, _ins, [s]) => {
  if (!s) return undefined;
  const r = s.length;
  let start = attrInt(node, 'start', 0);
  let end = attrInt(node, 'end', r);
  start = Math.min(Math.max(normAxis(start, r), 0), r);
  end = Math.min(Math.max(normAxis(end, r), 0), r);
  const v = s.slice(start, Math.max(start, end));
  return { shape: [v.length], values: v };
};

const sizeValue: ValueRule = (_node, _ins, [s]) => (s ? { shape: [], values: [productDim(s)] } : undefined);

const passThrough: ValueRule = (_node, [d]) => d;

const constantValue: ValueRule = (node) => {
  const a = node.attributes;
  if (a.value?.kind === 'tensor') return symFromTensor(a.value.value);
  if (a.value_int?.kind === 'int') return { shape: [], values: [a.value_int.value] };
  if (a.value_ints?.kind === 'ints') return { shape: [a.value_ints.value.length], values: [...a.value_ints.value] };
  return undefined;
};

const gatherValue: ValueRule = (node, [d, idx]) => {
  if (!d || !idx || d.shape.length !== 1 || attrInt(node, 'axis', 0) !== 0) return undefined;
  const values = idx.values.map((i) => (typeof i === 'number' ? (d.values[normAxis(i, d.values.length)] ?? null) : null));
  return { shape: [...idx.shape], values };
};

const unsqueezeValue: ValueRule = (node, ins, _shapes, opset) => {
  const d = ins[0];
  if (!d || d.shape.length > 1) return undefined;
  const axes = opset >= 13 ? ins[1]?.values : attrInts(node, 'axes');
  if (!axes) return undefined;
  const shape = [...d.shape];
  const outRank = shape.length + axes.length;
  const ax = axes.map((a) => normAxis(Number(a), outRank)).sort((x, y) => x - y);
  for (const a of ax) shape.splice(a, 0, 1);
  return { shape, values: [...d.values] };
};

const squeezeValue: ValueRule = (_node, [d]) => (d ? { shape: d.shape.filter((x) => x !== 1), values: [...d.values] } : undefined);

const concatValue: ValueRule = (_node, ins) => {
  const parts: SymValue[] = [];
  for (const v of ins) {
    if (v?.shape.length !== 1) return undefined;
    parts.push(v);
  }
  const values = parts.flatMap((v) => v.values);
  return { shape: [values.length], values };
};

const sliceValue: ValueRule = (_node, ins) => {
  const d = ins[0];
  if (d?.shape.length !== 1) return undefined;
  const starts = ins[1]?.values;
  const ends = ins[2]?.values;
  const axes = ins[3] ? ins[3].values : [0];
  const steps = ins[4] ? ins[4].values : [1];
  const [start, end, step, axis] = [starts?.[0], ends?.[0], steps[0], axes[0]];
  if (typeof start !== 'number' || typeof end !== 'number' || typeof step !== 'number' || Number(axis) !== 0) return undefined;
  if (step !== 1) return undefined;
  const n = d.values.length;
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + n : v, 0), n);
  const s = clamp(start);
  const e = clamp(end);
  const values = d.values.slice(s, Math.max(s, e));
  return { shape: [values.length], values };
};

const arithmeticValue: ValueRule = (node, [a, b]) => {
  const op = node.opType;
  if (!a || !b) return undefined;
  const n = Math.max(a.values.length, b.values.length);
  if ((a.values.length !== n && a.values.length !== 1) || (b.values.length !== n && b.values.length !== 1)) return undefined;
  const values: Dim[] = [];
  for (let i = 0; i < n; i++) {
    const x = a.values[a.values.length === 1 ? 0 : i] ?? null;
    const y = b.values[b.values.length === 1 ? 0 : i] ?? null;
    if (typeof x !== 'number' || typeof y !== 'number') {
      if (op === 'Mul' && (x === 1 || y === 1)) values.push(x === 1 ? y : x);
      else if (op === 'Div' && y === 1) values.push(x);
      else values.push(null);
      continue;
    }
    values.push(op === 'Add' ? x + y : op === 'Sub' ? x - y : op === 'Mul' ? x * y : Math.trunc(x / y));
  }
  return { shape: a.values.length >= b.values.length ? [...a.shape] : [...b.shape], values };
};

const VALUE_RULES: Readonly<Record<string, ValueRule>> = {
  Shape: shapeValue,
  Size: sizeValue,
  Identity: passThrough,
  Cast: passThrough,
  Constant: constantValue,
  Gather: gatherValue,
  Unsqueeze: unsqueezeValue,
  Squeeze: squeezeValue,
  Concat: concatValue,
  Slice: sliceValue,
  Add: arithmeticValue,
  Sub: arithmeticValue,
  Mul: arithmeticValue,
  Div: arithmeticValue,
};

/**
 * Evaluates a node on the known values of its inputs (shape arithmetic); undefined when its
 * output's values cannot be told.
 */
export function evalValue(node: Node, ins: (SymValue | undefined)[], shapes: (Dim[] | undefined)[], opset: number): SymValue | undefined {
  const rule = Object.hasOwn(VALUE_RULES, node.opType) ? VALUE_RULES[node.opType] : undefined;
  return rule?.(node, ins, shapes, opset);
}
