import type { Tensor } from '@rs/onnx-graph';
import { UnsupportedModelError } from './errors.js';
import type { KernelSpec } from './kernels/wgsl.js';
import { numel } from './kernels/wgsl.js';
import type { LowerContext } from './lower-context.js';
import { LOWERINGS } from './lowerings.js';
import type { PreparedModel } from './prepared-model.js';

/**
 * The model compiled for one batch size: the dispatches in order, every value's shape, and the
 * storage (GPU buffer) each value lives in (views share their source's storage).
 *
 * @example
 * const plan = planGraph(prepared, [1, 28, 28], 64);
 * plan.kernels.length; // 10 for the fixture CNN
 */
export interface GraphPlan {
  batch: number;
  kernels: KernelSpec[];
  shapes: Map<string, readonly number[]>;
  /** Value name -> storage name (itself, or the value it is a view of). */
  storage: Map<string, string>;
  /** Activation storages (not weights) and their sizes in bytes. */
  buffers: Map<string, number>;
  /** Float constants synthesized while lowering (batch-independent). */
  constants: Map<string, Tensor>;
  inputName: string;
  outputName: string;
}

/**
 * Compiles a prepared model for `batch` inputs of shape `inputShape`, checking every op's
 * attributes and shapes (errors name the node).
 *
 * @example
 * const plan = planGraph(prepared, [1, 28, 28], 1000);
 */
export function planGraph(pm: PreparedModel, inputShape: readonly number[], batch: number): GraphPlan {
  const shapes = new Map<string, readonly number[]>();
  const storage = new Map<string, string>();
  const buffers = new Map<string, number>();
  const constants = new Map<string, Tensor>();
  const kernels: KernelSpec[] = [];
  const inShape = [batch, ...inputShape];
  shapes.set(pm.inputName, inShape);
  storage.set(pm.inputName, pm.inputName);
  buffers.set(pm.inputName, numel(inShape) * 4);
  for (const [name, t] of pm.hostConstants) shapes.set(name, t.dims);
  for (const name of pm.weights.keys()) storage.set(name, name);
  for (const node of pm.nodes) {
    const fail = (message: string): never => {
      throw new UnsupportedModelError(`${node.opType} node '${node.name}': ${message}`);
    };
    const ctx: LowerContext = {
      node,
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
      hostTensor: (value) => pm.hostConstants.get(value),
      output: (k, shape) => {
        const name = node.outputs[k] ?? fail(`output ${k} is missing`);
        shapes.set(name, [...shape]);
        storage.set(name, name);
        buffers.set(name, Math.max(4, numel(shape) * 4));
        return name;
      },
      alias: (k, source, shape) => {
        const name = node.outputs[k] ?? fail(`output ${k} is missing`);
        const root = storage.get(source) ?? fail(`value '${source}' is not on the device`);
        shapes.set(name, [...shape]);
        storage.set(name, root);
      },
      kernel: (spec) => {
        for (const b of spec.bindings) if (!storage.has(b.value) && !constants.has(b.value)) fail(`value '${b.value}' is not a float tensor on the device`);
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
  return { batch, kernels, shapes, storage, buffers, constants, inputName: pm.inputName, outputName: pm.outputName };
}
