/**
 * Static shape and dtype inference over a graph, with symbolic dimensions (e.g. the batch
 * dimension `'batch'`) and partial evaluation of small integer tensors (shape arithmetic such as
 * `Shape -> Gather -> Unsqueeze -> Concat`) so that Reshape targets can be resolved. The dimension
 * algebra is in `shapes/dims.ts`, the evaluation in `shapes/partial-eval.ts`, the per-op rules in
 * `shapes/registry.ts`.
 */
import type { DType } from './dtype.js';
import type { Dim, Model, ValueInfo } from './ir.js';
import { evalValue, symFromTensor, type SymValue } from './shapes/partial-eval.js';
import { SHAPE_RULES } from './shapes/registry.js';

export type { SymValue } from './shapes/partial-eval.js';

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
    const rule = Object.hasOwn(SHAPE_RULES, n.opType) ? SHAPE_RULES[n.opType] : undefined;
    const inferred =
      rule?.(
        n,
        shapes,
        ins.map((x) => x?.dtype),
        n.inputs.map((x) => (x ? values.get(x) : undefined)),
        opset,
      ) ?? [];
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
