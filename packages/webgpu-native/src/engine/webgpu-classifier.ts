/// <reference types="@webgpu/types" />
import {
  NOISE_FAMILIES,
  type ActivationsCapability,
  type CapabilityNotes,
  type Classifier,
  createClassifier,
  type DeviceSamplingCapability,
  type GradientCapability,
  type Refittable,
  type SaveCapability,
  type TrainingCapability,
  RsError,
  RsRangeError,
} from '@rs/core';
import { layerNames as graphLayerNames } from '@rs/onnx-graph';
import { type ParsedWebGpuClassifierOptions, webGpuClassifierOptionsSchema, type WebGpuClassifierOptions } from './create-options.js';
import { countOnGpu } from './device-sampler.js';
import { getGpuEnvironment, type GpuEnvironment } from './environment.js';
import { WeightStore } from './executable.js';
import { openGpuDevice, type AdapterReport, type GpuDevice } from './gpu-device.js';
import { analyzeGradients, GpuGradients, type GradientSupport } from './gradients.js';
import { prepareModel } from './prepared-model.js';
import { Serial, WebGpuEngine } from './webgpu-engine.js';

/** Everything a {@link WebGpuClassifier} is made of, prepared by {@link prepareWebGpuClassifier}. */
export interface WebGpuClassifierInit {
  options: ParsedWebGpuClassifierOptions;
  bytes: Uint8Array;
  dev: GpuDevice;
  engine: WebGpuEngine;
  inputShape: readonly number[];
  nbClasses: number;
  env: GpuEnvironment;
  /** The gradient models the engine can run (or why not). */
  support: GradientSupport;
  /** Gradients and training on the device, sharing the forward engine's weights. */
  gradients: GpuGradients;
}

/**
 * Reads the model (options already validated), opens a WebGPU device and compiles the model for
 * it (the probe: every op, attribute and shape is checked; the output must be [batch, nbClasses]).
 */
async function prepareWebGpuClassifier(o: ParsedWebGpuClassifierOptions): Promise<WebGpuClassifierInit> {
  const env = getGpuEnvironment();
  let bytes: Uint8Array;
  if (typeof o.model === 'string') bytes = await env.readModel(o.model);
  else bytes = o.model instanceof Uint8Array ? o.model : new Uint8Array(o.model);
  if (bytes.length === 0) throw new RsError('RS_MALFORMED_FILE', 'not a valid ONNX model: the file is empty');
  let prepared = prepareModel(bytes, { inputName: o.inputName, outputName: o.outputName });
  const declared = prepared.declaredInput.slice(1);
  let inputShape: readonly number[];
  if (o.inputShape) {
    if (declared.length && (declared.length !== o.inputShape.length || declared.some((d, i) => typeof d === 'number' && d !== o.inputShape![i]))) {
      throw new RsRangeError(
        'RS_INVALID_ARG_VALUE',
        `'inputShape' [${o.inputShape.join(', ')}] does not match the model's input '${prepared.inputName}' [${prepared.declaredInput.join(', ')}] (batch dimension first)`,
      );
    }
    inputShape = [...o.inputShape];
  } else {
    if (!declared.length || declared.some((d) => typeof d !== 'number')) {
      throw new RsRangeError(
        'RS_INVALID_ARG_VALUE',
        `the model's input '${prepared.inputName}' has shape [${prepared.declaredInput.join(', ')}]: give 'inputShape' (without the batch dimension)`,
      );
    }
    inputShape = declared as number[];
  }
  const support = analyzeGradients(prepared, inputShape);
  const trainable = new Set(support.train.ok ? support.train.names : []);
  // Trainable weights change on the device: the forward lowering must not fold their host values.
  if (trainable.size > 0) prepared = prepareModel(bytes, { inputName: o.inputName, outputName: o.outputName, mutable: trainable });
  const gpu = (o.gpu as GPU | undefined) ?? (await env.gpu());
  const dev = await openGpuDevice(gpu, { powerPreference: o.powerPreference, forceFallbackAdapter: o.forceFallbackAdapter });
  try {
    const params = new WeightStore(dev);
    const serial = new Serial();
    const engine = await WebGpuEngine.create(dev, prepared, inputShape, {
      memoryBudget: o.memoryBudget,
      sharedWeights: { store: params, names: trainable },
      serial,
    });
    const out = engine.outputShape;
    const nbClasses = o.nbClasses ?? out[0];
    if (out.length !== 1 || out[0] !== nbClasses) {
      await engine.destroy();
      throw new RsRangeError(
        'RS_INVALID_ARG_VALUE',
        `the model's output '${prepared.outputName}' has shape [batch, ${out.join(', ')}]: expected [batch, nbClasses]${o.nbClasses ? ` = [batch, ${o.nbClasses}]` : ''}`,
      );
    }
    const gradients = new GpuGradients(dev, engine, support, params, serial, { memoryBudget: o.memoryBudget });
    return { options: o, bytes, dev, engine, inputShape, nbClasses: nbClasses!, env, support, gradients };
  } catch (err) {
    dev.destroy();
    throw err;
  }
}

