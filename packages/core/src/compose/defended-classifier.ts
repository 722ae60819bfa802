import type { CapabilityName, CapabilityNotes, Classifier, DeviceDefence, DeviceSamplingCapability, TrainingCapability } from '../classifier/classifier.js';
import { featureCount } from '../classifier/assert-classifier.js';
import { ClassifierContractError } from '../errors.js';
import { softmaxRow } from '../smoothing/softmax.js';
import { backThrough, runPostprocessors, runPreprocessors, shapeAfter, type Batch } from './defence-chain.js';
import type { Postprocessor, Preprocessor } from './defence.js';

/** What {@link defendedClassifier} composes around a model. */
export interface DefendedClassifierOptions {
  /** Applied in order to the (noisy, clipped) raw inputs. */
  preprocessingDefences: readonly Preprocessor[];
  /** Applied in order to the model's softmax probabilities. */
  postprocessingDefences: readonly Postprocessor[];
  /** Per-feature `(x - sub) / div` over the model's input, after the defences; or null. */
  preprocessing: { sub: Float32Array; div: Float32Array } | null;
  /** The raw input shape (one input; see `defendedInputShape`). */
  inputShape: readonly number[];
}

function modelOutput(model: Classifier, out: unknown, rows: number, what: string): Float32Array {
  if (!(out instanceof Float32Array) || out.length !== rows * model.nbClasses) {
    throw new ClassifierContractError(
      `the model's ${what} returned ${out instanceof Float32Array ? out.length : typeof out} values for ${rows} inputs x ${model.nbClasses} classes`,
    );
  }
  return out;
}

/**
 * How far (in units of `scale`) a noisy value can be from its clean value, per noise family, with
 * a margin: Box-Muller normals reach about 6.8, uniforms sqrt(3), Laplace about 15.7 (32-bit uniforms).
 */
const NOISE_REACH: Readonly<Record<string, number>> = { gaussian: 8, uniform: 2, laplace: 24 };

/**
 * The model's device sampler with the defences as device kernels, when every preprocessing
 * defence has a kernel of a kind the sampler runs and there is no postprocessing; else null.
 * Each table covers the values the noisy inputs can take (clean range +- the family's reach times
 * `scale`, or the clip domain); a value outside it becomes NaN on the device, which the sampler
 * reports as an error.
 */
function onDevice(
  sampler: DeviceSamplingCapability,
  pre: readonly Preprocessor[],
  post: readonly Postprocessor[],
  pp: DefendedClassifierOptions['preprocessing'],
): DeviceSamplingCapability | null {
  if (post.length > 0 || !pre.every((p) => p.deviceKernel && sampler.defenceKinds?.includes(p.deviceKernel.kind))) return null;
  return {
    defenceKinds: [],
    ...(sampler.families ? { families: sampler.families } : {}),
    countPredictions: (req) => {
      let lo = Infinity;
      let hi = -Infinity;
      for (const v of req.data) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      const reach = NOISE_REACH[req.noise ?? 'gaussian'] ?? 24;
      lo = Math.fround(lo - reach * req.scale);
      hi = Math.fround(hi + reach * req.scale);
      if (req.clip) {
        lo = Math.max(
          lo,
          req.clip.min.reduce((a, b) => Math.min(a, b), Infinity),
        );
        hi = Math.min(
          hi,
          req.clip.max.reduce((a, b) => Math.max(a, b), -Infinity),
        );
      }
      const defences: DeviceDefence[] = [];
      for (const p of pre) {
        const table = p.deviceKernel!.table(lo, hi);
        defences.push(table);
        const finite = table.values.filter((v) => !Number.isNaN(v));
        lo = finite.reduce((a, b) => Math.min(a, b), Infinity);
        hi = finite.reduce((a, b) => Math.max(a, b), -Infinity);
      }
      return sampler.countPredictions({ ...req, defences, preprocessing: pp });
    },
  };
}

/**
 * The base classifier f that randomized smoothing sees when defences are configured: everything
 * after the noise, `x -> log(post(softmax(model(preprocessing(pre(x))))))`, or
 * `model(preprocessing(pre(x)))` (the model's own logits) without postprocessing defences. With
 * postprocessing, the output is the log of the postprocessed probabilities (float32; `-Infinity`
 * where one is 0), so its argmax is theirs and its softmax is them renormalized.
 *
 * Capabilities follow the model's: `gradients` chain the VJPs (each defence's `vjp`, or the identity
 * for `'bpda'`; in the backward pass a `'bpda'` postprocessor is left out, so with only those the
 * gradient is the model's log-softmax gradient, as ART's `loss_gradient`, which applies no
 * postprocessing); `training` and `activations` see the defended inputs; `save` is the model's.
 * `deviceSampling` is kept when every preprocessing defence has a device kernel of a kind the
 * model's sampler runs (`deviceKernel`, `defenceKinds`) and there is no postprocessing; otherwise
 * the noise and the defences run on the host, then the model's `forward` (which may run on the device).
 *
 * @example
 * const f = defendedClassifier(model, { preprocessingDefences: [squeeze], postprocessingDefences: [], preprocessing: null, inputShape: model.inputShape });
 */
