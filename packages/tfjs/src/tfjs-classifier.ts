import * as tf from '@tensorflow/tfjs';
import {
  type ActivationsCapability,
  type CapabilityNotes,
  type Classifier,
  createClassifier,
  type GradientCapability,
  type Refittable,
  type TrainingCapability,
  RsError,
  RsRangeError,
} from '@rs/core';
import { activateBackend, selectBackend, type BackendInfo } from './backend.js';
import { type ParsedTfjsClassifierOptions, tfjsClassifierOptionsSchema, type TfjsClassifierOptions } from './create-options.js';
import { fileSystemIOHandler } from './file-io.js';
import { loadTfjsModel, type LoadedTfjsModel } from './load-model.js';
import { callModel, declaredInputShape, declaredOutputShape } from './model-call.js';
import { TfjsTrainer } from './trainer.js';

/**
 * Everything a {@link TfjsClassifier} is made of, prepared by {@link prepareTfjsClassifier}.
 *
 * @example
 * const f = new TfjsClassifier(await prepareTfjsClassifier({ model: 'cnn/model.json' }));
 */
export interface TfjsClassifierInit {
  loaded: LoadedTfjsModel;
  backend: BackendInfo;
  inputShape: readonly number[];
  nbClasses: number;
  /** The validated options (to clone the classifier). */
  options: ParsedTfjsClassifierOptions;
  /** True when the model was loaded from a path (the classifier then disposes it). */
  ownsModel: boolean;
  /** The path, or `'<tf.LayersModel>'` / `'<tf.GraphModel>'`. */
  label: string;
  /** Why gradients / training cannot run on this backend (a kernel it lacks), found by a probe at load. */
  problems: { gradients?: string; training?: string };
}

/** Runs `fn` in a tidy scope; returns why it failed (e.g. a kernel the backend lacks), or undefined. */
function probe(backend: BackendInfo, fn: () => unknown): string | undefined {
  try {
    tf.tidy(() => void fn());
    return undefined;
  } catch (err) {
    const message = ((err as Error).message ?? String(err)).split('\n')[0]!;
    const kernel = /Kernel '(\w+)' not registered/.exec(message)?.[1];
    return kernel
      ? `the '${backend.name}' backend has no '${kernel}' kernel, which this model needs (use backend 'cpu' or install @tensorflow/tfjs-node)`
      : `the '${backend.name}' backend failed: ${message}`;
  }
}

function shapeText(shape: ReadonlyArray<number | null>): string {
  return `[${shape.map((d) => (d === null ? 'null' : d)).join(', ')}]`;
}

/**
 * Chooses the backend, loads the model (options already validated) and works out its contract:
 * `inputShape` and `nbClasses` (from the model, or checked against it) and a probe run on zeros
 * that must give float logits `[1, nbClasses]`.
 */
