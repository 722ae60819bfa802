/**
 * Shape rules of sliding-window ops (Conv, MaxPool, AveragePool) and global pooling.
 */
import { attrInt, attrInts, attrString, type Dim } from '../ir.js';
import { checkPerAxis, resolvePads, windowOutSize } from './dims.js';
import type { ShapeRule } from './rule.js';

/**
 * Conv, MaxPool (with its int64 Indices output), AveragePool: `[N, C_out, ...spatial out]`,
 * the spatial sizes computed when the input's spatial dims and the kernel are static (or, with
 * `auto_pad` SAME_*, `ceil(in / stride)` where a dim is static).
 */
export const windowShape: ShapeRule = (n, shapes, dtypes) => {
  const [s0, w] = shapes;
  const d0 = dtypes[0];
  if (!s0) return n.opType === 'MaxPool' ? [{ dtype: d0 }, { dtype: 'int64' }] : [{ dtype: d0 }];
  const spatial = s0.slice(2);
  const r = spatial.length;
  const kernel = attrInts(n, 'kernel_shape') ?? (w ? (w.slice(2) as number[]) : undefined);
  const strides = attrInts(n, 'strides') ?? new Array<number>(r).fill(1);
  const dil = attrInts(n, 'dilations') ?? new Array<number>(r).fill(1);
  const ceil = attrInt(n, 'ceil_mode', 0) === 1;
  checkPerAxis(n, { strides, dilations: dil }, r);
  let outSpatial: Dim[] = new Array<Dim>(r).fill(null);
  if (kernel?.every((k) => typeof k === 'number') && spatial.every((d) => typeof d === 'number')) {
    const pads = resolvePads(n, spatial as number[], kernel, strides, dil);
    outSpatial = spatial.map((d, i) => windowOutSize(d as number, kernel[i]!, strides[i]!, pads[i]!, pads[i + r]!, dil[i]!, ceil));
  } else if (kernel && attrString(n, 'auto_pad', 'NOTSET').startsWith('SAME')) {
    outSpatial = spatial.map((d, i) => (typeof d === 'number' ? Math.ceil(d / strides[i]!) : null));
  }
  const channels = n.opType === 'Conv' ? (w?.[0] ?? null) : (s0[1] ?? null);
  const shape = [s0[0] ?? null, channels, ...outSpatial];
  return n.opType === 'MaxPool'
    ? [
        { dtype: d0, shape },
        { dtype: 'int64', shape },
      ]
    : [{ dtype: d0, shape }];
};

/** GlobalAveragePool, GlobalMaxPool: `[N, C, 1, ...]`. */
export const globalPoolShape: ShapeRule = (_n, [s0], [d0]) => [
  { dtype: d0, shape: s0 ? [s0[0] ?? null, s0[1] ?? null, ...s0.slice(2).map(() => 1)] : undefined },
];
