import { featureCount, assertClassifier } from '../classifier/assert-classifier.js';
import type { CapabilityName, Classifier, GradientCapability, HostSamplingPlan, SaveCapability, TrainingCapability } from '../classifier/classifier.js';
import { ClassifierContractError, describeValue, RsError, RsRangeError, RsTypeError } from '../errors.js';
import { denoiserTraining } from './composed-training.js';

/**
 * An image-to-image model, such as a denoiser: the {@link Classifier} shape without classes. Any
 * backend's classifier whose output is not logits qualifies (`OnnxClassifier` with
 * `output: 'any'`, which sets `outputShape`), and so does a plain object.
 *
 * @example
 * const identity: ImageModel = { inputShape: [1, 28, 28], outputShape: [1, 28, 28], forward: (x) => x.slice() };
 */
export interface ImageModel {
  readonly inputShape: readonly number[];
  /** Shape of one output (no batch dimension). Absent: `[nbClasses]` (a classifier-like model). */
  readonly outputShape?: readonly number[];
  readonly nbClasses?: number;
  /** `batch * prod(outputShape)` values for `batch` inputs back to back. */
  forward(x: Float32Array, batch: number): Float32Array | Promise<Float32Array>;
  /** `d/dx sum(upstream * forward(x))`, upstream `batch * prod(outputShape)`. */
  readonly gradients?: GradientCapability;
  readonly training?: TrainingCapability;
  readonly save?: SaveCapability;
  readonly maxBatchSize?: number;
  readonly hostSampling?: HostSamplingPlan;
  dispose?(): void | Promise<void>;
}

/** The per-input output size of an image model (`outputShape`, else `nbClasses`), validated. */
export function imageModelOutputSize(m: ImageModel, name: string): number {
  if (m === null || typeof m !== 'object') throw new RsTypeError('RS_INVALID_ARG_TYPE', `'${name}' must be a model object, got ${describeValue(m)}`);
  if (typeof m.forward !== 'function') throw new RsTypeError('RS_INVALID_ARG_TYPE', `'${name}.forward' must be a function`);
  if (!Array.isArray(m.inputShape) || m.inputShape.length === 0 || !m.inputShape.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new RsTypeError('RS_INVALID_ARG_TYPE', `'${name}.inputShape' must be a non-empty array of positive integers, got ${JSON.stringify(m.inputShape)}`);
  }
  if (m.outputShape !== undefined) {
    if (!Array.isArray(m.outputShape) || !m.outputShape.every((d) => Number.isInteger(d) && d >= 1)) {
      throw new RsTypeError('RS_INVALID_ARG_TYPE', `'${name}.outputShape' must be an array of positive integers, got ${JSON.stringify(m.outputShape)}`);
    }
    return featureCount(m.outputShape);
  }
  if (Number.isInteger(m.nbClasses) && (m.nbClasses as number) >= 1) return m.nbClasses as number;
  throw new RsTypeError('RS_INVALID_ARG_TYPE', `'${name}' must declare 'outputShape' (the shape of one output), got neither 'outputShape' nor 'nbClasses'`);
}

async function run<T>(what: string, rows: number, call: () => T | Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof ClassifierContractError) throw err;
    throw new ClassifierContractError(`${what} failed on a batch of ${rows} inputs: ${(err as Error)?.message ?? String(err)}`, {
      cause: err,
      code: 'RS_CLASSIFIER_FAILED',
    });
  }
}

function checkedValues(out: unknown, expected: number, what: string): Float32Array {
  if (!(out instanceof Float32Array) || out.length !== expected) {
    throw new ClassifierContractError(
      `${what} returned ${out instanceof Float32Array ? `${out.length} values` : describeValue(out)}, expected a Float32Array of ${expected}`,
    );
  }
  return out;
}