/**
 * A {@link Classifier} whose model runs as WGSL compute kernels on a WebGPU device, with the
 * whole Monte Carlo loop of randomized smoothing on the device (the `deviceSampling`
 * capability): Philox noise, add / clip / preprocessing, forward, argmax and atomic counting;
 * only the counts come back. `forward` returns logits to the host. Gradients (`vjp`) and training
 * (`step` with core's loss heads, SGD / Adam in WGSL, `reset`, `cloneForRefitting`) run `@rs/onnx-graph`'s
 * gradient models through the same WGSL executor, on the same device-resident weights; a model
 * whose gradient models use an op the engine lacks declares them false (see `capabilityNotes`).
 * `dispose()` destroys the device so Node can exit.
 *
 * @example
 * const f = await WebGpuClassifier.create({ model: 'model.onnx' });
 * f.adapter.name; // 'google/swiftshader'
 * const logits = await f.forward(x, 20);
 * await f.dispose();
 */
export class WebGpuClassifier implements Classifier, Refittable<WebGpuClassifierInit> {
  /** The schema of {@link WebGpuClassifierOptions}. */
  static readonly optionsSchema = webGpuClassifierOptionsSchema;
  readonly inputShape: readonly number[];
  readonly nbClasses: number;
  readonly capabilityNotes: CapabilityNotes;
  /** The adapter in use: vendor, architecture, description, fallback or not. */
  readonly adapter: AdapterReport;
  /** Largest batch one device pass holds (device binding limit and memory budget). */
  readonly maxBatchSize: number;
  readonly deviceSampling: DeviceSamplingCapability;
  readonly activations: ActivationsCapability;
  readonly gradients?: GradientCapability;
  readonly training?: TrainingCapability;
  /** Writes the model with its current weights as .onnx (absent where the environment has no file system). */
  readonly save?: SaveCapability;
  protected readonly init: WebGpuClassifierInit;
  #disposed = false;

  /**
   * Creates a classifier from a model path or bytes on the environment's GPU (Dawn for Node, or navigator.gpu).
   *
   * @example
   * const f = await WebGpuClassifier.create({ model: bytes, powerPreference: 'high-performance' });
   */
  static create(options: WebGpuClassifierOptions): Promise<WebGpuClassifier> {
    return createClassifier(WebGpuClassifier, options, 'WebGpuClassifier options');
  }

  /**
   * Turns validated options into the constructor's argument: reads the model, opens the device,
   * compiles the model. `create` calls it; so does `cloneForRefitting`.
   *
   * @example
   * const f = new WebGpuClassifier(await WebGpuClassifier.prepare(WebGpuClassifier.optionsSchema.parse({ model: 'model.onnx' })));
   */
  static prepare(options: ParsedWebGpuClassifierOptions): Promise<WebGpuClassifierInit> {
    return prepareWebGpuClassifier(options);
  }

  /** Use {@link WebGpuClassifier.create}; the constructor takes a prepared device and engine. */
  constructor(init: WebGpuClassifierInit) {
    this.init = init;
    this.inputShape = Object.freeze([...init.inputShape]);
    this.nbClasses = init.nbClasses;
    this.adapter = init.dev.adapter;
    this.maxBatchSize = init.engine.maxBatch;
    const canSave = Boolean(init.env.writeFile);
    const { support, gradients } = init;
    this.capabilityNotes = {
      ...(support.vjp.ok ? {} : { gradients: support.vjp.problem }),
      ...(support.train.ok ? {} : { training: support.train.problem }),
      ...(canSave ? {} : { save: 'no file system in this environment' }),
    };
    const engine = init.engine;
    if (support.vjp.ok) this.gradients = { vjp: (x, batch, upstream) => gradients.vjp(x, batch, upstream) };
    if (support.train.ok) {
      this.training = {
        step: (x, rows, head, hyper) => gradients.step(x, rows, head, hyper),
        reset: () => gradients.reset(engine.prepared.model),
      };
    }
    this.deviceSampling = { defenceKinds: ['step'], countPredictions: (req) => countOnGpu(engine, init.nbClasses, req), families: NOISE_FAMILIES };
    const names = graphLayerNames(engine.prepared.model);
    this.activations = {
      layerNames: names,
      getActivations: async (x, batch, layer) => {
        const name = typeof layer === 'number' ? names[layer] : layer;
        if (name === undefined || !names.includes(name)) {
          throw new RsRangeError(
            'RS_INVALID_ARG_VALUE',
            `'layer' ${JSON.stringify(layer)} is not a layer of this model: give an index in [0, ${names.length - 1}] or one of ${names.slice(0, 8).join(', ')}${names.length > 8 ? ', ...' : ''}`,
          );
        }
        return engine.forward(x, batch, name);
      },
    };
    if (canSave) this.save = async (path) => init.env.writeFile!(path, await gradients.currentBytes(init.bytes));
  }

  /** The WebGPU device (for diagnostics; the classifier owns it). */
  get device(): GPUDevice {
    return this.init.dev.device;
  }

  /**
   * Logits for `batch` inputs back to back (float32), computed on the device.
   *
   * @example
   * const logits = await f.forward(new Float32Array(2 * 784), 2);
   */
  async forward(x: Float32Array, batch: number): Promise<Float32Array> {
    return (await this.init.engine.forward(x, batch)).data;
  }

  /** A prepared twin: the same model bytes and options on a device of its own (weights reset by `cloneForRefitting`). */
  prepareClone(): Promise<WebGpuClassifierInit> {
    return prepareWebGpuClassifier({ ...this.init.options, model: this.init.bytes });
  }

  /** Frees the device buffers and destroys the device (so Node can exit); idempotent. */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    try {
      await this.init.gradients.destroy();
      await this.init.engine.destroy();
    } finally {
      this.init.dev.destroy();
    }
  }
}
