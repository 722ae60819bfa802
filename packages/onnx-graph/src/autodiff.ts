/**
 * Reverse-mode automatic differentiation over ONNX graphs: builds a gradient model
 * (forward + vector-Jacobian product) that any ONNX runtime can execute.
 */
import { GraphBuilder } from './builder.js';
import { isFloat } from './dtype.js';
import { OnnxGraphError, UnsupportedOpError } from './errors.js';
import { foldShapeArithmetic } from './fold.js';
import { GradContext } from './gradients/context.js';
import { GRAD_RULES } from './gradients/registry.js';
import { topologicalSort, type Model, type ValueInfo } from './ir.js';
import { loadModel } from './load.js';
import { appendSoftmaxCrossEntropy, type SoftmaxCrossEntropyOptions } from './loss.js';
import { checkSupported } from './ops.js';
import { saveModel } from './save.js';
import { inferShapes } from './shape-inference.js';

/**
 * Options of {@link buildGradientModel}.
 * @example
 * ```ts
 * const opts: GradientOptions = { loss: { type: 'softmax-cross-entropy' }, weights: true, wrt: [] };
 * ```
 */
export interface GradientOptions {
  /** The output to differentiate (default: the first graph output). */
  output?: string;
  /**
   * Graph inputs to differentiate with respect to (default: every float graph input that is
   * not an initializer). Pass `[]` for weight gradients only.
   */
  wrt?: string[];
  /**
   * Initializers (weights) to differentiate with respect to: a list of names, `true` for every
   * float initializer through which a gradient flows (e.g. not BatchNormalization running
   * statistics nor Reshape shapes), or `false`/absent for none.
   */
  weights?: boolean | string[];
  /**
   * Keep requested weights' values as initializers backing their new graph inputs (ONNX
   * "overridable initializers"). Default false: the initializers are removed and the weights
   * must be fed. Note that onnxruntime-node only feeds names listed in `session.inputNames`,
   * which excludes overridable initializers, so with onnxruntime-node leave this false.
   */
  weightDefaults?: boolean;
  /**
   * Append a loss head: the gradient is then that of the SUM over the batch of the per-sample
   * losses (no `grad_<output>` input), and a `loss` output `[batch]` is added.
   */
  loss?: SoftmaxCrossEntropyOptions;
  /** Name of the upstream-gradient input (default `grad_<output>`). */
  seedName?: string;
}

/**
 * A tensor of the gradient model's interface.
 * @example
 * ```ts
 * const spec: TensorSpec = { name: 'grad_logits', dtype: 'float32', shape: ['batch', 10] };
 * ```
 */
export type TensorSpec = ValueInfo;

/**
 * The result of {@link buildGradientModel}.
 * @example
 * ```ts
 * const gm: GradientModel = buildGradientModel(model);
 * gm.seedInput; // 'grad_logits'
 * ```
 */
export interface GradientModel {
  /** ONNX bytes of the gradient model. */
  bytes: Uint8Array;
  /** The gradient model as IR. */
  model: Model;
  /** All graph inputs, in order (original inputs, seed or labels, weights). */
  inputs: TensorSpec[];
  /** All graph outputs, in order (original outputs, loss, input gradients, weight gradients). */
  outputs: TensorSpec[];
  /** The differentiated output. */
  output: string;
  /** Name of the upstream-gradient input (`grad_<output>`); undefined with a loss head. */
  seedInput?: string;
  /** Name of the labels input (loss head only). */
  labelsInput?: string;
  /** Name of the per-sample loss output (loss head only). */
  lossOutput?: string;
  /** Input name -> name of the output holding its gradient. */
  inputGradients: Record<string, string>;
  /** Weight (initializer) name -> name of the output holding its gradient. */
  weightGradients: Record<string, string>;
  /** Initializers turned into graph inputs (the weights whose gradients are computed). */
  weightInputs: string[];
}

function slotList(inputs: number[] | 'all', n: number): number[] {
  return inputs === 'all' ? Array.from({ length: n }, (_, i) => i) : inputs.filter((i) => i < n);
}

