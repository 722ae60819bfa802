import { RsTypeError } from '@rs/core';
import * as tf from '@tensorflow/tfjs';
import type { LossHead, TrainingHyperParameters } from '@rs/core';
import { resetLayersModel } from './weight-init.js';

/**
 * ART's `loss_object`: the training loss of a batch, `(oneHotLabels [batch, nbClasses] float32,
 * logits [batch, nbClasses]) => scalar`, used in place of core's mean cross-entropy head (the
 * `gaussian` and `smoothAdv` methods; the other methods define their own loss and refuse it). It
 * only affects training: `computeLoss` and `lossGradient` use softmax cross-entropy.
 *
 * @example
 * const lossObject: TfjsLossObject = (labels, logits) => tf.losses.softmaxCrossEntropy(labels, logits, undefined, 0.1); // label smoothing
 */
export type TfjsLossObject = (labels: tf.Tensor, logits: tf.Tensor) => tf.Scalar;

/**
 * What a {@link TfjsTrainStep} receives besides the model and the batch.
 *
 * @example
 * const step: TfjsTrainStep = (model, images, labels, ctx: TfjsTrainStepContext) => ctx.optimizer.minimize(() => ctx.lossObject(tf.oneHot(labels, ctx.nbClasses).toFloat(), model.apply(images) as tf.Tensor), true, ctx.variables)!;
 */
export interface TfjsTrainStepContext {
  optimizer: tf.Optimizer;
  lossObject: TfjsLossObject;
  nbClasses: number;
  /** The model's trainable variables (pass them to `optimizer.minimize`). */
  variables: tf.Variable[];
}

/**
 * ART's `train_step(model, images, labels)`: one optimizer step on a batch, returning the batch's
 * mean loss before the step (a scalar tensor or a number), in place of core's mean cross-entropy
 * step (`gaussian` and `smoothAdv`; the other methods refuse it). `images` are the noisy, preprocessed
 * inputs `[batch, ...inputShape]`, `labels` int32 class indices `[batch]`. Tensors created inside
 * are disposed after the step (the model's and optimizer's variables are kept).
 *
 * @example
 * const trainStep: TfjsTrainStep = (model, images, labels, { optimizer, lossObject, nbClasses, variables }) =>
 *   optimizer.minimize(() => lossObject(tf.oneHot(labels, nbClasses).toFloat(), model.apply(images, { training: true }) as tf.Tensor), true, variables)!;
 */
export type TfjsTrainStep = (
  model: tf.LayersModel,
  images: tf.Tensor,
  labels: tf.Tensor1D,
  context: TfjsTrainStepContext,
) => tf.Scalar | number | Promise<tf.Scalar | number>;

/** Settings of a {@link TfjsTrainer}. @example const settings: TfjsTrainerSettings = { optimizer: tf.train.adam(1e-3) }; */
export interface TfjsTrainerSettings {
  lossObject?: TfjsLossObject | undefined;
  /** A user optimizer: used for every step instead of `fit`'s `optimizer` / `learningRate`, never disposed here. */
  optimizer?: tf.Optimizer | undefined;
  trainStep?: TfjsTrainStep | undefined;
}

const defaultLoss: TfjsLossObject = (labels, logits) => tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;

/**
 * Training of a `tf.LayersModel` for `@rs/core`'s `fit`: one optimizer step per batch with core's
 * loss head (`tf.variableGrads` of `sum(gradient * logits)`, the logits read once inside the tape),
 * or with the user's `lossObject` / `trainStep` where the head is plain cross-entropy; an optimizer
 * built from `fit`'s hyper-parameters (kept across batches and learning-rate changes, so Adam's
 * moments carry on, and released by {@link TfjsTrainer.releaseOptimizer}) unless the user gave one,
 * and a reproducible weight reset.
 *
 * @example
 * const trainer = new TfjsTrainer(model, 10, [28, 28, 1], {});
 * const loss = await trainer.step(x, 64, crossEntropyHead(labels, 10), { optimizer: 'adam', learningRate: 1e-3 });
 */
export class TfjsTrainer {
  #optimizer: tf.Optimizer | undefined;
  #optimizerKey = '';

