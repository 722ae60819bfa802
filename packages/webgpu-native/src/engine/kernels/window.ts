import { RsError, RsRangeError } from '@rs/core';
import type { Node } from '@rs/onnx-graph';
import { attrIntOf, attrIntsOf, attrStringOf } from '../attributes.js';

/** Geometry of a sliding-window op (Conv, pooling) over 2 spatial dims (1-D ops use H = 1). */
export interface WindowGeometry {
  kernel: [number, number];
  strides: [number, number];
  dilations: [number, number];
  /** [top, left] padding. */
  padBegin: [number, number];
  /** [bottom, right] padding. */
  padEnd: [number, number];
  out: [number, number];
}

/**
 * Reads kernel_shape, strides, dilations, pads / auto_pad and ceil_mode and computes the output
 * size, for 1-D or 2-D spatial inputs (`spatial` = [H, W] or [W]).
 */
export function windowGeometry(node: Node, spatial: readonly number[], kernelShape: readonly number[], allowCeil = false): WindowGeometry {
  const r = spatial.length;
  if (r !== 1 && r !== 2) throw new RsError('RS_UNSUPPORTED_MODEL', `${node.opType} over ${r} spatial dimensions is not supported (1 or 2)`);
  const strides = attrIntsOf(node, 'strides') ?? new Array<number>(r).fill(1);
  const dilations = attrIntsOf(node, 'dilations') ?? new Array<number>(r).fill(1);
  const autoPad = attrStringOf(node, 'auto_pad', 'NOTSET');
  const ceil = allowCeil && attrIntOf(node, 'ceil_mode', 0) === 1;
  let pads = attrIntsOf(node, 'pads') ?? new Array<number>(2 * r).fill(0);
  const effective = kernelShape.map((k, d) => (k - 1) * dilations[d]! + 1);
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    pads = new Array<number>(2 * r).fill(0);
    for (let d = 0; d < r; d++) {
      const out = Math.ceil(spatial[d]! / strides[d]!);
      const total = Math.max(0, (out - 1) * strides[d]! + effective[d]! - spatial[d]!);
      const small = Math.floor(total / 2);
      pads[d] = autoPad === 'SAME_UPPER' ? small : total - small;
      pads[d + r] = total - pads[d]!;
    }
  } else if (autoPad === 'VALID') {
    pads = new Array<number>(2 * r).fill(0);
  } else if (autoPad !== 'NOTSET') {
    throw new RsError('RS_UNSUPPORTED_MODEL', `auto_pad '${autoPad}' is not supported`);
  }
  const out = spatial.map((s, d) => {
    const span = s + pads[d]! + pads[d + r]! - effective[d]!;
    if (span < 0)
      throw new RsRangeError('RS_INVALID_ARG_VALUE', `the window (${effective[d]}) is larger than the padded input (${s + pads[d]! + pads[d + r]!})`);
    let o = (ceil ? Math.ceil(span / strides[d]!) : Math.floor(span / strides[d]!)) + 1;
    // ceil_mode: the last window must start inside the input or its left padding.
    if (ceil && (o - 1) * strides[d]! >= s + pads[d]!) o--;
    return o;
  });
  const two = (v: number[], fill: number): [number, number] => (r === 1 ? [fill, v[0]!] : [v[0]!, v[1]!]);
  return {
    kernel: two([...kernelShape], 1),
    strides: two(strides, 1),
    dilations: two(dilations, 1),
    padBegin: two(pads.slice(0, r), 0),
    padEnd: two(pads.slice(r), 0),
    out: two(out, 1),
  };
}