async function prepareTfjsClassifier(o: ParsedTfjsClassifierOptions): Promise<TfjsClassifierInit> {
  const backend = await selectBackend({ backend: o.backend, deviceType: o.deviceType, gpuFallback: o.gpuFallback, onWarning: o.onWarning });
  const loaded = await loadTfjsModel(o.model);
  const ownsModel = typeof o.model === 'string';
  const label = typeof o.model === 'string' ? o.model : loaded.kind === 'layers' ? '<tf.LayersModel>' : '<tf.GraphModel>';
  try {
    const modelShape = declaredInputShape(loaded);
    let inputShape: number[];
    if (o.inputShape) {
      if (modelShape && (modelShape.length !== o.inputShape.length || modelShape.some((d, i) => d !== null && d !== o.inputShape![i]))) {
        throw new RsRangeError(
          'RS_INVALID_ARG_VALUE',
          `'inputShape' [${o.inputShape.join(', ')}] does not match the model's input ${shapeText([null, ...modelShape])} (batch dimension first)`,
        );
      }
      inputShape = [...o.inputShape];
    } else {
      if (!modelShape || modelShape.some((d) => d === null)) {
        throw new RsRangeError(
          'RS_INVALID_ARG_VALUE',
          `the model's input has shape ${modelShape ? shapeText([null, ...modelShape]) : 'unknown'}: give 'inputShape' (without the batch dimension)`,
        );
      }
      inputShape = modelShape as number[];
    }
    // Probe: one input of zeros must give float logits [1, nbClasses].
    let probeShape: number[];
    let dtype: string;
    try {
      [probeShape, dtype] = tf.tidy(() => {
        const out = callModel(loaded, tf.zeros([1, ...inputShape]), false);
        return [out.shape, out.dtype] as [number[], string];
      });
    } catch (err) {
      throw new RsRangeError(
        'RS_INVALID_ARG_VALUE',
        `the model (${label}) failed on an input of shape [1, ${inputShape.join(', ')}]: ${((err as Error).message ?? String(err)).split('\n')[0]}`,
        { cause: err },
      );
    }
    const outShape = declaredOutputShape(loaded);
    let nbClasses = o.nbClasses;
    if (nbClasses === undefined) {
      // From the declared output shape, else from the probe (graph models often leave it unknown).
      const declared = outShape?.length === 1 ? outShape[0] : undefined;
      nbClasses = declared ?? (probeShape.length === 2 && probeShape[1]! >= 2 ? probeShape[1]! : undefined);
      if (nbClasses === undefined) {
        throw new RsRangeError(
          'RS_INVALID_ARG_VALUE',
          `the model's output has shape [${probeShape.join(', ')}] for a batch of 1: expected [batch, nbClasses] logits (give 'nbClasses' if the model declares none)`,
        );
      }
    }
    if (probeShape.length !== 2 || probeShape[0] !== 1 || probeShape[1] !== nbClasses) {
      throw new RsRangeError(
        'RS_INVALID_ARG_VALUE',
        `the model's output has shape [${probeShape.join(', ')}] for a batch of 1: expected [batch, nbClasses] = [1, ${nbClasses}]`,
      );
    }
    if (dtype !== 'float32') throw new RsError('RS_UNSUPPORTED_MODEL', `the model's output has dtype ${dtype}: expected float32 logits`);
    // Probes: a backend may lack a gradient kernel (wasm has no Conv2DBackpropFilter, for one).
    const problems: TfjsClassifierInit['problems'] = {};
    const gradients = probe(backend, () => tf.grad((x: tf.Tensor) => tf.sum(callModel(loaded, x, false)))(tf.zeros([1, ...inputShape])));
    if (gradients) problems.gradients = gradients;
    if (loaded.kind === 'layers') {
      const variables = loaded.model.trainableWeights.map((w) => w.read() as tf.Variable);
      const training = probe(backend, () => tf.variableGrads(() => tf.sum(callModel(loaded, tf.zeros([1, ...inputShape]), true)) as tf.Scalar, variables));
      if (training) problems.training = training;
    }
    return { loaded, backend, inputShape, nbClasses, options: o, ownsModel, label, problems };
  } catch (err) {
    if (ownsModel) loaded.model.dispose();
    throw err;
  }
}

/**
 * A {@link Classifier} backed by a TensorFlow.js model (`tf.LayersModel` or `tf.GraphModel`): the
 * base classifier f of randomized smoothing. Inputs reaching `forward` are flat float32 arrays in the
 * layout of `inputShape` (NHWC images: `[H, W, C]`). Gradients come from `tf.grad`; training,
 * activations and reset need a `tf.LayersModel` (a `tf.GraphModel` has frozen weights). Every tensor
 * a call creates is disposed before it returns.
 *
 * @example
 * const f = await TfjsClassifier.create({ model: 'cnn/model.json', backend: 'wasm' });
 * const logits = await f.forward(x, 20); // 20 x nbClasses
 * f.backend; // { name: 'wasm', deviceType: 'cpu', package: '@tensorflow/tfjs-backend-wasm', fellBack: false }
 * await f.dispose();
 */
