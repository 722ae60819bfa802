import type { Node } from '@rs/onnx-graph';
import { attrIntOf, attrIntsOf, attrStringOf } from './attributes.js';
import { MAX_TILED_TAPS } from './kernels/conv.js';

/** An activation a kernel applies to its own output, in the same dispatch. */
export type FusedActivation = 'Relu';

/** Ops whose lowerings apply {@link LowerContext.activation} (any other op is never fused). */
export const FUSING_OPS: ReadonlySet<string> = new Set(['Conv', 'Gemm']);

/**
 * A node to lower, with what is fused into it (its outputs are then those of the last fused node).
 */
export interface FusedNode {
  node: Node;
  activation?: FusedActivation;
  /** A MaxPool window (= strides, no padding) applied after the activation (Conv only). */
  pool?: readonly [number, number];
}

/** The window of a MaxPool that tiles its input exactly (strides = kernel, no pads, dilations, ceil mode nor Indices), else undefined. */
function tilingMaxPool(node: Node): readonly [number, number] | undefined {
  if (node.opType !== 'MaxPool' || node.outputs.filter((o) => o).length !== 1) return undefined;
  const k = attrIntsOf(node, 'kernel_shape');
  if (k?.length !== 2 || k[0]! * k[1]! > 9) return undefined;
  const strides = attrIntsOf(node, 'strides') ?? [1, 1];
  const pads = attrIntsOf(node, 'pads') ?? [0, 0, 0, 0];
  const dilations = attrIntsOf(node, 'dilations') ?? [1, 1];
  const autoPad = attrStringOf(node, 'auto_pad', 'NOTSET');
  const plain = (autoPad === 'NOTSET' || autoPad === 'VALID') && attrIntOf(node, 'ceil_mode', 0) === 0 && attrIntOf(node, 'storage_order', 0) === 0;
  if (!plain || strides[0] !== k[0] || strides[1] !== k[1] || pads.some((p) => p !== 0) || dilations.some((d) => d !== 1)) return undefined;
  return [k[0]!, k[1]!];
}

/**
 * Folds `Relu` into the Conv / Gemm producing its input, and then a MaxPool that tiles its input
 * (2 x 2 stride 2...) into a Conv of at most 5 x 5 taps, when each folded intermediate value has no
 * other use: consumed by the next op alone and not in `keep` (graph outputs, values read back).
 * The fused node keeps the producer's name and writes the last folded op's output: dispatches and
 * intermediate buffers go away. `weightDims` gives an initializer's dims (the Conv kernel size).
 * Nodes must be in topological order.
 */
export function fuseNodes(nodes: readonly Node[], keep: ReadonlySet<string>, weightDims: (value: string) => readonly number[] | undefined): FusedNode[] {
  const uses = new Map<string, Node[]>();
  for (const n of nodes) for (const v of n.inputs) if (v) uses.set(v, [...(uses.get(v) ?? []), n]);
  /** The only consumer of `value` when it reads it as input 0 and nothing else needs the value. */
  const sole = (value: string | undefined): Node | undefined => {
    const users = value === undefined || keep.has(value) ? undefined : uses.get(value);
    return users?.length === 1 && users[0]!.inputs[0] === value && users[0]!.inputs.filter((v) => v === value).length === 1 ? users[0] : undefined;
  };
  const folded = new Set<Node>();
  const out: FusedNode[] = [];
  for (const n of nodes) {
    if (folded.has(n)) continue;
    if (!FUSING_OPS.has(n.opType) || n.outputs.length !== 1) {
      out.push({ node: n });
      continue;
    }
    let last = n;
    const fused: FusedNode = { node: n };
    const relu = sole(n.outputs[0]);
    if (relu?.opType === 'Relu' && relu.outputs[0]) {
      fused.activation = 'Relu';
      last = relu;
    }
    const taps = n.opType === 'Conv' ? weightDims(n.inputs[1] ?? '') : undefined;
    const next = sole(last.outputs[0]);
    const window = next && taps?.length === 4 && taps[2]! * taps[3]! <= MAX_TILED_TAPS ? tilingMaxPool(next) : undefined;
    if (window) {
      fused.pool = window;
      last = next!;
    }
    if (last !== n) {
      if (fused.activation) folded.add(relu!);
      if (fused.pool) folded.add(next!);
      fused.node = { ...n, outputs: [last.outputs[0]!] };
    }
    out.push(fused);
  }
  return out;
}
