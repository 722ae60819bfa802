import { RsError, RsRangeError } from '@rs/core';
import { foldShapeArithmetic, loadModel, topologicalSort, type Dim, type Model, type Node, type Tensor } from '@rs/onnx-graph';
import { UnsupportedModelError } from './errors.js';
import type { ValueType } from './lower-context.js';
import { LOWERINGS } from './lowerings.js';

/**
 * A model ready to be compiled for a batch size: shape arithmetic folded, nodes sorted, Constant
 * nodes turned into constants, every op checked against the supported set.
 *
 * @example
 * const pm = prepareModel(bytes);
 * pm.inputName; // 'input'
 */
export interface PreparedModel {
  model: Model;
  nodes: Node[];
  inputName: string;
  outputName: string;
  /** Input dims as the model declares them (batch first; strings are symbolic). */
  declaredInput: ReadonlyArray<number | string | null>;
  declaredOutput: ReadonlyArray<number | string | null> | undefined;
  /** Float constants (initializers, float Constant nodes), uploaded to the device once. */
  weights: Map<string, Tensor>;
  /** Every constant known on the host (shape targets, axes, BatchNormalization statistics...). */
  hostConstants: Map<string, Tensor>;
  /** Graph inputs besides the main one (gradient seeds, labels), fed per call; symbolic dims are the batch. */
  feeds: Array<{ name: string; type: ValueType; dims: Dim[] }>;
  /** Weights whose values change on the device (training): never read on the host by a lowering. */
  mutable: ReadonlySet<string>;
}

/**
 * Options of {@link prepareModel}.
 *
 * @example
 * prepareModel(gradientModel.model, { inputName: 'input', outputName: 'grad_input', feeds: true });
 */
export interface PrepareOptions {
  inputName?: string | undefined;
  outputName?: string | undefined;
  /** Accept graph inputs besides `inputName` (they become {@link PreparedModel.feeds}); default false. */
  feeds?: boolean | undefined;
  /**
   * Graph inputs that are device-resident weights (a weight-gradient model's weights): bound to
   * the weight buffers of these tensors (names, dims, initial values) instead of being fed.
   */
  external?: ReadonlyMap<string, Tensor> | undefined;
  /** Weights the device updates (training): lowerings must not fold their host values. */
  mutable?: ReadonlySet<string> | undefined;
}

function valueType(dtype: string | undefined): ValueType {
  if (dtype === 'bool') return 'bool';
  if (dtype === undefined || dtype.startsWith('float')) return 'float';
  return 'int';
}

function constantTensor(node: Node): Tensor {
  const a = node.attributes;
  const name = node.outputs[0]!;
  if (a.value?.kind === 'tensor') return { ...a.value.value, name };
  if (a.value_float?.kind === 'float') return { name, dtype: 'float32', dims: [], data: Float32Array.of(a.value_float.value) };
  if (a.value_floats?.kind === 'floats') return { name, dtype: 'float32', dims: [a.value_floats.value.length], data: Float32Array.from(a.value_floats.value) };
  if (a.value_int?.kind === 'int') return { name, dtype: 'int64', dims: [], data: BigInt64Array.of(BigInt(a.value_int.value)) };
  if (a.value_ints?.kind === 'ints')
    return { name, dtype: 'int64', dims: [a.value_ints.value.length], data: BigInt64Array.from(a.value_ints.value.map((v) => BigInt(v))) };
  throw new UnsupportedModelError(`Constant node '${node.name}' has no supported value attribute`);
}

/**
 * Reads (bytes) or takes (IR) a model and prepares it for the WGSL engine. Throws an
 * UnsupportedModelError naming the first op (and node) outside the supported set.
 *
 * @example
 * const pm = prepareModel(readFileSync('model.onnx'), { outputName: 'logits' });
 */
export function prepareModel(source: Uint8Array | Model, names: PrepareOptions = {}): PreparedModel {
  let model: Model;
  try {
    model = foldShapeArithmetic(source instanceof Uint8Array ? loadModel(source) : source);
  } catch (err) {
    throw new UnsupportedModelError(`not a valid ONNX model: ${(err as Error).message}`, { cause: err });
  }
  const g = model.graph;
  const external = names.external ?? new Map<string, Tensor>();
  const graphInputs = g.inputs.filter((i) => !g.initializers.has(i.name) && !external.has(i.name));
  const inputName = names.inputName ?? graphInputs[0]?.name;
  const outputName = names.outputName ?? g.outputs[0]?.name;
  if (!inputName || !graphInputs.some((i) => i.name === inputName))
    throw new RsRangeError(
      'RS_INVALID_ARG_VALUE',
      `'inputName' ${JSON.stringify(inputName)} is not an input of the model (inputs: ${graphInputs.map((i) => i.name).join(', ')})`,
    );
  if (!outputName || !g.outputs.some((o) => o.name === outputName))
    throw new RsRangeError(
      'RS_INVALID_ARG_VALUE',
      `'outputName' ${JSON.stringify(outputName)} is not an output of the model (outputs: ${g.outputs.map((o) => o.name).join(', ')})`,
    );
  if (graphInputs.length > 1 && !names.feeds)
    throw new UnsupportedModelError(
      `the model has ${graphInputs.length} inputs (${graphInputs.map((i) => i.name).join(', ')}): only single-input models are supported`,
    );
  const input = graphInputs.find((i) => i.name === inputName)!;
  const feeds = graphInputs.filter((i) => i !== input).map((i) => ({ name: i.name, type: valueType(i.dtype), dims: i.shape ?? [] }));
  if (input.dtype && input.dtype !== 'float32')
    throw new RsError('RS_UNSUPPORTED_MODEL', `model input '${inputName}' has type ${input.dtype}: only float32 inputs are supported`);
  const weights = new Map<string, Tensor>();
  const hostConstants = new Map<string, Tensor>();
  for (const [name, t] of g.initializers) {
    hostConstants.set(name, t);
    if (t.dtype === 'float32') weights.set(name, t);
  }
  for (const [name, t] of external) {
    if (g.inputs.some((i) => i.name === name)) weights.set(name, t);
  }
  const nodes: Node[] = [];
  for (const n of topologicalSort(g)) {
    if (n.domain && n.domain !== 'ai.onnx')
      throw new UnsupportedModelError(`unsupported ONNX op '${n.domain}.${n.opType}' (node '${n.name}'): only the default domain is supported`);
    if (n.opType === 'Constant') {
      const t = constantTensor(n);
      hostConstants.set(t.name, t);
      if (t.dtype === 'float32') weights.set(t.name, t);
      continue;
    }
    if (!LOWERINGS[n.opType])
      throw new UnsupportedModelError(
        `unsupported ONNX op '${n.opType}' (node '${n.name}') for the WebGPU engine; supported: ${Object.keys(LOWERINGS).sort().join(', ')}, Constant`,
      );
    nodes.push(n);
  }
  const outInfo = g.outputs.find((o) => o.name === outputName);
  return {
    model,
    nodes,
    inputName,
    outputName,
    declaredInput: input.shape ?? [],
    declaredOutput: outInfo?.shape,
    weights,
    hostConstants,
    feeds,
    mutable: new Set([...(names.mutable ?? []), ...external.keys()]),
  };
}