export class TfjsClassifier implements Classifier, Refittable<TfjsClassifierInit> {
  /** The schema of {@link TfjsClassifierOptions}. */
  static readonly optionsSchema = tfjsClassifierOptionsSchema;
  readonly inputShape: readonly number[];
  readonly nbClasses: number;
  readonly capabilityNotes: CapabilityNotes;
  /** The TF.js backend this classifier runs on. */
  readonly backend: Readonly<BackendInfo>;
  readonly gradients?: GradientCapability;
  readonly training?: TrainingCapability;
  readonly activations?: ActivationsCapability;
  protected readonly init: TfjsClassifierInit;
  /** The trainer of a layers model (undefined for a graph model). */
  protected readonly trainer: TfjsTrainer | undefined;
  #disposed = false;
  readonly #subModels = new Map<number, tf.LayersModel>();

  /**
   * Chooses the backend, loads the model and checks it.
   *
   * @example
   * const f = await TfjsClassifier.create({ model: tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [4] })] }) });
   */
  static create(options: TfjsClassifierOptions): Promise<TfjsClassifier> {
    return createClassifier(TfjsClassifier, options, 'TfjsClassifier options');
  }

  /**
   * Turns validated options into the constructor's argument: picks the backend, loads the model,
   * probes its output and the gradient / training kernels. `create` calls it.
   *
   * @example
   * const f = new TfjsClassifier(await TfjsClassifier.prepare(TfjsClassifier.optionsSchema.parse({ model: 'cnn/model.json' })));
   */
  static prepare(options: ParsedTfjsClassifierOptions): Promise<TfjsClassifierInit> {
    return prepareTfjsClassifier(options);
  }

  /** Use {@link TfjsClassifier.create}; the constructor takes a prepared model. */
  constructor(init: TfjsClassifierInit) {
    this.init = init;
    this.inputShape = Object.freeze([...init.inputShape]);
    this.nbClasses = init.nbClasses;
    this.backend = Object.freeze({ ...init.backend });
    const layers = init.loaded.kind === 'layers';
    const graphNote = 'a tf.GraphModel has frozen weights and no layers: load or build a tf.LayersModel';
    const gradients = !init.problems.gradients;
    const training = layers && !init.problems.training;
    const notes: { -readonly [K in keyof CapabilityNotes]: CapabilityNotes[K] } = {};
    if (init.problems.gradients) notes.gradients = init.problems.gradients;
    if (!layers) notes.training = notes.activations = graphNote;
    else if (init.problems.training) notes.training = init.problems.training;
    this.capabilityNotes = Object.freeze(notes);
    if (gradients) this.gradients = { vjp: (x, batch, upstream) => this.vjp(x, batch, upstream) };
    if (init.loaded.kind === 'layers') {
      const model = init.loaded.model;
      const trainer = new TfjsTrainer(model, init.nbClasses, this.inputShape, {
        lossObject: init.options.lossObject,
        optimizer: init.options.optimizer,
        trainStep: init.options.trainStep,
      });
      this.trainer = trainer;
      if (training)
        this.training = {
          step: async (x, rows, head, hyper) => {
            await this.activate();
            return trainer.step(x, rows, head, hyper);
          },
          reset: async () => {
            await this.activate();
            trainer.reset();
          },
          // The optimizer built from fit's `optimizer` / `learningRate` lives for one fit call, so no
          // tensor outlives it (Adam's moments restart with the next fit); a user `optimizer` is kept.
          endFit: () => trainer.releaseOptimizer(),
        };
      const names = model.layers.filter((l) => l.getClassName() !== 'InputLayer').map((l) => l.name);
      this.activations = {
        layerNames: Object.freeze(names),
        getActivations: (x, batch, layer) => this.layerActivations(x, batch, layer),
      };
    }
  }

  /** The underlying TF.js model. */
  get model(): tf.LayersModel | tf.GraphModel {
    return this.init.loaded.model;
  }

  /** `'layers'` or `'graph'`. */
  get modelKind(): 'layers' | 'graph' {
    return this.init.loaded.kind;
  }

  /** Makes this classifier's backend the active one; refuses after `dispose`. */
  protected async activate(): Promise<void> {
    if (this.#disposed) throw new RsError('RS_DISPOSED', 'this TfjsClassifier was disposed');
    await activateBackend(this.backend.name);
  }

  /** Reads a tensor into a Float32Array and disposes it. */
  async #read(t: tf.Tensor): Promise<Float32Array> {
    try {
      return (await t.data()) as Float32Array;
    } finally {
      t.dispose();
    }
  }