/**
 * Denoised smoothing (Salman et al., NeurIPS 2020): a denoiser (an image-to-image model) in front
 * of a classifier, as one base classifier `x -> classifier(denoiser(x))`. Randomized smoothing of
 * it certifies the pair: the noise goes in front of the denoiser, so the guarantee is unchanged.
 *
 * Capabilities: `gradients` when both parts have them (the VJPs chained: the classifier's, then
 * the denoiser's); `training` when the denoiser trains and the classifier has gradients: a step
 * updates the denoiser only, the classifier frozen, with any loss head over the composition's
 * logits (so `fit` and every training method of core train the denoiser; see also
 * `trainDenoiser`); `save` writes the denoiser; `dispose` disposes both. `maxBatchSize` is the
 * smaller of the two.
 *
 * @example
 * const denoiser = await OnnxClassifier.create({ model: 'denoiser.onnx', output: 'any' });
 * const classifier = await OnnxClassifier.create({ model: 'classifier.onnx' });
 * const g = smooth(compose(denoiser, classifier), { scale: 0.5, clipValues: [0, 1] });
 * const { prediction, radius } = await g.certify(images, { n: 10_000 });
 */
export function compose(denoiser: ImageModel, classifier: Classifier): Classifier {
  assertClassifier(classifier, 'classifier');
  const outSize = imageModelOutputSize(denoiser, 'denoiser');
  const dim = featureCount(classifier.inputShape);
  if (outSize !== dim) {
    throw new RsRangeError(
      'RS_INVALID_ARG_VALUE',
      `the denoiser's output (${denoiser.outputShape ? `[${denoiser.outputShape.join(', ')}]` : outSize}) does not fit the classifier's input [${classifier.inputShape.join(', ')}] (${dim} values)`,
    );
  }
  const c = classifier.nbClasses;
  let disposed = false;
  const denoise = async (x: Float32Array, rows: number): Promise<Float32Array> => {
    if (disposed) throw new RsError('RS_DISPOSED', 'this composition was disposed');
    return checkedValues(await run('the denoiser', rows, () => denoiser.forward(x, rows)), rows * dim, 'the denoiser');
  };
  const classify = (d: Float32Array, rows: number): Promise<Float32Array> => run('the classifier', rows, () => classifier.forward(d, rows));
  const forward = async (x: Float32Array, rows: number): Promise<Float32Array> => classify(await denoise(x, rows), rows);
  const out: { -readonly [K in keyof Classifier]: Classifier[K] } = { inputShape: Object.freeze([...denoiser.inputShape]), nbClasses: c, forward };
  const notes: Partial<Record<CapabilityName, string>> = {};
  const dGrad = denoiser.gradients;
  const cGrad = classifier.gradients;
  if (dGrad && cGrad) {
    out.gradients = {
      vjp: async (x, rows, upstream) => {
        const d = await denoise(x, rows);
        const gd = checkedValues(await run('the classifier vjp', rows, () => cGrad.vjp(d, rows, upstream)), rows * dim, 'the classifier vjp');
        return run('the denoiser vjp', rows, () => dGrad.vjp(x, rows, gd));
      },
    };
  } else notes.gradients = `needs gradients of both parts; the ${dGrad ? 'classifier' : 'denoiser'} has none`;
  if (denoiser.save) out.save = (path) => denoiser.save!(path);
  else notes.save = 'the denoiser has no save capability';
  const maxBatch = Math.min(denoiser.maxBatchSize ?? Infinity, classifier.maxBatchSize ?? Infinity);
  if (Number.isFinite(maxBatch)) out.maxBatchSize = maxBatch;
  const plan = denoiser.hostSampling ?? classifier.hostSampling;
  if (plan) out.hostSampling = plan;
  out.dispose = async () => {
    if (disposed) return;
    disposed = true;
    await denoiser.dispose?.();
    await classifier.dispose?.();
  };
  const dTrain = denoiser.training;
  if (dTrain && cGrad) out.training = denoiserTraining(dTrain, denoise, classify, cGrad, dim);
  else notes.training = dTrain ? "training the denoiser needs the classifier's gradients" : 'the denoiser has no training capability';
  if (Object.keys(notes).length > 0) out.capabilityNotes = Object.freeze(notes);
  return out;
}
