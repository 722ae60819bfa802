import { CliError } from '../errors.js';
import { loadBackendPackage } from './load-package.js';
import type { Backend, BackendModel, BackendOpenOptions } from './registry.js';
import { smoothedModel } from './smoothed-model.js';

/**
 * The ONNX Runtime backend (`@rs/onnx`, onnxruntime-node, loaded when asked for): `.onnx` models on
 * the CPU, or CUDA with `--device gpu` when onnxruntime-node has its CUDA provider.
 *
 * @example
 * registerBackend(onnxBackend);
 * const model = await onnxBackend.open({ model: 'model.onnx', sigma: 0.25, n0: 100, alpha: 0.001, seed: '0', device: 'cpu' });
 */
export const onnxBackend: Backend = {
  name: 'onnx',
  description: 'ONNX Runtime (@rs/onnx, onnxruntime-node): .onnx models, CPU or CUDA',
  async open(o: BackendOpenOptions): Promise<BackendModel> {
    const { OnnxRandomizedSmoothing } = await loadBackendPackage('onnx', () => import('@rs/onnx'));
    let rs: Awaited<ReturnType<typeof OnnxRandomizedSmoothing.create>>;
    try {
      rs = await OnnxRandomizedSmoothing.create({
        model: o.model,
        scale: o.sigma,
        ...(o.noise ? { noise: o.noise } : {}),
        ...(o.sound ? { sound: o.sound } : {}),
        sampleSize: o.n0,
        alpha: o.alpha,
        seed: o.seed,
        ...(o.clip ? { clipValues: o.clip } : {}),
        deviceType: o.device,
        ...(o.threads ? { intraOpNumThreads: o.threads } : {}),
      });
    } catch (err) {
      throw new CliError(`cannot load model ${o.model} on the onnx backend: ${(err as Error)?.message ?? String(err)}`, {
        code: 'RS_MODEL_LOAD_FAILED',
        cause: err,
      });
    }
    return smoothedModel(rs, {
      backend: 'onnx',
      device: `onnxruntime ${rs.device.provider}${rs.device.fellBack ? ' (fell back from gpu)' : ''}`,
      modelSha256: rs.modelSha256,
      noiseGenerator: rs.smoothing.noiseGenerator,
      generator: rs.smoothing.generator,
    });
  },
};
