import type { GradientCapability, LossHead, LossHeadOutput, TrainingCapability } from '../classifier/classifier.js';
import { ClassifierContractError, describeValue } from '../errors.js';

/** The smallest part of the denoiser's output scale its training forward pass may differ by. */
const FORWARD_TOLERANCE = 1e-4;

/**
 * The loss head the denoiser's own `training.step` sees when a loss on the classifier's logits
 * trains it: the head's value and its gradient w.r.t. the denoised images, computed beforehand at
 * `denoised` (the classifier is async, a head is not). It checks that the step's forward pass gives
 * the same images, so the gradient it hands back is the gradient at the weights being updated.
 *
 * @example
 * const head = pulledBackHead('cross-entropy', out, gradientWrtDenoised, denoised);
 */
export function pulledBackHead(name: string, out: LossHeadOutput, gradient: Float32Array, denoised: Float32Array): LossHead {
  let scale = 0;
  for (const v of denoised) scale = Math.max(scale, Math.abs(v));
  return {
    name: `${name} through the frozen classifier`,
    evaluate(outputs) {
      if (outputs.length !== denoised.length) {
        throw new ClassifierContractError(`the denoiser's training forward pass gave ${outputs.length} values, its forward ${denoised.length}`);
      }
      let worst = 0;
      for (let i = 0; i < outputs.length; i++) worst = Math.max(worst, Math.abs(outputs[i]! - denoised[i]!));
      if (!(worst <= FORWARD_TOLERANCE * Math.max(1, scale))) {
        throw new ClassifierContractError(
          `the denoiser's training forward pass differs from its forward by ${worst}: the gradient through the classifier would not be its gradient (a denoiser trained this way must be deterministic in training mode)`,
        );
      }
      return { loss: out.loss, gradient, terms: out.terms };
    },
  };
}

/**
 * The `training` capability of `compose(denoiser, classifier)`: one optimizer step of the denoiser's
 * weights only, the classifier frozen, for any loss head over the composition's logits (so every
 * training method of core, and `trainDenoiser`'s stability objective, trains a denoiser in front of
 * a fixed classifier). A step: `d = denoiser(x)`, `z = classifier(d)`, `head.evaluate(z)`, the
 * classifier's VJP of the head's gradient at `d`, then the denoiser's own `training.step` with a
 * head that returns that loss and that gradient w.r.t. its outputs. `reset` and `endFit` are the
 * denoiser's.
 *
 * @example
 * const training = denoiserTraining(denoiser.training, denoise, classify, classifier.gradients, 784);
 * await training.step(noisy, 64, crossEntropyHead(labels, 10), { optimizer: 'adam', learningRate: 1e-3 });
 */
export function denoiserTraining(
  training: TrainingCapability,
  denoise: (x: Float32Array, rows: number) => Promise<Float32Array>,
  classify: (x: Float32Array, rows: number) => Promise<Float32Array>,
  vjp: GradientCapability,
  dim: number,
): TrainingCapability {
  const wrapped: TrainingCapability = {
    step: async (x, rows, head, hyper) => {
      const denoised = (await denoise(x, rows)).slice();
      const logits = await classify(denoised, rows);
      const out = head.evaluate(logits, rows);
      const gradient = await vjp.vjp(denoised, rows, out.gradient);
      if (!(gradient instanceof Float32Array) || gradient.length !== rows * dim) {
        throw new ClassifierContractError(`the classifier's vjp returned ${describeValue(gradient)}, expected a Float32Array of ${rows * dim}`);
      }
      return training.step(x, rows, pulledBackHead(head.name, out, gradient, denoised), hyper);
    },
    reset: () => training.reset(),
  };
  if (training.endFit) wrapped.endFit = () => training.endFit!();
  return wrapped;
}
