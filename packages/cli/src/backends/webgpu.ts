import { compositionOptions } from '../commands/composition-flags.js';
import { CliError } from '../errors.js';
import { loadBackendPackage } from './load-package.js';
import { modelSha256 } from './model-files.js';
import type { Backend, BackendModel, BackendOpenOptions } from './registry.js';
import { smoothedModel } from './smoothed-model.js';

/**
 * The WebGPU backend (`@rs/webgpu-native` on Dawn, loaded when asked for): `.onnx` models as WGSL
 * kernels with the whole Monte Carlo loop on the device; SwiftShader (a CPU Vulkan driver) where no
 * GPU driver gives an adapter.
 */
export const webgpuBackend: Backend = {
  name: 'webgpu',
  description: 'WebGPU (@rs/webgpu-native, Dawn): .onnx models as WGSL kernels, sampling on the device',
  async open(o: BackendOpenOptions): Promise<BackendModel> {
    if (!/\.onnx$/i.test(o.model)) throw new CliError(`--backend webgpu takes an .onnx model, not ${o.model}`, { code: 'RS_USAGE' });
    const { WebGpuRandomizedSmoothing } = await loadBackendPackage('webgpu', () => import('@rs/webgpu-native'));
    const extra = compositionOptions(o.composition, 'webgpu');
    let rs: Awaited<ReturnType<typeof WebGpuRandomizedSmoothing.create>>;
    try {
      rs = await WebGpuRandomizedSmoothing.create({
        model: o.model,
        scale: o.sigma,
        ...(o.noise ? { noise: o.noise } : {}),
        ...(o.sound ? { sound: o.sound } : {}),
        sampleSize: o.n0,
        alpha: o.alpha,
        seed: o.seed,
        ...(o.clip ? { clipValues: o.clip } : {}),
        ...extra,
        powerPreference: o.device === 'gpu' ? 'high-performance' : 'low-power',
      });
    } catch (err) {
      const e = err as Error;
      throw new CliError(`cannot open ${o.model} on the webgpu backend: ${e?.message ?? String(err)}`, {
        code: e?.name === 'NoAdapterError' ? 'RS_BACKEND_UNAVAILABLE' : 'RS_MODEL_LOAD_FAILED',
        exitCode: e?.name === 'NoAdapterError' ? 1 : 2,
        cause: err,
      });
    }
    const a = rs.adapter as typeof rs.adapter & { notice?: string };
    const notes = [...(a.notice ? [a.notice] : [])];
    if (o.threads) notes.push(`--threads ${o.threads} is not used by the webgpu backend`);
    const model = smoothedModel(rs, {
      backend: 'webgpu',
      device: `webgpu ${a.name}${a.description ? ` (${a.description})` : ''}${a.isFallbackAdapter ? ' [fallback adapter]' : ''}`,
      modelSha256: modelSha256(o.model),
      noiseGenerator: 'wgsl-philox4x32-10 (on the device)',
      notes,
    });
    return { ...model, inputShape: rs.smoothing.inputShape };
  },
};