/**
 * Builds a model computing the forward outputs and a vector-Jacobian product of one output
 * with respect to chosen graph inputs and weights.
 *
 * Inputs of the result: the original inputs, then `grad_<output>` (the upstream gradient,
 * same shape as the output; e.g. one-hot rows give class gradients) or, with `loss`, the
 * labels; then the requested weights (as plain graph inputs that must be fed). Outputs: the original
 * outputs, the loss (with `loss`), `grad_<input>` per requested input and `grad_<weight>`
 * per requested weight. The model is checked with {@link checkSupported} first; errors name
 * the offending op and node.
 *
 * @example
 * ```ts
 * const gm = buildGradientModel(loadModel(bytes), { loss: { type: 'softmax-cross-entropy' } });
 * const session = await ort.InferenceSession.create(gm.bytes);
 * const out = await session.run({ input: x, labels: y });
 * const dLossDx = out[gm.inputGradients.input]; // row i = d loss_i / d x_i
 * ```
 */
export function buildGradientModel(modelOrBytes: Model | Uint8Array, options: GradientOptions = {}): GradientModel {
  const source = modelOrBytes instanceof Uint8Array ? loadModel(modelOrBytes) : modelOrBytes;
  checkSupported(source);
  const folded = foldShapeArithmetic(source);
  folded.graph.nodes = topologicalSort(folded.graph);
  const g0 = folded.graph;
  const outputName = options.output ?? g0.outputs[0]?.name;
  if (!outputName || !g0.outputs.some((o) => o.name === outputName)) {
    throw new OnnxGraphError(`output '${options.output}' is not a graph output (outputs: ${g0.outputs.map((o) => o.name).join(', ')})`);
  }
  const analysis = inferShapes(folded);
  const isInit = (n: string) => g0.initializers.has(n);
  const wrt = options.wrt ?? g0.inputs.filter((i) => !isInit(i.name) && isFloat(analysis.info.get(i.name)?.dtype ?? i.dtype)).map((i) => i.name);
  for (const w of wrt) {
    if (!g0.inputs.some((i) => i.name === w) || isInit(w)) {
      throw new OnnxGraphError(`'${w}' is not a (non-initializer) graph input`);
    }
  }

  // Forward pass over the graph: which values carry gradient from the sources.
  const active = new Set<string>();
  const blocked = new Map<string, string>();
  const markActive = (sources: Iterable<string>) => {
    for (const s of sources) active.add(s);
    for (const n of g0.nodes) {
      const entry = GRAD_RULES[n.opType];
      if (entry) {
        const slots = slotList(entry.inputs, n.inputs.length);
        if (slots.some((i) => n.inputs[i] && active.has(n.inputs[i]))) {
          for (const o of entry.outputs) {
            const name = n.outputs[o];
            if (name && isFloat(analysis.info.get(name)?.dtype ?? 'float32')) active.add(name);
          }
        }
      } else if (n.inputs.some((i) => i && active.has(i))) {
        for (const o of n.outputs) {
          if (o && isFloat(analysis.info.get(o)?.dtype)) blocked.set(o, n.name);
        }
      }
    }
  };

  let weights: string[];
  if (options.weights === true) {
    // Every float initializer at a differentiable slot whose gradient can reach the output.
    const candidates = [...g0.initializers.values()].filter((t) => isFloat(t.dtype)).map((t) => t.name);
    const usedAtDiffSlot = new Set<string>();
    for (const n of g0.nodes) {
      const entry = GRAD_RULES[n.opType];
      if (!entry) continue;
      for (const i of slotList(entry.inputs, n.inputs.length)) if (n.inputs[i]) usedAtDiffSlot.add(n.inputs[i]);
    }
    weights = candidates.filter((c) => usedAtDiffSlot.has(c));
  } else if (Array.isArray(options.weights)) {
    weights = options.weights;
    for (const w of weights) {
      const t = g0.initializers.get(w);
      if (!t) throw new OnnxGraphError(`'${w}' is not an initializer of the model`);
      if (!isFloat(t.dtype)) throw new OnnxGraphError(`initializer '${w}' is not a float tensor (${t.dtype})`);
    }
  } else {
    weights = [];
  }
  markActive([...wrt, ...weights]);
  if (options.weights === true) {
    // Drop weights whose gradient cannot reach the output (e.g. only feeding other outputs).
    const reach = backwardReach(folded, outputName);
    weights = weights.filter((w) => reach.has(w));
  }

  const b = GraphBuilder.from(folded);
  const graph = b.model.graph;
  const ctx = new GradContext(b, analysis, active);
  const grads = new Map<string, string[]>();
  const contribute = (name: string, g: string) => {
    const arr = grads.get(name);
    if (arr) arr.push(g);
    else grads.set(name, [g]);
  };
  const accumulate = (name: string): string | undefined => {
    const arr = grads.get(name);
    if (!arr || arr.length === 0) return undefined;
    if (arr.length === 1) return arr[0];
    const sum = b.node('Sum', arr, {}, { name: `${name}/grad/Sum` });
    grads.set(name, [sum]);
    return sum;
  };

  // Seed.
  const outInfo = analysis.info.get(outputName);
  const outDtype = outInfo?.dtype ?? 'float32';
  let seedInput: string | undefined;
  let labelsInput: string | undefined;
  let lossOutput: string | undefined;
  if (options.loss) {
    if (options.loss.type !== 'softmax-cross-entropy') throw new OnnxGraphError(`unknown loss type '${options.loss.type as string}'`);
    const head = appendSoftmaxCrossEntropy(b, outputName, outDtype, outInfo?.shape, options.loss);
    labelsInput = head.labels;
    lossOutput = head.loss;
    contribute(outputName, head.gradLogits);
  } else {
    seedInput = b.input(b.uniqueName(options.seedName ?? `grad_${outputName}`), outDtype, outInfo?.shape);
    contribute(outputName, seedInput);
  }

  // Backward pass. The builder's nodes are copies of the forward nodes (same order).
  const forwardNodes = graph.nodes.slice(0, g0.nodes.length);
  for (let k = forwardNodes.length - 1; k >= 0; k--) {
    const node = forwardNodes[k]!;
    if (!node.outputs.some((o) => o && grads.has(o))) continue;
    const entry = GRAD_RULES[node.opType];
    if (!entry) {
      const o = node.outputs.find((x) => blocked.has(x) && grads.has(x));
      if (o) throw new UnsupportedOpError(node.opType, node.name, `a gradient would have to flow through this op, which has no gradient rule`);
      continue;
    }
    const slots = slotList(entry.inputs, node.inputs.length);
    if (!slots.some((i) => node.inputs[i] && active.has(node.inputs[i]))) continue;
    const gy = node.outputs.map((o, i) => (entry.outputs.includes(i) ? accumulate(o) : undefined));
    if (gy.every((x) => x === undefined)) continue;
    ctx.node = node;
    const gx = entry.rule(ctx, node, gy);
    for (const i of slots) {
      const x = node.inputs[i];
      if (x && active.has(x) && gx[i]) contribute(x, gx[i]!);
    }
  }

  // Outputs.
  const emitGrad = (name: string, shapeInfo: ValueInfo | undefined): string => {
    const outName = b.uniqueName(`grad_${name}`);
    let g = accumulate(name);
    if (!g) {
      ctx.node = { opType: 'Zeros', name: `${name}`, domain: '', inputs: [], outputs: [], attributes: {} };
      g = ctx.zerosLike(name);
    }
    b.node('Identity', [g], {}, { name: `${name}/grad/output`, outputs: [outName] });
    b.output(outName, shapeInfo?.dtype, shapeInfo?.shape);
    return outName;
  };
  const inputGradients: Record<string, string> = {};
  for (const w of wrt) inputGradients[w] = emitGrad(w, analysis.info.get(w));
  const weightGradients: Record<string, string> = {};
  for (const w of weights) weightGradients[w] = emitGrad(w, analysis.info.get(w));

  // Requested weights become graph inputs (optionally keeping their values as defaults).
  for (const w of weights) {
    const t = graph.initializers.get(w)!;
    if (!graph.inputs.some((i) => i.name === w)) graph.inputs.push({ name: w, dtype: t.dtype, shape: [...t.dims] });
    if (options.weightDefaults !== true) graph.initializers.delete(w);
  }
  if (b.model.irVersion < 4) b.model.irVersion = 4;
  const model = b.build();
  return {
    bytes: saveModel(model),
    model,
    inputs: model.graph.inputs.map((i) => ({ ...i })),
    outputs: model.graph.outputs.map((o) => ({ ...o })),
    output: outputName,
    seedInput,
    labelsInput,
    lossOutput,
    inputGradients,
    weightGradients,
    weightInputs: weights,
  };
}

/** Values from which `output` is reachable through node edges. */
function backwardReach(model: Model, output: string): Set<string> {
  const reach = new Set<string>([output]);
  for (let k = model.graph.nodes.length - 1; k >= 0; k--) {
    const n = model.graph.nodes[k]!;
    if (n.outputs.some((o) => reach.has(o))) for (const i of n.inputs) if (i) reach.add(i);
  }
  return reach;
}
