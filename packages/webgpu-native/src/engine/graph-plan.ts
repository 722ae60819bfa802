import type { Tensor } from '@rs/onnx-graph';
import { UnsupportedModelError } from './errors.js';
import { fuseNodes, type FusedNode } from './fusion.js';
import type { KernelSpec } from './kernels/wgsl.js';
import { numel } from './kernels/wgsl.js';
import type { LowerContext, ValueType } from './lower-context.js';
import { LOWERINGS } from './lowerings.js';
import type { PreparedModel } from './prepared-model.js';

/**
 * The model compiled for one batch size: the dispatches in order, every value's shape, and the
 * storage (GPU buffer) each value lives in (views share their source's storage).
 */
export interface GraphPlan {
  batch: number;
  kernels: KernelSpec[];
  shapes: Map<string, readonly number[]>;
  /** Value name -> storage name (itself, or the value it is a view of). */
  storage: Map<string, string>;
  /** Activation storages (not weights) and their sizes in bytes. */
  buffers: Map<string, number>;
  /** Constants synthesized while lowering or host constants bound to kernels (uploaded once, by name). */
  constants: Map<string, Tensor>;
  /** How each device value is stored (float when absent). */
  types: Map<string, ValueType>;
  /** Values computed on the host for this batch size (Shape, Size...). */
  hostValues: Map<string, Tensor>;
  inputName: string;
  outputName: string;
}

/**
 * Options of {@link planGraph}.
 */
export interface PlanOptions {
  /**
   * Fold Relus into the Conv / Gemm before them and tiling MaxPools into the Conv before them
   * (default true): the values in between then have no buffer. Graph outputs are never folded;
   * plan without fusion to read any intermediate value.
   */
  fuse?: boolean | undefined;
}

/**
 * Compiles a prepared model for `batch` inputs of shape `inputShape`, checking every op's
 * attributes and shapes (errors name the node).
 */
export function planGraph(pm: PreparedModel, inputShape: readonly number[], batch: number, options: PlanOptions = {}): GraphPlan {
  const shapes = new Map<string, readonly number[]>();
  const storage = new Map<string, string>();
  const buffers = new Map<string, number>();
  const constants = new Map<string, Tensor>();
  const kernels: KernelSpec[] = [];
  const types = new Map<string, ValueType>();
  const hostValues = new Map<string, Tensor>();
  const inShape = [batch, ...inputShape];
  shapes.set(pm.inputName, inShape);
  storage.set(pm.inputName, pm.inputName);
  buffers.set(pm.inputName, numel(inShape) * 4);
  for (const feed of pm.feeds) {
    const dims = feed.dims.map((d) => (typeof d === 'number' ? d : batch));
    shapes.set(feed.name, dims);
    storage.set(feed.name, feed.name);
    buffers.set(feed.name, Math.max(4, numel(dims) * 4));
    types.set(feed.name, feed.type);
  }
  for (const [name, t] of pm.hostConstants) shapes.set(name, t.dims);
  for (const [name, t] of pm.weights) {
    storage.set(name, name);
    shapes.set(name, t.dims);
  }
  const hostTensor = (value: string): Tensor | undefined => hostValues.get(value) ?? (pm.mutable.has(value) ? undefined : pm.hostConstants.get(value));
  const typeOf = (value: string): ValueType => {
    const own = types.get(storage.get(value) ?? value) ?? types.get(value);
    if (own) return own;
    const t = pm.hostConstants.get(value) ?? hostValues.get(value);
    return t ? (t.dtype === 'bool' ? 'bool' : t.dtype.startsWith('float') ? 'float' : 'int') : 'float';
  };
  const keep = new Set([pm.outputName, ...pm.model.graph.outputs.map((o) => o.name)]);
  const weightDims = (value: string): readonly number[] | undefined => (pm.weights.get(value) ?? pm.hostConstants.get(value))?.dims;
  const nodes = options.fuse === false ? pm.nodes.map((node): FusedNode => ({ node })) : fuseNodes(pm.nodes, keep, weightDims);
  for (const { node, activation, pool } of nodes) {
    const fail = (message: string): never => {
      throw new UnsupportedModelError(`${node.opType} node '${node.name}': ${message}`);
    };
    const ctx: LowerContext = {
      node,
      activation,
      pool,
      opset: pm.model.opsetVersion,
      input: (k) => {
        const name = node.inputs[k];
        if (!name) fail(`input ${k} is missing`);
        if (!shapes.has(name!)) fail(`input '${name}' has no known shape`);
        return name!;
      },
      hasInput: (k) => Boolean(node.inputs[k]),
      outputName: (k) => node.outputs[k] ?? fail(`output ${k} is missing`),
      shape: (value) => shapes.get(value) ?? fail(`value '${value}' has no known shape`),
      batch,
      hostTensor,
      dtype: typeOf,
      output: (k, shape, type = 'float') => {
        const name = node.outputs[k] ?? fail(`output ${k} is missing`);
        shapes.set(name, [...shape]);
        storage.set(name, name);
        types.set(name, type);
        buffers.set(name, Math.max(4, numel(shape) * 4));
        return name;
      },
      hostOutput: (k, tensor) => {
        const name = node.outputs[k] ?? fail(`output ${k} is missing`);
        shapes.set(name, [...tensor.dims]);
        hostValues.set(name, { ...tensor, name });
      },
      alias: (k, source, shape, type) => {
        const name = node.outputs[k] ?? fail(`output ${k} is missing`);
        const root = storage.get(source) ?? fail(`value '${source}' is not on the device`);
        shapes.set(name, [...shape]);
        storage.set(name, root);
        types.set(name, type ?? typeOf(source));
      },
      kernel: (spec) => {
        for (const b of spec.bindings) {
          if (storage.has(b.value) || constants.has(b.value)) continue;
          // A host constant (int initializer, or a value computed for this batch size) bound to a kernel: upload it.
          const t = hostValues.get(b.value) ?? pm.hostConstants.get(b.value);
          if (!t) fail(`value '${b.value}' is not a tensor on the device`);
          const upload = hostValues.has(b.value) ? `${b.value}#batch${batch}` : b.value;
          constants.set(upload, { ...t!, name: upload });
          storage.set(b.value, upload);
          types.set(b.value, typeOf(b.value));
        }
        kernels.push(spec);
      },
      constant: (suffix, data, dims) => {
        const name = `${node.name}::${suffix}`;
        constants.set(name, { name, dtype: 'float32', dims, data });
        storage.set(name, name);
        return name;
      },
      fail: (message) => new UnsupportedModelError(`${node.opType} node '${node.name}': ${message}`),
    };
    try {
      LOWERINGS[node.opType]!(ctx);
    } catch (err) {
      if (err instanceof UnsupportedModelError) throw err;
      fail((err as Error).message);
    }
  }
  if (!storage.has(pm.outputName)) throw new UnsupportedModelError(`output '${pm.outputName}' is not computed on the device`);
  return { batch, kernels, shapes, storage, buffers, constants, types, hostValues, inputName: pm.inputName, outputName: pm.outputName };
}