  constructor(
    readonly model: tf.LayersModel,
    readonly nbClasses: number,
    readonly inputShape: readonly number[],
    readonly settings: TfjsTrainerSettings,
  ) {}

  /** The optimizer of the next step (the user's, or one built from `hyper`, at the step's learning rate). */
  optimizerFor(hyper: TrainingHyperParameters): tf.Optimizer {
    if (this.settings.optimizer) return this.settings.optimizer;
    if (!this.#optimizer || hyper.optimizer !== this.#optimizerKey) {
      this.releaseOptimizer();
      this.#optimizer = hyper.optimizer === 'sgd' ? tf.train.sgd(hyper.learningRate) : tf.train.adam(hyper.learningRate);
      this.#optimizerKey = hyper.optimizer;
    }
    const opt = this.#optimizer as tf.Optimizer & { learningRate: number; setLearningRate?: (lr: number) => void };
    if (opt.learningRate !== hyper.learningRate) {
      if (opt.setLearningRate) opt.setLearningRate(hyper.learningRate);
      else opt.learningRate = hyper.learningRate; // Adam reads it at every step
    }
    return this.#optimizer;
  }

  /** Disposes the optimizer this trainer built (its state tensors); a user optimizer is left alone. */
  releaseOptimizer(): void {
    this.#optimizer?.dispose();
    this.#optimizer = undefined;
    this.#optimizerKey = '';
  }

  /**
   * One step on `rows` noisy, preprocessed inputs with core's loss head; resolves to the loss
   * before the step. A user `lossObject` / `trainStep` replaces a cross-entropy head (it needs the
   * head's labels) and is refused with any other head.
   *
   * @example
   * await trainer.step(x, 32, crossEntropyHead(labels, 10), { optimizer: 'sgd', learningRate: 0.01 });
   */
  async step(x: Float32Array, rows: number, head: LossHead, hyper: TrainingHyperParameters): Promise<number> {
    const custom = this.settings.trainStep ?? this.settings.lossObject;
    if (custom && !head.crossEntropyLabels) {
      throw new RsTypeError(
        'RS_INVALID_ARG_VALUE',
        `a custom ${this.settings.trainStep ? 'trainStep' : 'lossObject'} replaces mean cross-entropy only (methods 'gaussian' and 'smoothAdv'); the '${head.name}' loss is core's: create the classifier without it to train with this method`,
      );
    }
    const optimizer = this.optimizerFor(hyper);
    const variables = this.model.trainableWeights.map((w) => w.read() as tf.Variable);
    const nbClasses = this.nbClasses;
    const engine = tf.engine();
    // A scope rather than tf.tidy: a custom trainStep may be async. Variables survive scopes.
    engine.startScope();
    try {
      const images = tf.tensor(x, [rows, ...this.inputShape], 'float32');
      if (custom) {
        const ys = tf.tensor1d(head.crossEntropyLabels!, 'int32');
        const lossObject = this.settings.lossObject ?? defaultLoss;
        let result: tf.Scalar | number;
        if (this.settings.trainStep) result = await this.settings.trainStep(this.model, images, ys, { optimizer, lossObject, nbClasses, variables });
        else {
          result = optimizer.minimize(
            () => lossObject(tf.oneHot(ys, nbClasses).toFloat(), this.model.apply(images, { training: true }) as tf.Tensor),
            true,
            variables,
          )!;
        }
        return typeof result === 'number' ? result : (await result.data())[0]!;
      }
      let loss = Number.NaN;
      const { grads } = tf.variableGrads(() => {
        const logits = this.model.apply(images, { training: true }) as tf.Tensor;
        const values = logits.dataSync();
        const out = head.evaluate(values instanceof Float32Array ? values : Float32Array.from(values), rows);
        loss = out.loss;
        return tf.sum(tf.mul(logits, tf.tensor(out.gradient, [rows, nbClasses], 'float32'))) as tf.Scalar;
      }, variables);
      optimizer.applyGradients(grads);
      return loss;
    } finally {
      engine.endScope();
    }
  }

  /** Reproducible re-initialization of the weights; drops the optimizer state. */
  reset(): void {
    this.releaseOptimizer();
    resetLayersModel(this.model);
  }
}
