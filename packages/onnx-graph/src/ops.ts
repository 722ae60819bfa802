/**
 * The supported operator set and `checkSupported`.
 */
import { UnsupportedOpError } from './errors.js';
import type { Model } from './ir.js';

/**
 * Ops with a gradient rule (reverse-mode autodiff flows through their float inputs).
 */
export const DIFFERENTIABLE_OPS: ReadonlySet<string> = new Set([
  'Gemm',
  'MatMul',
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Neg',
  'Relu',
  'LeakyRelu',
  'Sigmoid',
  'Tanh',
  'Softmax',
  'LogSoftmax',
  'Exp',
  'Log',
  'Sqrt',
  'Conv',
  'MaxPool',
  'AveragePool',
  'GlobalAveragePool',
  'BatchNormalization',
  'Flatten',
  'Reshape',
  'Transpose',
  'Concat',
  'Identity',
  'Dropout',
  'Squeeze',
  'Unsqueeze',
  'Cast',
]);

/**
 * Ops accepted only where they compute shapes/indices (integer tensors) or constants:
 * they get no gradient, and an error is raised if a gradient would have to flow through them.
 */
export const SHAPE_OPS: ReadonlySet<string> = new Set([
  'Constant',
  'Shape',
  'Size',
  'Gather',
  'Unsqueeze',
  'Squeeze',
  'Concat',
  'Cast',
  'Slice',
  'ConstantOfShape',
  'Range',
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Equal',
  'Where',
  'Identity',
  'ReduceProd',
]);

/**
 * Every op type `buildGradientModel` accepts (default ONNX domain only).
 */
export const SUPPORTED_OPS: ReadonlySet<string> = new Set([...DIFFERENTIABLE_OPS, ...SHAPE_OPS]);

/**
 * Range of default-domain opset versions accepted by `checkSupported`.
 */
export const SUPPORTED_OPSETS = { min: 13, max: 18 } as const;

/**
 * Throws {@link UnsupportedOpError} (naming op type and node name) for the first node whose op
 * is outside {@link SUPPORTED_OPS} or not in the default domain, and an error for opsets
 * outside {@link SUPPORTED_OPSETS}. Attribute-level limits (e.g. BatchNormalization in
 * training mode) are reported by `buildGradientModel`.
 *
 * @example
 * ```ts
 * try { checkSupported(loadModel(bytes)); } catch (e) { console.error((e as Error).message); }
 * // unsupported ONNX op 'Erf' (node '/act/Erf'): ...
 * ```
 */
export function checkSupported(model: Model): void {
  for (const n of model.graph.nodes) {
    if (n.domain && n.domain !== 'ai.onnx') {
      throw new UnsupportedOpError(n.opType, n.name, `custom domain '${n.domain}' is not supported`);
    }
    if (!SUPPORTED_OPS.has(n.opType)) {
      throw new UnsupportedOpError(n.opType, n.name, `no gradient rule; supported ops: ${[...SUPPORTED_OPS].sort().join(', ')}`);
    }
  }
  const v = model.opsetVersion;
  if (v < SUPPORTED_OPSETS.min || v > SUPPORTED_OPSETS.max) {
    throw new UnsupportedOpError(
      '(opset)',
      '(model)',
      `default-domain opset ${v} is outside the supported range ${SUPPORTED_OPSETS.min}-${SUPPORTED_OPSETS.max}; re-export the model (e.g. torch.onnx.export(..., opset_version=17))`,
    );
  }
}
