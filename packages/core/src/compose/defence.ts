import type { DeviceDefence } from '../classifier/classifier.js';
import { describeValue, RsTypeError } from '../errors.js';

/**
 * Defences in front of and behind the base classifier (ART's `preprocessing_defences` and
 * `postprocessing_defences`). In randomized smoothing they are part of the base classifier f:
 * they run after the noise (and `clipNoisy`) and before `preprocessing` in every method, so the
 * certificate covers the defended classifier exactly as it covers any other f.
 */

/** What a defence's `apply` returns: the transformed batch and its shape (batch dimension first). */
export interface DefenceOutput {
  data: Float32Array;
  shape: number[];
}

/**
 * How gradients pass through a defence:
 * - `'exact'`: `vjp` is the defence's vector-Jacobian product;
 * - `'bpda'`: the identity in the backward pass (Athalye et al.'s BPDA; ART's default
 *   `estimate_gradient`), for defences with no useful gradient (quantization, JPEG);
 * - `'estimate'`: `vjp` is the defence's own estimate (ART's `estimate_gradient`, e.g.
 *   ThermometerEncoding's differentiable surrogate).
 */
export type DefenceGradient = 'exact' | 'bpda' | 'estimate';

/** What pre- and postprocessors share. */
export interface DefenceBase {
  /** ART's class name, e.g. `'FeatureSqueezing'`. */
  readonly name: string;
  /** The parameters, ART's names in camelCase, JSON-serializable (recorded in run logs). */
  readonly params: Readonly<Record<string, unknown>>;
  /** How gradients pass through it. */
  readonly gradient: DefenceGradient;
  /**
   * The backward pass for `'exact'` and `'estimate'`: given the defence's input batch `x` (of
   * `shape`) and the gradient w.r.t. its output, returns the gradient w.r.t. `x` (`x.length` values).
   */
  vjp?(x: Float32Array, shape: readonly number[], upstream: Float32Array): Float32Array | Promise<Float32Array>;
}

/**
 * A transform of the noisy input batch (ART's `Preprocessor`). `apply` must not modify `data`.
 *
 * @example
 * const halve: Preprocessor = {
 *   name: 'Halve', params: {}, gradient: 'exact',
 *   apply: (data, shape) => ({ data: data.map((v) => v / 2), shape: [...shape] }),
 *   vjp: (_x, _shape, up) => up.map((v) => v / 2),
 * };
 */
export interface Preprocessor extends DefenceBase {
  /** Maps a batch (`shape` includes the batch dimension) to the defended batch. */
  apply(data: Float32Array, shape: readonly number[]): DefenceOutput | Promise<DefenceOutput>;
  /** The shape `apply` returns for a batch of `shape`; absent: the same shape. */
  outputShape?(shape: readonly number[]): number[];
  /**
   * The input shape that `apply` maps to `shape` (the inverse of `outputShape`), or undefined when
   * there is none; lets a smoothed classifier work out its raw input shape from the model's.
   */
  inputShapeFor?(shape: readonly number[]): number[] | undefined;
  /**
   * The defence as a device kernel, for backends that run the Monte Carlo loop on their device
   * (`deviceSampling`): `table(lo, hi)` gives the {@link DeviceDefence} equal, bit for bit, to
   * `apply` on every float32 input in `[lo, hi]` (elementwise, shape-preserving defences only).
   */
  readonly deviceKernel?: { kind: DeviceDefence['kind']; table(lo: number, hi: number): DeviceDefence };
}

/**
 * A transform of the base classifier's output probabilities, `[batch, nbClasses]` (ART's `Postprocessor`).
 * `apply` must not modify `data` and returns the same shape.
 *
 * @example
 * const sharpen: Postprocessor = {
 *   name: 'Sharpen', params: {}, gradient: 'bpda',
 *   apply: (p, shape) => ({ data: p.map((v) => v * v), shape: [...shape] }),
 * };
 */
export interface Postprocessor extends DefenceBase {
  apply(data: Float32Array, shape: readonly number[]): DefenceOutput | Promise<DefenceOutput>;
}

const GRADIENT_MODES: readonly DefenceGradient[] = ['exact', 'bpda', 'estimate'];

/**
 * Checks a pre- or postprocessor's static part; throws a `TypeError` naming `what` and the problem.
 *
 * @example
 * assertDefence(featureSqueezing({ clipValues: [0, 1], bitDepth: 4 }), 'preprocessingDefences[0]');
 */
export function assertDefence(value: unknown, what: string): asserts value is Preprocessor {
  if (value === null || typeof value !== 'object')
    throw new RsTypeError('RS_INVALID_ARG_TYPE', `'${what}' must be a defence object, got ${describeValue(value)}`);
  const d = value as Partial<Preprocessor>;
  if (typeof d.name !== 'string' || d.name.length === 0)
    throw new RsTypeError('RS_INVALID_ARG_TYPE', `'${what}.name' must be a non-empty string, got ${describeValue(d.name)}`);
  if (typeof d.apply !== 'function') throw new RsTypeError('RS_INVALID_ARG_TYPE', `'${what}.apply' must be a function (data, shape) => { data, shape }`);
  if (d.params === null || typeof d.params !== 'object')
    throw new RsTypeError('RS_INVALID_ARG_TYPE', `'${what}.params' must be an object, got ${describeValue(d.params)}`);
  if (!GRADIENT_MODES.includes(d.gradient as DefenceGradient)) {
    throw new RsTypeError(
      'RS_INVALID_ARG_TYPE',
      `'${what}.gradient' must be one of ${GRADIENT_MODES.map((m) => `'${m}'`).join(', ')}, got ${describeValue(d.gradient)}`,
    );
  }
  if (d.gradient !== 'bpda' && typeof d.vjp !== 'function') {
    throw new RsTypeError('RS_INVALID_ARG_TYPE', `'${what}.vjp' must be a function: its gradient is '${d.gradient}' (use 'bpda' for the identity)`);
  }
  for (const key of ['outputShape', 'inputShapeFor'] as const) {
    if (d[key] !== undefined && typeof d[key] !== 'function') throw new RsTypeError('RS_INVALID_ARG_TYPE', `'${what}.${key}' must be a function when given`);
  }
}

/**
 * A defence as its run-log record: `{ name, params }`.
 *
 * @example
 * describeDefence(featureSqueezing({ clipValues: [0, 1], bitDepth: 4 })); // { name: 'FeatureSqueezing', params: { clipValues: [0, 1], bitDepth: 4 } }
 */
export function describeDefence(d: DefenceBase): { name: string; params: Record<string, unknown> } {
  return { name: d.name, params: { ...d.params } };
}
