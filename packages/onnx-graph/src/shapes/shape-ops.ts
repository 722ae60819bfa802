/**
 * Shape rules of the ops that compute shapes, indices and constants (`SHAPE_OPS`): Shape, Size,
 * Constant, ConstantOfShape, Range, Gather, Slice, ReduceSum / ReduceProd.
 */
import { attrInt, type Dim } from '../ir.js';
import { normAxis } from './dims.js';
import type { ShapeRule } from './rule.js';

/** Shape (with `start` / `end`): a 1-D int64 tensor. */
export const shapeOfShape: ShapeRule = (n, [s0]) => {
  if (!s0) return [{ dtype: 'int64' }];
  const r = s0.length;
  const start = Math.min(Math.max(normAxis(attrInt(n, 'start', 0), r), 0), r);
  const end = Math.min(Math.max(normAxis(attrInt(n, 'end', r), r), 0), r);
  return [{ dtype: 'int64', shape: [Math.max(0, end - start)] }];
};

/** Size: an int64 scalar. */
export const sizeShape: ShapeRule = () => [{ dtype: 'int64', shape: [] }];

/** Constant: the dtype and dims of its `value*` attribute. */
export const constantShape: ShapeRule = (n) => {
  const a = n.attributes;
  if (a.value?.kind === 'tensor') return [{ dtype: a.value.value.dtype, shape: [...a.value.value.dims] }];
  if (a.value_int) return [{ dtype: 'int64', shape: [] }];
  if (a.value_ints?.kind === 'ints') return [{ dtype: 'int64', shape: [a.value_ints.value.length] }];
  if (a.value_float) return [{ dtype: 'float32', shape: [] }];
  if (a.value_floats?.kind === 'floats') return [{ dtype: 'float32', shape: [a.value_floats.value.length] }];
  return [{}];
};

/** ConstantOfShape: the dtype of its `value` (float32 by default), the shape its input holds when known. */
export const constantOfShapeShape: ShapeRule = (n, _shapes, _dtypes, values) => {
  const a = n.attributes.value;
  const dtype = a?.kind === 'tensor' ? a.value.dtype : 'float32';
  return [{ dtype, shape: values[0]?.values }];
};

/** Range: a 1-D tensor of unknown length. */
export const rangeShape: ShapeRule = (_n, _shapes, [d0]) => [{ dtype: d0, shape: [null] }];

/** ReduceSum, ReduceProd: the dtype only. */
export const reduceShape: ShapeRule = (_n, _shapes, [d0]) => [{ dtype: d0 }];

/** Gather: the indices' shape in place of `axis`. */
export const gatherShape: ShapeRule = (n, [s0, idx], [d0]) => {
  if (!s0 || !idx) return [{ dtype: d0 }];
  const axis = normAxis(attrInt(n, 'axis', 0), s0.length);
  return [{ dtype: d0, shape: [...s0.slice(0, axis), ...idx, ...s0.slice(axis + 1)] }];
};

/** Slice: each sliced axis' length when its dim, start, end and step are known (negative steps too). */
export const sliceShape: ShapeRule = (n, [s0], [d0], values) => {
  if (!s0) return [{ dtype: d0 }];
  const starts = values[1]?.values;
  const ends = values[2]?.values;
  const axes = n.inputs[3] ? values[3]?.values : s0.map((_, i) => i).slice(0, starts?.length ?? 0);
  const steps = n.inputs[4] ? values[4]?.values : axes?.map(() => 1);
  const out: Dim[] = [...s0];
  if (!starts || !ends || !axes || !steps) {
    return [{ dtype: d0, shape: s0.map(() => null) }];
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
  return [{ dtype: d0, shape: out }];
};
