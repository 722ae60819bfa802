import type { Node } from '@rs/onnx-graph';

/** An activation a kernel applies to its own output, in the same dispatch. @example const a: FusedActivation = 'Relu'; */
export type FusedActivation = 'Relu';

/** Ops whose lowerings apply {@link LowerContext.activation} (any other op is never fused). @example FUSING_OPS.has('Conv') // true */
export const FUSING_OPS: ReadonlySet<string> = new Set(['Conv', 'Gemm']);

/**
 * A node to lower, with the activation fused into it (its outputs are then the activation's).
 *
 * @example
 * const f: FusedNode = { node: conv, activation: 'Relu' };
 */
export interface FusedNode {
  node: Node;
  activation?: FusedActivation;
}

/**
 * Folds each `Relu` into the Conv / Gemm producing its input when that value has no other use:
 * consumed by the Relu alone and not in `keep` (graph outputs, values read back). The fused node
 * keeps the producer's name and writes the Relu's output, and one dispatch and one intermediate
 * buffer go away. Nodes must be in topological order.
 *
 * @example
 * fuseActivations(prepared.nodes, new Set([prepared.outputName])); // Conv, MaxPool, ... (Relus folded)
 */
export function fuseActivations(nodes: readonly Node[], keep: ReadonlySet<string>): FusedNode[] {
  const uses = new Map<string, number>();
  for (const n of nodes) for (const v of n.inputs) if (v) uses.set(v, (uses.get(v) ?? 0) + 1);
  const byInput = new Map<string, Node>();
  for (const n of nodes) if (n.opType === 'Relu' && n.inputs[0]) byInput.set(n.inputs[0], n);
  const folded = new Set<Node>();
  const out: FusedNode[] = [];
  for (const n of nodes) {
    if (folded.has(n)) continue;
    const value = n.outputs[0];
    const relu = value !== undefined ? byInput.get(value) : undefined;
    if (FUSING_OPS.has(n.opType) && n.outputs.length === 1 && relu && relu.outputs[0] && uses.get(value!) === 1 && !keep.has(value!)) {
      folded.add(relu);
      out.push({ node: { ...n, outputs: [relu.outputs[0]] }, activation: 'Relu' });
    } else {
      out.push({ node: n });
    }
  }
  return out;
}
