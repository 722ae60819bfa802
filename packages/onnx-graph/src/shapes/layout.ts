/**
 * Shape rules of layout ops: Flatten, Reshape, Transpose, Concat, Squeeze, Unsqueeze.
 */
import { attrInt, attrInts, type Dim } from '../ir.js';
import { normAxis, productDim, reshapeShape, sumDims } from './dims.js';
import type { ShapeRule } from './rule.js';

/** Flatten: `[prod(dims before axis), prod(dims from axis)]`. */
export const flattenShape: ShapeRule = (n, [s0], [d0]) => {
  if (!s0) return [{ dtype: d0 }];
  const axis = normAxis(attrInt(n, 'axis', 1), s0.length);
  return [{ dtype: d0, shape: [productDim(s0.slice(0, axis)), productDim(s0.slice(axis))] }];
};

/** Reshape: the target resolved against the input when its values are known, else only its rank. */
export const reshapeShapeRule: ShapeRule = (n, shapes, [d0], values) => {
  const t = values[1];
  if (!t) {
    const r = shapes[1]?.[0];
    return [{ dtype: d0, shape: typeof r === 'number' ? new Array<Dim>(r).fill(null) : undefined }];
  }
  return [{ dtype: d0, shape: reshapeShape(shapes[0], t.values, attrInt(n, 'allowzero', 0) === 1) }];
};

/** Transpose: the dims permuted by `perm` (default: reversed). */
export const transposeShape: ShapeRule = (n, [s0], [d0]) => {
  if (!s0) return [{ dtype: d0 }];
  const perm = attrInts(n, 'perm') ?? s0.map((_, i) => s0.length - 1 - i);
  return [{ dtype: d0, shape: perm.map((p) => s0[p] ?? null) }];
};

/** Concat: the sum of the inputs' dims along `axis`; other dims from the first input that knows them. */
export const concatShape: ShapeRule = (n, shapes, [d0]) => {
  const known: Dim[][] = [];
  for (const s of shapes) {
    if (!s) return [{ dtype: d0 }];
    known.push(s);
  }
  const first = known[0];
  if (!first) return [{ dtype: d0 }];
  const rank = first.length;
  const axis = normAxis(attrInt(n, 'axis', 0), rank);
  const out = [...first];
  out[axis] = sumDims(known.map((s) => s[axis] ?? null));
  for (let i = 0; i < rank; i++) {
    if (i !== axis && out[i] === null) out[i] = known.map((s) => s[i] ?? null).find((d) => d !== null) ?? null;
  }
  return [{ dtype: d0, shape: out }];
};

/** Unsqueeze: ones inserted at `axes` (an input from opset 13, an attribute before). */
export const unsqueezeShape: ShapeRule = (n, [s0], [d0], values, opset) => {
  const axes = opset >= 13 ? values[1]?.values : attrInts(n, 'axes');
  if (!s0 || !axes || axes.some((a) => typeof a !== 'number')) return [{ dtype: d0 }];
  const outRank = s0.length + axes.length;
  const ax = (axes as number[]).map((a) => normAxis(a, outRank)).sort((x, y) => x - y);
  const out = [...s0];
  for (const a of ax) out.splice(a, 0, 1);
  return [{ dtype: d0, shape: out }];
};

/** Squeeze: `axes` removed (an input from opset 13, an attribute before; default: every dim of size 1). */
export const squeezeShape: ShapeRule = (n, [s0], [d0], values, opset) => {
  if (!s0) return [{ dtype: d0 }];
  const axes = opset >= 13 ? (n.inputs[1] ? values[1]?.values : undefined) : attrInts(n, 'axes');
  if (n.inputs[1] && opset >= 13 && !axes) return [{ dtype: d0 }];
  const ax = axes ? (axes as number[]).map((a) => normAxis(a, s0.length)) : s0.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0);
  return [{ dtype: d0, shape: s0.filter((_, i) => !ax.includes(i)) }];
};