export function defendedClassifier(model: Classifier, o: DefendedClassifierOptions): Classifier {
  const pre = [...o.preprocessingDefences];
  const post = [...o.postprocessingDefences];
  const c = model.nbClasses;
  const inputShape = Object.freeze([...o.inputShape]);
  const modelDim = featureCount(model.inputShape);
  const pp = o.preprocessing;

  /** The model's input for a raw batch; keeps every defence's input when `keep`. */
  const modelInput = async (x: Float32Array, rows: number, keep: boolean): Promise<{ y: Float32Array; inputs: Batch[] }> => {
    const { out, inputs } = await runPreprocessors(pre, { data: x, shape: [rows, ...inputShape] }, keep);
    let y = out.data;
    if (pp) {
      y = new Float32Array(out.data.length);
      for (let r = 0; r < rows; r++) {
        const base = r * modelDim;
        for (let f = 0; f < modelDim; f++) y[base + f] = (out.data[base + f]! - pp.sub[f]!) / pp.div[f]!;
      }
    }
    return { y, inputs };
  };

  const probabilities = (logits: Float32Array, rows: number): Float32Array => {
    const p = new Float32Array(rows * c);
    const row = new Float64Array(c);
    for (let r = 0; r < rows; r++) {
      softmaxRow(logits, r * c, c, row);
      for (let k = 0; k < c; k++) p[r * c + k] = row[k]!;
    }
    return p;
  };

  const forward = async (x: Float32Array, rows: number): Promise<Float32Array> => {
    const { y } = await modelInput(x, rows, false);
    const logits = modelOutput(model, await model.forward(y, rows), rows, 'forward');
    if (post.length === 0) return logits;
    const { out } = await runPostprocessors(post, { data: probabilities(logits, rows), shape: [rows, c] }, false);
    return out.data.map(Math.log);
  };

  const notes: Partial<Record<CapabilityName, string>> = { ...model.capabilityNotes };
  delete notes.preprocessing;
  const device = model.deviceSampling ? onDevice(model.deviceSampling, pre, post, pp) : null;
  if (model.deviceSampling && !device) {
    const hostOnly = [...pre.filter((p) => !p.deviceKernel || !model.deviceSampling!.defenceKinds?.includes(p.deviceKernel.kind)), ...post];
    notes.deviceSampling = `${hostOnly.map((d) => d.name).join(', ')} ${hostOnly.length > 1 ? 'have' : 'has'} no device kernel: noise and defences run on the host, the model's forward on its device`;
  }

  const base: { -readonly [K in keyof Classifier]: Classifier[K] } = { inputShape, nbClasses: c, forward };
  const bpdaChangesShape = pre.find((p) => p.gradient === 'bpda' && featureCount(shapeAfter(p, [1, ...inputShape])) !== featureCount(inputShape));
  const gradients = model.gradients;
  if (gradients && !bpdaChangesShape) {
    base.gradients = {
      vjp: async (x, rows, upstream) => {
        const { y, inputs } = await modelInput(x, rows, true);
        let gz = upstream;
        if (post.length > 0) {
          const p = probabilities(modelOutput(model, await model.forward(y, rows), rows, 'forward'), rows);
          const { out, inputs: postInputs } = await runPostprocessors(post, { data: p, shape: [rows, c] }, true);
          const gq = new Float32Array(rows * c);
          for (let i = 0; i < gq.length; i++) gq[i] = out.data[i]! > 0 ? upstream[i]! / out.data[i]! : 0; // d log q / dq
          const gp = await backThrough(post, postInputs, gq, 'postprocessing defence');
          gz = new Float32Array(rows * c);
          for (let r = 0; r < rows; r++) {
            let dot = 0;
            for (let k = 0; k < c; k++) dot += gp[r * c + k]! * p[r * c + k]!;
            for (let k = 0; k < c; k++) gz[r * c + k] = p[r * c + k]! * (gp[r * c + k]! - dot);
          }
        }
        const gy = await gradients.vjp(y, rows, gz);
        if (pp) for (let i = 0; i < gy.length; i++) gy[i]! /= pp.div[i % modelDim]!;
        return backThrough(pre, inputs, gy, 'preprocessing defence');
      },
    };
  } else if (bpdaChangesShape) notes.gradients = `the preprocessing defence '${bpdaChangesShape.name}' changes the shape and has no vjp`;
  const training = model.training;
  if (training) {
    const wrapped: TrainingCapability = {
      step: async (x, rows, head, hyper) => training.step((await modelInput(x, rows, false)).y, rows, head, hyper),
      reset: () => training.reset(),
    };
    if (training.endFit) wrapped.endFit = () => training.endFit!();
    base.training = wrapped;
  }
  const activations = model.activations;
  if (activations) {
    base.activations = {
      layerNames: activations.layerNames,
      getActivations: async (x, rows, layer) => activations.getActivations((await modelInput(x, rows, false)).y, rows, layer),
    };
  }
  if (device) base.deviceSampling = device;
  if (model.save) base.save = (path) => model.save!(path);
  if (model.maxBatchSize !== undefined) base.maxBatchSize = model.maxBatchSize;
  if (model.hostSampling) base.hostSampling = model.hostSampling;
  for (const key of Object.keys(notes) as CapabilityName[]) if (base[key] !== undefined) delete notes[key];
  if (Object.keys(notes).length > 0) base.capabilityNotes = Object.freeze(notes) as CapabilityNotes;
  return base;
}
