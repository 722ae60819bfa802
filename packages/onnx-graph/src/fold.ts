/**
 * Constant folding of shape arithmetic feeding Reshape (the `Shape -> Gather -> Unsqueeze ->
 * Concat` chains PyTorch's exporter emits for `x.view(x.size(0), -1)`), and dead-node removal.
 */
import { attrInt, cloneModel, consumers, type Model } from './ir.js';
import { inferShapes } from './shape-inference.js';
import { makeTensor } from './tensor.js';

/**
 * Returns a copy of the model in which every Reshape target shape that can be resolved at
 * build time is an int64 initializer (a symbolic entry equal to the input's dim at the same
 * position becomes `0`, a single remaining symbolic entry becomes `-1`), followed by
 * {@link removeDeadNodes}. Targets that cannot be resolved are left as computed; either way
 * Reshape's shape input is non-differentiable for the autodiff.
 *
 * @example
 * ```ts
 * const folded = foldShapeArithmetic(loadModel(bytes));
 * folded.graph.nodes.some((n) => n.opType === 'Shape'); // false for view(x.size(0), -1)
 * ```
 */
export function foldShapeArithmetic(model: Model): Model {
  const m = cloneModel(model);
  const { info, values } = inferShapes(m);
  const g = m.graph;
  let k = 0;
  for (const n of g.nodes) {
    if (n.opType !== 'Reshape' || !n.inputs[1] || g.initializers.has(n.inputs[1])) continue;
    const v = values.get(n.inputs[1]);
    if (v?.shape.length !== 1) continue;
    const allowzero = attrInt(n, 'allowzero', 0) === 1;
    const data = n.inputs[0];
    const inShape = data ? info.get(data)?.shape : undefined;
    const target = [...v.values];
    let ok = true;
    for (let i = 0; i < target.length; i++) {
      const t = target[i];
      if (typeof t === 'number') {
        if (t === 0 && allowzero) ok = false;
        continue;
      }
      if (t !== null && !allowzero && inShape && inShape[i] === t) target[i] = 0;
    }
    const unresolved = target.filter((t) => typeof t !== 'number');
    if (unresolved.length === 1 && unresolved[0] !== null && !target.includes(-1)) {
      target[target.findIndex((t) => typeof t !== 'number')] = -1;
    }
    if (!ok || target.some((t) => typeof t !== 'number')) continue;
    let name = `${n.name}_shape_folded`;
    while (g.initializers.has(name) || info.has(name)) name = `${n.name}_shape_folded_${++k}`;
    g.initializers.set(name, makeTensor(name, BigInt64Array.from((target as number[]).map((x) => BigInt(x))), [target.length]));
    n.inputs[1] = name;
  }
  return removeDeadNodes(m);
}

/**
 * Removes (in place) nodes none of whose outputs is used by another node or a graph output,
 * and initializers nothing uses (unless they are also graph inputs). Returns the model.
 *
 * @example
 * ```ts
 * removeDeadNodes(model);
 * ```
 */
export function removeDeadNodes(model: Model): Model {
  const g = model.graph;
  const outputs = new Set(g.outputs.map((o) => o.name));
  let changed = true;
  while (changed) {
    changed = false;
    const cons = consumers(g);
    const keep = g.nodes.filter((n) => n.outputs.some((o) => o && (outputs.has(o) || (cons.get(o)?.length ?? 0) > 0)));
    if (keep.length !== g.nodes.length) {
      g.nodes = keep;
      changed = true;
    }
  }
  const cons = consumers(g);
  const inputs = new Set(g.inputs.map((i) => i.name));
  for (const k of [...g.initializers.keys()]) {
    if (!cons.has(k) && !outputs.has(k) && !inputs.has(k)) g.initializers.delete(k);
  }
  return model;
}
