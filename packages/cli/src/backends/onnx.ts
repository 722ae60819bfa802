import { existsSync } from 'node:fs';
import { OnnxRandomizedSmoothing } from '@rs/onnx';
import { CliError } from '../errors.js';
import type { Backend, BackendModel, BackendOpenOptions } from './registry.js';

/**
 * The ONNX Runtime backend (`@rs/onnx`, onnxruntime-node): CPU, or CUDA with `--device gpu` when
 * onnxruntime-node was installed with its CUDA provider.
 *
 * @example
 * registerBackend(onnxBackend);
 * const model = await onnxBackend.open({ model: 'model.onnx', sigma: 0.25, n0: 100, alpha: 0.001, seed: '0', device: 'cpu' });
 */
export const onnxBackend: Backend = {
  name: 'onnx',
  description: 'ONNX Runtime (onnxruntime-node), .onnx models, CPU or CUDA',
  async open(o: BackendOpenOptions): Promise<BackendModel> {
    if (!existsSync(o.model)) throw new CliError(`model file not found: ${o.model}`, { code: 'RS_FILE_NOT_FOUND' });
    let rs: OnnxRandomizedSmoothing;
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
    return {
      inputShape: rs.inputShape,
      nbClasses: rs.nbClasses,
      device: `onnxruntime ${rs.device.provider}${rs.device.fellBack ? ' (fell back from gpu)' : ''}`,
      modelSha256: rs.modelSha256,
      noiseGenerator: rs.smoothing.noiseGenerator,
      generator: rs.smoothing.generator,
      certify: (x, options) => rs.certify(x, options),
      predictClasses: (x, options) => rs.predictClasses(x, options),
      predictLogits: (x, options) => rs.predictLogits(x, options),
      ...(rs.training
        ? {
            fit: (x: Float32Array, y: Int32Array, options: Parameters<NonNullable<BackendModel['fit']>>[2]) => rs.fit(x, y, options),
            reset: () => rs.reset(),
          }
        : {}),
      save: (path) => rs.save(path),
      dispose: async () => {
        await rs.dispose();
      },
    };
  },
};
