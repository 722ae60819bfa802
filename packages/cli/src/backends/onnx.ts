import { compose, ensemble, smooth, type Classifier, type SmoothingOptions } from '@rs/core';
import { CliError } from '../errors.js';
import { loadBackendPackage } from './load-package.js';
import type { Backend, BackendModel, BackendOpenOptions } from './registry.js';
import { smoothedModel } from './smoothed-model.js';

/**
 * The ONNX Runtime backend (`@rs/onnx`, onnxruntime-node, loaded when asked for): `.onnx` models on
 * the CPU, or CUDA with `--device gpu` when onnxruntime-node has its CUDA provider. With a
 * composition (defences, a denoiser, an ensemble; see composition-flags.ts) it smooths the composed
 * base classifier.
 */
export const onnxBackend: Backend = {
  name: 'onnx',
  description: 'ONNX Runtime (@rs/onnx, onnxruntime-node): .onnx models, CPU or CUDA',
  async open(o: BackendOpenOptions): Promise<BackendModel> {
    const c = o.composition;
    const smoothing: SmoothingOptions = {
      scale: o.sigma,
      ...(o.noise ? { noise: o.noise } : {}),
      ...(o.sound ? { sound: o.sound } : {}),
      sampleSize: o.n0,
      alpha: o.alpha,
      seed: o.seed,
      ...(o.clip ? { clipValues: o.clip } : {}),
      ...(c?.clipNoisy ? { clipNoisy: true } : {}),
      ...(c && c.preprocessingDefences.length > 0 ? { preprocessingDefences: c.preprocessingDefences } : {}),
      ...(c && c.postprocessingDefences.length > 0 ? { postprocessingDefences: c.postprocessingDefences } : {}),
    };
    const session = { deviceType: o.device, ...(o.threads ? { intraOpNumThreads: o.threads } : {}) };
    if (c?.denoiser !== undefined || c?.ensemble !== undefined) return openComposed(o, smoothing, session);
    const { OnnxRandomizedSmoothing } = await loadBackendPackage('onnx', () => import('@rs/onnx'));
    let rs: Awaited<ReturnType<typeof OnnxRandomizedSmoothing.create>>;
    try {
      rs = await OnnxRandomizedSmoothing.create({ model: o.model, ...smoothing, ...session });
    } catch (err) {
      throw new CliError(`cannot load model ${o.model} on the onnx backend: ${(err as Error)?.message ?? String(err)}`, {
        code: 'RS_MODEL_LOAD_FAILED',
        cause: err,
      });
    }
    const model = smoothedModel(rs, {
      backend: 'onnx',
      device: `onnxruntime ${rs.device.provider}${rs.device.fellBack ? ' (fell back from gpu)' : ''}`,
      modelSha256: rs.modelSha256,
      noiseGenerator: rs.smoothing.noiseGenerator,
      generator: rs.smoothing.generator,
    });
    // The raw input shape: the model's, or what the preprocessing defences map to it.
    return { ...model, inputShape: rs.smoothing.inputShape };
  },
};

/** A denoiser in front of the model, or an ensemble of models, smoothed by core (`compose` / `ensemble`). */
async function openComposed(
  o: BackendOpenOptions,
  smoothing: SmoothingOptions,
  session: { deviceType: 'cpu' | 'gpu'; intraOpNumThreads?: number },
): Promise<BackendModel> {
  const c = o.composition!;
  const { OnnxClassifier } = await loadBackendPackage('onnx', () => import('@rs/onnx'));
  type Opened = Awaited<ReturnType<typeof OnnxClassifier.create>>;
  const opened: Opened[] = [];
  const load = async (path: string, role: string, output: 'logits' | 'any' = 'logits'): Promise<Opened> => {
    try {
      const m = await OnnxClassifier.create({ model: path, output, ...session });
      opened.push(m);
      return m;
    } catch (err) {
      throw new CliError(`cannot load the ${role} ${path} on the onnx backend: ${(err as Error)?.message ?? String(err)}`, {
        code: 'RS_MODEL_LOAD_FAILED',
        cause: err,
      });
    }
  };
  try {
    const members = c.ensemble ? await Promise.all(c.ensemble.models.map((p, i) => load(p, `ensemble member ${i}`))) : [await load(o.model, 'model')];
    let base: Classifier = c.ensemble ? ensemble(members, { combine: c.ensemble.combine }) : members[0]!;
    if (c.denoiser !== undefined) base = compose(await load(c.denoiser, 'denoiser', 'any'), base);
    const g = smooth(base, smoothing);
    const first = members[0]!;
    return {
      backend: 'onnx',
      notes: [],
      inputShape: g.inputShape,
      nbClasses: g.nbClasses,
      device: `onnxruntime ${first.device.provider}${first.device.fellBack ? ' (fell back from gpu)' : ''}`,
      modelSha256: first.modelSha256,
      noiseGenerator: g.noiseGenerator,
      generator: g.generator,
      certify: (x, options) => g.certify(x, options),
      predictClasses: (x, options) => g.predictClasses(x, options),
      predictLogits: (x, options) => g.predictLogits(x, options),
      dispose: async () => {
        for (const m of opened) await m.dispose();
      },
    };
  } catch (err) {
    for (const m of opened) await m.dispose();
    if (err instanceof CliError) throw err;
    throw new CliError(`cannot build the composed classifier on the onnx backend: ${(err as Error)?.message ?? String(err)}`, {
      code: 'RS_MODEL_LOAD_FAILED',
      cause: err,
    });
  }
}
