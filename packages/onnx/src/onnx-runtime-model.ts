import { writeFile, rename } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import {
  buildGradientModel,
  checkSupported,
  getInitializers,
  layerNames,
  loadModel,
  replaceInitializers,
  withIntermediateOutputs,
  type GradientModel,
  type Model,
} from '@rs/onnx-graph';
import { NOISE_STREAM, philoxUniformSource, type LossHead, type TrainingHyperParameters, RsError, RsRangeError } from '@rs/core';
import { createOptimizer, type Optimizer } from './optimizers.js';
import { createSession, type SessionSettings } from './session.js';
import { initialWeights } from '@rs/onnx-graph';
import { withWeightInputs } from './weight-inputs.js';

/**
 * An ONNX model with mutable weights and the ONNX Runtime sessions that run it: forward, the VJP
 * (input gradients) and the training step (the weight gradient of the logits with core's loss
 * gradient as the upstream), all built lazily from the graph by `@rs/onnx-graph`'s autodiff, plus
 * one session per layer asked for activations. Sessions baked with weights are rebuilt after the
 * weights change; during a fit, forward and the VJP run on twins that take the weights as feeds
 * (the attacks of SmoothAdv / SmoothMix call them between steps), and the baked sessions are
 * rebuilt once the fit ends.
 */
export class OnnxRuntimeModel {
  readonly ir: Model;
  /** Why gradients are unavailable (an op outside the supported set), or undefined. */
  readonly gradientProblem: string | undefined;
  #weights: Map<string, Float32Array> | undefined;
  #version = 0;
  #forward: { session: ort.InferenceSession; version: number };
  #vjp: { session: ort.InferenceSession; model: GradientModel; version: number } | undefined;
  #train: TrainState | undefined;
  /** Forward and VJP sessions that take the trainable weights as feeds (used while a fit runs). */
  #fed: FedSessions | undefined;
  /** True from the first training step until `endFit`. */
  #fitting = false;
  /** Dims of every initializer, by name. */
  #dims = new Map<string, number[]>();
  #layers = new Map<string, { session: ort.InferenceSession; version: number }>();
  #optimizer: Optimizer | undefined;
  #released = false;

  constructor(
    readonly bytes: Uint8Array,
    readonly label: string,
    readonly settings: SessionSettings,
    readonly inputName: string,
    readonly outputName: string,
    readonly inputShape: readonly number[],
    forward: ort.InferenceSession,
    /** The shape of one output when it is not `[nbClasses]` (output 'any'). */
    readonly outputShape?: readonly number[],
  ) {
    this.#forward = { session: forward, version: 0 };
    this.ir = loadModel(bytes);
    let problem: string | undefined;
    try {
      checkSupported(this.ir);
    } catch (err) {
      problem = (err as Error).message;
    }
    this.gradientProblem = problem;
  }

  #assertLive(): void {
    if (this.#released) throw new RsError('RS_DISPOSED', 'this ONNX classifier was disposed');
  }

  /** The bytes of the model with the current weights. */
  currentBytes(): Uint8Array {
    return this.#weights && this.#version > 0 ? replaceInitializers(this.bytes, this.#weights) : this.bytes;
  }

