import type { Node, Tensor } from '@rs/onnx-graph';
import type { FusedActivation } from './fusion.js';
import type { KernelSpec } from './kernels/wgsl.js';

/**
 * How a value is stored on the device: `float` as f32, `int` (ONNX int64 / int32 indices and
 * labels) as i32, `bool` as f32 0 / 1 (so Cast(bool -> float) is a view and Where reads floats).
 *
 * @example
 * const t: ValueType = 'int';
 */
export type ValueType = 'float' | 'int' | 'bool';

/**
 * What an op lowering sees while the graph is compiled for one batch size: concrete shapes, host
 * constants, and the calls that declare outputs and emit kernels.
 */
export interface LowerContext {
  readonly node: Node;
  /** An activation to apply to output 0 in the same kernel (only for the ops of `FUSING_OPS`). */
  readonly activation: FusedActivation | undefined;
  /** A MaxPool fused after output 0 (and its activation): its window [h, w], equal to its strides, no padding (Conv only). */
  readonly pool: readonly [number, number] | undefined;
  /** Default-domain opset of the model. */
  readonly opset: number;
  /** Name of input `k` (throws naming the node when it is missing). */
  input(k: number): string;
  /** Whether optional input `k` is present. */
  hasInput(k: number): boolean;
  /** Name of output `k`. */
  outputName(k: number): string;
  /** Concrete shape of a value. */
  shape(value: string): readonly number[];
  /** A constant known on the host (initializer or Constant output), else undefined. */
  hostTensor(value: string): Tensor | undefined;
  /** How a value is stored on the device (float unless declared otherwise). */
  dtype(value: string): ValueType;
  /** Declares output `k` with its own GPU buffer (float unless `type` says otherwise); returns its name. */
  output(k: number, shape: readonly number[], type?: ValueType): string;
  /** Declares output `k` as a value computed on the host at compile time (Shape, Size, shape slices). */
  hostOutput(k: number, tensor: Tensor): void;
  /** The batch size this plan is compiled for. */
  readonly batch: number;
  /** Declares output `k` as a view of `source` (same data, new shape: Reshape, Flatten, Identity). */
  alias(k: number, source: string, shape: readonly number[], type?: ValueType): void;
  /** Appends a dispatch. */
  kernel(spec: KernelSpec): void;
  /** A float constant computed at compile time (e.g. folded BatchNormalization), uploaded once; returns its value name. */
  constant(suffix: string, data: Float32Array, dims: number[]): string;
  /** An UnsupportedModelError naming the node, to throw: `throw ctx.fail('...')`. */
  fail(message: string): Error;
}

/**
 * Lowers one ONNX node to WGSL dispatches.
 */
export type OpLowering = (ctx: LowerContext) => void;
