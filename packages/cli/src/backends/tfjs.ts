import { compositionOptions } from '../commands/composition-flags.js';
import { CliError } from '../errors.js';
import { loadBackendPackage } from './load-package.js';
import { modelSha256, tfjsModelJson } from './model-files.js';
import type { Backend, BackendModel, BackendOpenOptions } from './registry.js';
import { smoothedModel } from './smoothed-model.js';

/**
 * The TensorFlow.js backend (`@rs/tfjs`, loaded when asked for): a TF.js model.json (layers or
 * graph format, or its directory) on tfjs-node(-gpu) when installed, else wasm, else cpu.
 */
export const tfjsBackend: Backend = {
  name: 'tfjs',
  description: 'TensorFlow.js (@rs/tfjs): TF.js model.json, on tfjs-node, wasm or cpu',
  async open(o: BackendOpenOptions): Promise<BackendModel> {
    const json = tfjsModelJson(o.model);
    if (!json)
      throw new CliError(
        `--backend tfjs takes a TF.js model.json (or its folder), not ${o.model}${/\.onnx$/i.test(o.model) ? ' (an ONNX model: use --backend onnx or webgpu)' : ''}`,
        { code: 'RS_USAGE' },
      );
    const { TfjsRandomizedSmoothing } = await loadBackendPackage('tfjs', () => import('@rs/tfjs'));
    const extra = compositionOptions(o.composition, 'tfjs');
    let rs: Awaited<ReturnType<typeof TfjsRandomizedSmoothing.create>>;
    try {
      rs = await TfjsRandomizedSmoothing.create({
        model: json,
        scale: o.sigma,
        ...(o.noise ? { noise: o.noise } : {}),
        ...(o.sound ? { sound: o.sound } : {}),
        sampleSize: o.n0,
        alpha: o.alpha,
        seed: o.seed,
        ...(o.clip ? { clipValues: o.clip } : {}),
        ...extra,
        deviceType: o.device,
      });
    } catch (err) {
      throw new CliError(`cannot load model ${o.model} on the tfjs backend: ${(err as Error)?.message ?? String(err)}`, {
        code: 'RS_MODEL_LOAD_FAILED',
        cause: err,
      });
    }
    const b = rs.backend;
    const model = smoothedModel(rs, {
      backend: 'tfjs',
      device: `tfjs ${b.name} (${b.package})${b.deviceType === 'gpu' ? ' gpu' : ''}`,
      modelSha256: modelSha256(json),
      noiseGenerator: rs.smoothing.noiseGenerator,
      generator: rs.smoothing.generator,
      notes: o.threads ? [`--threads ${o.threads} is not used by the tfjs backend (TF.js picks its own threads)`] : [],
    });
    return { ...model, inputShape: rs.smoothing.inputShape };
  },
};
