import type { CertifyOptions, CertifyResult, FitOptions, FitResult, NoiseGenerator, PredictOptions, PredictResult } from '@rs/core';
import type { BackendModel } from './registry.js';

/**
 * What the command line calls on a smoothed classifier of any adapter (`OnnxRandomizedSmoothing`,
 * `TfjsRandomizedSmoothing`, `WebGpuRandomizedSmoothing`).
 */
export interface SmoothedAdapter {
  readonly inputShape: readonly number[];
  readonly nbClasses: number;
  /** Present when the adapter can train (the capability is read here and nowhere else). */
  readonly training?: unknown;
  certify(x: Float32Array, options: CertifyOptions): Promise<CertifyResult>;
  predictClasses(x: Float32Array, options?: PredictOptions): Promise<PredictResult>;
  predictLogits(x: Float32Array, options?: { batchSize?: number }): Promise<Float32Array>;
  fit(x: Float32Array, y: Int32Array, options?: FitOptions): Promise<FitResult>;
  reset?(): Promise<void>;
  save?(path: string): void | Promise<void>;
  dispose(): Promise<void>;
}

/**
 * Wraps a smoothed classifier as the {@link BackendModel} the commands use; `fit` / `reset` are
 * offered only when the classifier declares training, `save` when it can save.
 */
export function smoothedModel(
  rs: SmoothedAdapter,
  info: { backend: string; device: string; modelSha256: string; noiseGenerator: string; generator?: NoiseGenerator | undefined; notes?: readonly string[] },
): BackendModel {
  const canTrain = Boolean(rs.training) && typeof rs.reset === 'function';
  return {
    backend: info.backend,
    notes: info.notes ?? [],
    inputShape: rs.inputShape,
    nbClasses: rs.nbClasses,
    device: info.device,
    modelSha256: info.modelSha256,
    noiseGenerator: info.noiseGenerator,
    ...(info.generator ? { generator: info.generator } : {}),
    certify: (x, options) => rs.certify(x, options),
    predictClasses: (x, options) => rs.predictClasses(x, options),
    predictLogits: (x, options) => rs.predictLogits(x, options),
    ...(canTrain ? { fit: (x: Float32Array, y: Int32Array, options: FitOptions) => rs.fit(x, y, options), reset: () => rs.reset!() } : {}),
    ...(typeof rs.save === 'function' ? { save: async (path: string) => rs.save!(path) } : {}),
    dispose: () => rs.dispose(),
  };
}