  async #session(bytes: Uint8Array): Promise<ort.InferenceSession> {
    return (await createSession(bytes, this.label, { ...this.settings, gpuFallback: 'cpu', onWarning: () => undefined })).session;
  }

  #inputTensor(x: Float32Array, batch: number): ort.Tensor {
    return new ort.Tensor('float32', x, [batch, ...this.inputShape]);
  }

  /** Logits with the current weights. */
  async forward(x: Float32Array, batch: number): Promise<Float32Array> {
    this.#assertLive();
    if (this.#fitting && this.#forward.version !== this.#version) return this.#fedForward(x, batch);
    if (this.#forward.version !== this.#version) {
      const old = this.#forward.session;
      this.#forward = { session: await this.#session(this.currentBytes()), version: this.#version };
      await old.release();
    }
    const out = (await this.#forward.session.run({ [this.inputName]: this.#inputTensor(x, batch) }, [this.outputName]))[this.outputName]!;
    return toFloat32(out.data);
  }

  /** `d/dx sum(upstream * logits(x))`. */
  async vjp(x: Float32Array, batch: number, upstream: Float32Array): Promise<Float32Array> {
    this.#assertLive();
    if (this.#fitting && this.#vjp?.version !== this.#version) return this.#fedVjp(x, batch, upstream);
    if (!this.#vjp || this.#vjp.version !== this.#version) {
      const model = buildGradientModel(this.currentBytes(), { output: this.outputName, wrt: [this.inputName] });
      await this.#vjp?.session.release();
      this.#vjp = { session: await this.#session(model.bytes), model, version: this.#version };
    }
    const { session, model } = this.#vjp;
    const outDims = this.outputShape ?? [upstream.length / batch];
    const gradName = model.inputGradients[this.inputName]!;
    const out = await session.run(
      { [this.inputName]: this.#inputTensor(x, batch), [model.seedInput!]: new ort.Tensor('float32', upstream, [batch, ...outDims]) },
      [gradName],
    );
    return toFloat32(out[gradName]!.data);
  }

  /** The trainable weights (initializers the training graph differentiates), current values. */
  async weights(): Promise<Map<string, Float32Array>> {
    await this.#trainSession();
    return this.#weights!;
  }

  async #trainSession(): Promise<TrainState> {
    if (!this.#train) {
      const model = buildGradientModel(this.bytes, { output: this.outputName, wrt: [], weights: true });
      const all = getInitializers(this.bytes);
      for (const [name, t] of all) this.#dims.set(name, t.dims);
      this.#weights ??= new Map(model.weightInputs.map((name) => [name, Float32Array.from(all.get(name)!.data)]));
      this.#train = { session: await this.#session(model.bytes), model };
    }
    return this.#train;
  }

  #weightFeeds(): Record<string, ort.Tensor> {
    const feeds: Record<string, ort.Tensor> = {};
    for (const [name, w] of this.#weights!) feeds[name] = new ort.Tensor('float32', w, this.#dims.get(name)!);
    return feeds;
  }

  async #fedSessions(): Promise<FedSessions> {
    if (!this.#fed) {
      const { model } = await this.#trainSession();
      this.#fed = { forward: await this.#session(withWeightInputs(this.ir, model.weightInputs)), vjp: undefined, vjpModel: undefined };
    }
    return this.#fed;
  }

  async #fedForward(x: Float32Array, batch: number): Promise<Float32Array> {
    const fed = await this.#fedSessions();
    const out = await fed.forward.run({ [this.inputName]: this.#inputTensor(x, batch), ...this.#weightFeeds() }, [this.outputName]);
    return toFloat32(out[this.outputName]!.data);
  }

  async #fedVjp(x: Float32Array, batch: number, upstream: Float32Array): Promise<Float32Array> {
    const fed = await this.#fedSessions();
    if (!fed.vjp) {
      const model = buildGradientModel(this.bytes, { output: this.outputName, wrt: [this.inputName] });
      fed.vjp = await this.#session(withWeightInputs(model.model, this.#train!.model.weightInputs));
      fed.vjpModel = model;
    }
    const model = fed.vjpModel!;
    const gradName = model.inputGradients[this.inputName]!;
    const feeds = {
      [this.inputName]: this.#inputTensor(x, batch),
      [model.seedInput!]: new ort.Tensor('float32', upstream, [batch, upstream.length / batch]),
      ...this.#weightFeeds(),
    };
    const out = await fed.vjp.run(feeds, [gradName]);
    return toFloat32(out[gradName]!.data);
  }

  /**
   * One optimizer step with core's loss head: the logits of `rows` inputs with the current weights
   * (with output 'any', the outputs, e.g. a denoiser's images), `head.evaluate` on them, then the
   * weight gradients of `sum(gradient * logits)` from the gradient model and an SGD / Adam update. Resolves to the head's loss (before the step).
   */
  async step(x: Float32Array, rows: number, head: LossHead, hyper: TrainingHyperParameters): Promise<number> {
    this.#assertLive();
    const { session, model } = await this.#trainSession();
    this.#fitting = true;
    const logits = await this.forward(x, rows); // the baked session while the weights are its own, else the fed one
    const { loss, gradient } = head.evaluate(logits, rows);
    const outDims = this.outputShape ?? [gradient.length / rows];
    const feeds = {
      [this.inputName]: this.#inputTensor(x, rows),
      [model.seedInput!]: new ort.Tensor('float32', gradient, [rows, ...outDims]),
      ...this.#weightFeeds(),
    };
    const out = await session.run(feeds, Object.values(model.weightGradients));
    const grads = new Map<string, Float32Array>();
    for (const [name, gradName] of Object.entries(model.weightGradients)) grads.set(name, toFloat32(out[gradName]!.data));
    if (this.#optimizer?.kind !== hyper.optimizer) this.#optimizer = createOptimizer(hyper.optimizer);
    this.#optimizer.step(this.#weights!, grads, hyper.learningRate);
    this.#version++;
    return loss;
  }

  /** The end of a fit: forward and the VJP go back to sessions with baked weights (rebuilt on their next call). */
  endFit(): void {
    this.#fitting = false;
  }

  /** Re-initializes the trainable weights (PyTorch's default scheme, Philox-seeded) and drops optimizer state. */
  async reset(seed = 0n): Promise<void> {
    this.#assertLive();
    await this.#trainSession();
    this.#weights = initialWeights(this.ir, this.#weights!, philoxUniformSource(seed, NOISE_STREAM.onnxWeightInit));
    this.#optimizer = undefined;
    this.#version++;
  }

  /** Layer names (first output of each computing node, topological order). */
  get layerNames(): string[] {
    return layerNames(this.ir);
  }

  /** Activations of one layer for a batch. */
  async activations(x: Float32Array, batch: number, layer: number | string): Promise<{ data: Float32Array; shape: readonly number[] }> {
    this.#assertLive();
    const names = this.layerNames;
    const name = typeof layer === 'number' ? names[layer] : layer;
    if (name === undefined || !names.includes(name)) {
      throw new RsRangeError(
        'RS_INVALID_ARG_VALUE',
        `'layer' ${JSON.stringify(layer)} is not a layer of this model: give an index in [0, ${names.length - 1}] or one of ${names.slice(0, 8).join(', ')}${names.length > 8 ? ', ...' : ''}`,
      );
    }
    let entry = this.#layers.get(name);
    if (!entry || entry.version !== this.#version) {
      await entry?.session.release();
      entry = { session: await this.#session(withIntermediateOutputs(this.currentBytes(), [name])), version: this.#version };
      this.#layers.set(name, entry);
    }
    const out = (await entry.session.run({ [this.inputName]: this.#inputTensor(x, batch) }, [name]))[name]!;
    return { data: toFloat32(out.data), shape: out.dims.slice(1) };
  }

  /** Writes the model with the current weights to `path` atomically (temporary file, then rename). */
  async save(path: string): Promise<void> {
    const tmp = `${path}.tmp-${process.pid}`;
    await writeFile(tmp, this.currentBytes());
    await rename(tmp, path);
  }

  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    const sessions = [
      this.#forward.session,
      this.#vjp?.session,
      this.#train?.session,
      this.#fed?.forward,
      this.#fed?.vjp,
      ...[...this.#layers.values()].map((l) => l.session),
    ];
    await Promise.all(sessions.map((s) => s?.release()));
  }
}

interface FedSessions {
  forward: ort.InferenceSession;
  vjp: ort.InferenceSession | undefined;
  vjpModel: GradientModel | undefined;
}

interface TrainState {
  session: ort.InferenceSession;
  model: GradientModel;
}

function toFloat32(data: ort.Tensor['data']): Float32Array {
  return data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>);
}
