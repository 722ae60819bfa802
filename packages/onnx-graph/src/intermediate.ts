/**
 * Exposing internal tensors (activations) and listing layers.
 */
import { OnnxGraphError } from './errors.js';
import { cloneModel, topologicalSort, type Model } from './ir.js';
import { loadModel } from './load.js';
import { saveModel } from './save.js';
import { inferShapes } from './shape-inference.js';

/**
 * Returns ONNX bytes of a copy of the model whose graph outputs are the original outputs
 * followed by the given internal values (e.g. for getActivations). Names already among the
 * outputs are not duplicated. Throws if a name is not a value of the graph.
 *
 * @example
 * ```ts
 * const bytes2 = withIntermediateOutputs(model, ['/1/Relu_output_0']);
 * const out = await (await ort.InferenceSession.create(bytes2)).run({ input: x });
 * out['/1/Relu_output_0'];
 * ```
 */
export function withIntermediateOutputs(modelOrBytes: Model | Uint8Array, names: string[]): Uint8Array {
  const src = modelOrBytes instanceof Uint8Array ? loadModel(modelOrBytes) : modelOrBytes;
  const m = cloneModel(src);
  const g = m.graph;
  const known = new Set<string>([...g.inputs.map((i) => i.name), ...g.initializers.keys()]);
  for (const n of g.nodes) for (const o of n.outputs) if (o) known.add(o);
  const { info } = inferShapes(m);
  for (const name of names) {
    if (!known.has(name)) throw new OnnxGraphError(`'${name}' is not a value of the graph (see layerNames())`);
    if (g.outputs.some((o) => o.name === name)) continue;
    const vi = info.get(name);
    g.outputs.push({ name, dtype: vi?.dtype, shape: vi?.shape });
  }
  return saveModel(m);
}

/**
 * Options of {@link layerNames}.
 * @example
 * ```ts
 * layerNames(model, { kind: 'nodes', includeShapeOps: true });
 * ```
 */
export interface LayerNameOptions {
  /**
   * 'outputs' (default): the first output of each node, i.e. the tensor names accepted by
   * {@link withIntermediateOutputs}. 'nodes': node names.
   */
  kind?: 'outputs' | 'nodes';
  /** Include shape-arithmetic and constant nodes (Shape, Gather, Constant, ...). Default false. */
  includeShapeOps?: boolean;
}

const SHAPE_ONLY = new Set(['Constant', 'Shape', 'Size', 'Gather', 'Unsqueeze', 'Squeeze', 'Concat', 'Cast', 'Slice', 'ConstantOfShape', 'Range']);

/**
 * Layer names in topological order: by default the first output tensor name of every node
 * that computes on float data (nodes producing only integer/shape values are skipped), so
 * the names can be passed to {@link withIntermediateOutputs}. With `kind: 'nodes'`, node names.
 *
 * @example
 * ```ts
 * layerNames(model); // ['/0/Conv_output_0', '/1/Relu_output_0', ..., 'logits']
 * layerNames(model, { kind: 'nodes' }); // ['/0/Conv', '/1/Relu', ...]
 * ```
 */
export function layerNames(modelOrBytes: Model | Uint8Array, opts: LayerNameOptions = {}): string[] {
  const m = modelOrBytes instanceof Uint8Array ? loadModel(modelOrBytes) : modelOrBytes;
  const { info } = inferShapes(m);
  const nodes = topologicalSort(m.graph);
  const out: string[] = [];
  for (const n of nodes) {
    const y = n.outputs[0];
    if (!y) continue; // a node without outputs computes no layer
    if (!opts.includeShapeOps) {
      const dt = info.get(y)?.dtype;
      if (n.opType === 'Constant' || (SHAPE_ONLY.has(n.opType) && dt !== 'float32' && dt !== 'float64' && dt !== 'float16')) continue;
    }
    out.push(opts.kind === 'nodes' ? n.name : y);
  }
  return out;
}
