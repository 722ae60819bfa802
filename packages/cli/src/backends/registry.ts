import type { CertifyOptions, CertifyResult, FitOptions, FitResult, NoiseFamily, NoiseGenerator, PredictOptions, PredictResult } from '@rs/core';
import type { Composition } from '../commands/composition-flags.js';
import { CliError } from '../errors.js';

/**
 * What the command line needs to open a model on a backend.
 *
 * @example
 * const o: BackendOpenOptions = { model: 'm.onnx', sigma: 0.25, n0: 100, alpha: 0.001, seed: '0', device: 'cpu' };
 */
export interface BackendOpenOptions {
  /** Path of the model file. */
  model: string;
  sigma: number;
  /** The noise family (default gaussian). */
  noise?: NoiseFamily | undefined;
  /** The sound mode's grid (values m / levels), or undefined for the float mode. */
  sound?: { levels: number } | undefined;
  /** n0: selection samples of certify. */
  n0: number;
  alpha: number;
  /** Decimal seed of the Philox noise. */
  seed: string;
  clip?: [number, number] | undefined;
  device: 'cpu' | 'gpu';
  threads?: number | undefined;
  /** Defences, a denoiser in front, an ensemble instead of `model` (see composition-flags.ts). */
  composition?: Composition | undefined;
}

/**
 * The backends of this package, by `--backend` name, with the npm packages each loads (only when
 * asked for) and the line that installs them.
 *
 * BACKEND_PACKAGES.tfjs.install; // 'npm install @rs/tfjs @tensorflow/tfjs @tensorflow/tfjs-backend-wasm'
 */
export const BACKEND_PACKAGES: Readonly<Record<'onnx' | 'tfjs' | 'webgpu', { packages: readonly string[]; install: string }>> = Object.freeze({
  onnx: { packages: ['@rs/onnx', 'onnxruntime-node'], install: 'ONNXRUNTIME_NODE_INSTALL=skip npm install @rs/onnx onnxruntime-node' },
  tfjs: {
    packages: ['@rs/tfjs', '@tensorflow/tfjs'],
    install: 'npm install @rs/tfjs @tensorflow/tfjs @tensorflow/tfjs-backend-wasm (or @tensorflow/tfjs-node)',
  },
  webgpu: { packages: ['@rs/webgpu-native', 'webgpu'], install: 'npm install @rs/webgpu-native webgpu' },
});

/**
 * A model opened on a backend, smoothed: the operations the commands call.
 *
 * @example
 * const { prediction, radius } = await model.certify(x, { n: 10_000, batchSize: 1000, inputIds: [42] });
 */
export interface BackendModel {
  /** The backend that opened the model (`--backend auto` names the one it picked). */
  readonly backend: string;
  /** Lines to show the user once the model is open (what `auto` picked, a driver fallback). */
  readonly notes: readonly string[];
  /** Per-input shape the model takes, e.g. [1, 28, 28]. */
  readonly inputShape: readonly number[];
  readonly nbClasses: number;
  /** Where it runs, in words (e.g. `onnxruntime cpu`). */
  readonly device: string;
  /** SHA-256 of the model file's bytes. */
  readonly modelSha256: string;
  /** Name of the noise generator in use (e.g. `wasm-simd`). */
  readonly noiseGenerator: string;
  /** The host noise generator itself (for its known-answer self-test), when the backend draws noise on the host. */
  readonly generator?: NoiseGenerator;
  certify(x: Float32Array, options: CertifyOptions): Promise<CertifyResult>;
  predictClasses(x: Float32Array, options: PredictOptions): Promise<PredictResult>;
  predictLogits(x: Float32Array, options?: { batchSize?: number }): Promise<Float32Array>;
  /** Gaussian-augmentation training; absent when the backend or model cannot train. */
  fit?(x: Float32Array, y: Int32Array, options: FitOptions): Promise<FitResult>;
  /** Re-initializes the weights (training capability). */
  reset?(): Promise<void>;
  /** Writes the model atomically. */
  save?(path: string): Promise<void>;
  dispose(): Promise<void>;
}

/**
 * A backend the command line can use.
 *
 * @example
 * registerBackend({ name: 'tfjs', description: 'TensorFlow.js', open: async (o) => openTfjsModel(o) });
 */
export interface Backend {
  /** The `--backend` name. */
  readonly name: string;
  /** One line for `--help` and error messages. */
  readonly description: string;
  /** Opens and smooths a model; throws a {@link CliError} for a model it cannot use. */
  open(options: BackendOpenOptions): Promise<BackendModel>;
}

const registered = new Map<string, Backend>();

/**
 * Adds a backend to the registry (a later registration of the same name replaces it).
 *
 * @example
 * registerBackend({ name: 'tfjs', description: 'TensorFlow.js models', open: async (o) => openTfjs(o) });
 */
export function registerBackend(backend: Backend): void {
  registered.set(backend.name, backend);
}

/**
 * Names of the backends available in this installation.
 *
 * @example
 * availableBackends(); // ['auto', 'onnx', 'tfjs', 'webgpu']
 */
export function availableBackends(): string[] {
  return [...registered.keys()].sort();
}

/**
 * The backend called `name`, or a {@link CliError} that lists the available ones.
 *
 * @example
 * const onnx = getBackend('onnx');
 */
export function getBackend(name: string): Backend {
  const backend = registered.get(name);
  if (backend) return backend;
  const available = availableBackends()
    .map((b) => `'${b}'`)
    .join(', ');
  throw new CliError(`unknown backend '${name}'; available backends: ${available}`, { code: 'RS_BACKEND_UNAVAILABLE' });
}