  /**
   * Logits for `batch` inputs back to back.
   *
   * @example
   * const logits = await f.forward(new Float32Array(2 * 784), 2);
   */
  async forward(x: Float32Array, batch: number): Promise<Float32Array> {
    await this.activate();
    const out = tf.tidy(() => callModel(this.init.loaded, tf.tensor(x, [batch, ...this.inputShape], 'float32'), false));
    return this.#read(out);
  }

  /**
   * `d/dx sum(upstream * logits(x))` by `tf.grad`.
   *
   * @example
   * const g = await f.vjp(x, 2, upstream); // 2 * prod(inputShape)
   */
  async vjp(x: Float32Array, batch: number, upstream: Float32Array): Promise<Float32Array> {
    await this.activate();
    const g = tf.tidy(() => {
      const xs = tf.tensor(x, [batch, ...this.inputShape], 'float32');
      const u = tf.tensor2d(upstream, [batch, this.nbClasses], 'float32');
      return tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(callModel(this.init.loaded, xi, false), u)))(xs);
    });
    return this.#read(g);
  }

  /** Activations of a layer (index into `layerNames`, or name) for a batch. */
  protected async layerActivations(x: Float32Array, batch: number, layer: number | string): Promise<{ data: Float32Array; shape: readonly number[] }> {
    await this.activate();
    const names = this.activations!.layerNames;
    const index = typeof layer === 'number' ? (Number.isInteger(layer) && layer >= 0 && layer < names.length ? layer : -1) : names.indexOf(layer);
    if (index < 0) {
      throw new RsRangeError(
        'RS_INVALID_ARG_VALUE',
        `'layer' ${JSON.stringify(layer)} is not a layer of this model (${names.length} layers: ${names.join(', ')})`,
      );
    }
    const model = this.init.loaded.model as tf.LayersModel;
    let sub = this.#subModels.get(index);
    if (!sub) {
      const output = model.getLayer(names[index]!).output;
      sub = tf.model({ inputs: model.inputs, outputs: Array.isArray(output) ? output[0]! : output });
      this.#subModels.set(index, sub);
    }
    const out = tf.tidy(() => sub.apply(tf.tensor(x, [batch, ...this.inputShape], 'float32'), { training: false }) as tf.Tensor);
    const shape = out.shape.slice(1);
    return { data: await this.#read(out), shape };
  }

  /**
   * Writes model.json + weights (a path ending in .json, or a directory), without tfjs-node.
   *
   * @example
   * await f.save('trained/model.json');
   */
  async save(path: string): Promise<void> {
    await this.activate();
    await this.init.loaded.model.save(fileSystemIOHandler(path));
  }

  /** A prepared twin: same architecture, backend and options, its own copy of the weights (reset by `cloneForRefitting`). */
  async prepareClone(): Promise<TfjsClassifierInit> {
    await this.activate();
    if (this.init.loaded.kind !== 'layers') throw new RsError('RS_UNSUPPORTED_MODEL', 'cloning needs a tf.LayersModel');
    let artifacts: tf.io.ModelArtifacts | undefined;
    await this.init.loaded.model.save(
      tf.io.withSaveHandler(async (a) => {
        artifacts = a;
        return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
      }),
    );
    const copy = await tf.loadLayersModel(tf.io.fromMemory(artifacts!));
    const init = await prepareTfjsClassifier({ ...this.init.options, model: copy, inputShape: [...this.inputShape], nbClasses: this.nbClasses });
    return { ...init, ownsModel: true, label: `${this.init.label} (clone)` };
  }

  /** Disposes the model (when it was loaded from a path) and the optimizer state; idempotent. */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    this.trainer?.releaseOptimizer();
    // Sub-models share the model's weights: dropping them is enough.
    this.#subModels.clear();
    if (this.init.ownsModel) this.init.loaded.model.dispose();
  }
}
