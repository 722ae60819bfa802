import * as ort from 'onnxruntime-node';
import {
  type ActivationsCapability,
  type CapabilityNotes,
  type Classifier,
  createClassifier,
  type GradientCapability,
  type HostSamplingPlan,
  type Refittable,
  type TrainingCapability,
  RsError,
  RsRangeError,
} from '@rs/core';
import { onnxClassifierOptionsSchema, type OnnxClassifierOptions, type ParsedOnnxClassifierOptions } from './create-options.js';
import { readModelSource, type ModelSource } from './model-source.js';
import { onnxHostSampling } from './host-sampling.js';
import { OnnxRuntimeModel } from './onnx-runtime-model.js';
import { createSession, type DeviceInfo, type SessionSettings } from './session.js';

/** Everything an {@link OnnxClassifier} is made of, prepared by `prepareOnnxClassifier`. */
export interface OnnxClassifierInit {
  source: ModelSource;
  session: ort.InferenceSession;
  settings: SessionSettings;
  /** The validated options (to clone the classifier). */
  options: ParsedOnnxClassifierOptions;
  device: DeviceInfo;
  inputName: string;
  outputName: string;
  inputShape: readonly number[];
  nbClasses: number;
  /** With `output: 'any'`: the shape of one output (no batch dimension). */
  outputShape: readonly number[] | undefined;
  /** A fixed batch size the model was exported with (then every call is split to it), or undefined. */
  fixedBatch: number | undefined;
  /** The model with its weights and sessions. */
  model: OnnxRuntimeModel;
}

function dimsOf(meta: ort.InferenceSession.ValueMetadata | undefined): ReadonlyArray<number | string> | undefined {
  return meta?.isTensor ? meta.shape : undefined;
}

/**
 * Loads the model into ONNX Runtime (options already validated) and works out its input/output
 * contract: input/output names, `inputShape` and `nbClasses` (from the model, or checked against
 * it), and a probe run that verifies the output really is `[batch, nbClasses]`.
 */
async function prepareOnnxClassifier(o: ParsedOnnxClassifierOptions): Promise<OnnxClassifierInit> {
  const source = await readModelSource(o.model);
  const { session, device } = await createSession(source.bytes, source.label, o);
  try {
    const inputName = o.inputName ?? session.inputNames[0];
    const outputName = o.outputName ?? session.outputNames[0];
    if (!inputName || !session.inputNames.includes(inputName))
      throw new RsRangeError(
        'RS_INVALID_ARG_VALUE',
        `'inputName' ${JSON.stringify(inputName)} is not an input of the model (inputs: ${session.inputNames.join(', ')})`,
      );
    if (!outputName || !session.outputNames.includes(outputName))
      throw new RsRangeError(
        'RS_INVALID_ARG_VALUE',
        `'outputName' ${JSON.stringify(outputName)} is not an output of the model (outputs: ${session.outputNames.join(', ')})`,
      );
    const inMeta = session.inputMetadata[session.inputNames.indexOf(inputName)];
    if (inMeta?.isTensor && inMeta.type !== 'float32')
      throw new RsError('RS_UNSUPPORTED_MODEL', `model input '${inputName}' has type ${inMeta.type}: only float32 inputs are supported`);
    const inDims = dimsOf(inMeta);
    const modelShape = inDims && inDims.length >= 2 ? inDims.slice(1) : undefined;
    const fixedBatch = inDims && typeof inDims[0] === 'number' ? inDims[0] : undefined;
    let inputShape: readonly number[];
    if (o.inputShape) {
      if (modelShape && (modelShape.length !== o.inputShape.length || modelShape.some((d, i) => typeof d === 'number' && d !== o.inputShape![i]))) {
        throw new RsRangeError(
          'RS_INVALID_ARG_VALUE',
          `'inputShape' [${o.inputShape.join(', ')}] does not match the model's input '${inputName}' [${inDims!.join(', ')}] (batch dimension first)`,
        );
      }
      inputShape = [...o.inputShape];
    } else {
      if (!modelShape || modelShape.some((d) => typeof d !== 'number')) {
        throw new RsRangeError(
          'RS_INVALID_ARG_VALUE',
          `the model's input '${inputName}' has shape [${inDims?.join(', ') ?? 'unknown'}]: give 'inputShape' (without the batch dimension)`,
        );
      }
      inputShape = modelShape as number[];
    }
    const outDims = dimsOf(session.outputMetadata[session.outputNames.indexOf(outputName)]);
    const anyOutput = o.output === 'any';
    let nbClasses = o.nbClasses;
    if (nbClasses === undefined && !anyOutput) {
      const last = outDims?.[outDims.length - 1];
      if (outDims?.length !== 2 || typeof last !== 'number') {
        throw new RsRangeError('RS_INVALID_ARG_VALUE', `the model's output '${outputName}' has shape [${outDims?.join(', ') ?? 'unknown'}]: give 'nbClasses'`);
      }
      nbClasses = last;
    }
    // Probe: one input of zeros must give exactly [batch, nbClasses] float logits (or, with output 'any', [batch, ...]).
    const probeBatch = fixedBatch ?? 1;
    let out: ort.Tensor;
    try {
      const probe = await session.run(
        { [inputName]: new ort.Tensor('float32', new Float32Array(probeBatch * inputShape.reduce((a, b) => a * b, 1)), [probeBatch, ...inputShape]) },
        [outputName],
      );
      out = probe[outputName] as ort.Tensor;
    } catch (err) {
      throw new RsRangeError(
        'RS_INVALID_ARG_VALUE',
        `the model (${source.label}) failed on an input of shape [${probeBatch}, ${inputShape.join(', ')}]: ${(err as Error).message.split('\n')[0]}`,
        { cause: err },
      );
    }
    let outputShape: number[] | undefined;
    if (anyOutput) {
      outputShape = out.dims.slice(1).map(Number);
      const perInput = outputShape.reduce((a, b) => a * b, 1);
      if (out.dims.length < 2 || out.dims[0] !== probeBatch || perInput < 2) {
        throw new RsRangeError(
          'RS_INVALID_ARG_VALUE',
          `the model's output '${outputName}' has shape [${out.dims.join(', ')}] for a batch of ${probeBatch}: expected [batch, ...] with at least 2 values per input`,
        );
      }
      if (nbClasses !== undefined && nbClasses !== perInput) {
        throw new RsRangeError(
          'RS_INVALID_ARG_VALUE',
          `'nbClasses' ${nbClasses} does not match the ${perInput} values per input of the model's output [batch, ${outputShape.join(', ')}]`,
        );
      }
      nbClasses = perInput;
    } else if (out.dims.length !== 2 || out.dims[0] !== probeBatch || out.dims[1] !== nbClasses) {
      throw new RsRangeError(
        'RS_INVALID_ARG_VALUE',
        `the model's output '${outputName}' has shape [${out.dims.join(', ')}] for a batch of ${probeBatch}: expected [batch, nbClasses] = [${probeBatch}, ${nbClasses}]`,
      );
    }
    if (!['float32', 'float64', 'float16'].includes(out.type))
      throw new RsError('RS_UNSUPPORTED_MODEL', `the model's output '${outputName}' has type ${out.type}: expected float ${anyOutput ? 'values' : 'logits'}`);
    const settings: SessionSettings = {
      deviceType: device.provider === 'cuda' ? 'gpu' : 'cpu',
      gpuFallback: o.gpuFallback,
      deviceId: o.deviceId,
      intraOpNumThreads: o.intraOpNumThreads,
      interOpNumThreads: o.interOpNumThreads,
      intraOpSpinning: o.intraOpSpinning,
      onWarning: o.onWarning,
    };
    const model = new OnnxRuntimeModel(source.bytes, source.label, settings, inputName, outputName, inputShape, session, outputShape);
    if (o.requireGradients && model.gradientProblem) {
      throw new RsError('RS_UNSUPPORTED_MODEL', `the model (${source.label}) cannot be differentiated: ${model.gradientProblem}`);
    }
    return { source, session, settings, options: o, device, inputName, outputName, inputShape, nbClasses: nbClasses!, outputShape, fixedBatch, model };
  } catch (err) {
    await session.release();
    throw err;
  }
}

/**
 * A {@link Classifier} backed by an ONNX Runtime session (onnxruntime-node): the base classifier f
 * of randomized smoothing. Create it with {@link OnnxClassifier.create}; smooth it with `@rs/core`'s
 * `smooth()`, or use `OnnxRandomizedSmoothing` (the mixin applied).
 *
 * @example
 * const f = await OnnxClassifier.create({ model: 'model.onnx', intraOpNumThreads: 2 });
 * const logits = await f.forward(x, 20); // 20 x nbClasses
 * await f.dispose();
 */
export class OnnxClassifier implements Classifier, Refittable<OnnxClassifierInit> {
  /** The schema of {@link OnnxClassifierOptions}. */
  static readonly optionsSchema = onnxClassifierOptionsSchema;
  readonly inputShape: readonly number[];
  readonly nbClasses: number;
  /** With `output: 'any'` (an image-to-image model): the shape of one output; `nbClasses` is its size. */
  readonly outputShape?: readonly number[];
  /** The device the session runs on. */
  readonly device: DeviceInfo;
  /** SHA-256 of the model bytes. */
  readonly modelSha256: string;
  readonly maxBatchSize: number | undefined;
  /** Why a capability is absent (e.g. the op outside the differentiable set that blocks gradients). */
  readonly capabilityNotes: CapabilityNotes;
  readonly gradients?: GradientCapability;
  readonly training?: TrainingCapability;
  readonly activations: ActivationsCapability;
  /** How core draws the noisy copies for this session (see `host-sampling.ts`). */
  readonly hostSampling: HostSamplingPlan;
  protected readonly init: OnnxClassifierInit;
  #released = false;
  readonly #disposeNoise: () => void;

  /**
   * Creates an ONNX classifier from a model path or bytes.
   *
   * @example
   * const f = await OnnxClassifier.create({ model: 'model.onnx', deviceType: 'gpu', gpuFallback: 'cpu' });
   */
  static create(options: OnnxClassifierOptions): Promise<OnnxClassifier> {
    return createClassifier(OnnxClassifier, options, 'OnnxClassifier options');
  }

  /**
   * Turns validated options into the constructor's argument: reads the model, opens the session,
   * checks the input/output contract with a probe run. `create` calls it; so does `cloneForRefitting`.
   *
   * @example
   * const f = new OnnxClassifier(await OnnxClassifier.prepare(OnnxClassifier.optionsSchema.parse({ model: 'model.onnx' })));
   */
  static prepare(options: ParsedOnnxClassifierOptions): Promise<OnnxClassifierInit> {
    return prepareOnnxClassifier(options);
  }

  /** Use {@link OnnxClassifier.create}; the constructor takes a prepared session. */
  constructor(init: OnnxClassifierInit) {
    this.init = init;
    this.inputShape = Object.freeze([...init.inputShape]);
    this.nbClasses = init.nbClasses;
    this.device = init.device;
    this.modelSha256 = init.source.sha256;
    this.maxBatchSize = init.fixedBatch;
    const model = init.model;
    const problem = model.gradientProblem;
    const anyOutput = init.outputShape !== undefined;
    if (anyOutput) this.outputShape = Object.freeze([...init.outputShape!]);
    const notes: Record<string, string> = problem === undefined ? {} : { gradients: problem, training: problem };
    this.capabilityNotes = Object.freeze(notes);
    if (problem === undefined) {
      this.gradients = { vjp: (x, batch, upstream) => model.vjp(x, batch, upstream) };
    }
    if (problem === undefined) {
      // With output 'any' the loss head sees the model's outputs (e.g. core's trainDenoiser heads).
      this.training = {
        step: (x, rows, head, hyper) => model.step(x, rows, head, hyper),
        reset: () => model.reset(),
        endFit: () => model.endFit(),
      };
    }
    this.activations = {
      get layerNames() {
        return model.layerNames;
      },
      getActivations: (x, batch, layer) => model.activations(x, batch, layer),
    };
    const { plan, generator } = onnxHostSampling({
      deviceType: init.settings.deviceType,
      intraOpNumThreads: init.options.intraOpNumThreads,
      noiseThreads: init.options.noiseThreads ?? 'auto',
    });
    this.hostSampling = plan;
    this.#disposeNoise = () => generator?.dispose();
  }

  /** Input and output names in use. */
  get names(): { input: string; output: string } {
    return { input: this.init.inputName, output: this.init.outputName };
  }

  /**
   * Logits for `batch` inputs back to back (float32), as ONNX Runtime computes them.
   *
   * @example
   * const logits = await f.forward(new Float32Array(2 * 784), 2);
   */
  forward(x: Float32Array, batch: number): Promise<Float32Array> {
    return this.init.model.forward(x, batch);
  }

  /**
   * Writes the model with its current (possibly trained) weights as a valid .onnx file (atomically).
   *
   * @example
   * await f.save('trained.onnx');
   */
  save(path: string): Promise<void> {
    return this.init.model.save(path);
  }

  /** A prepared twin: the same model bytes, options and device, its own session (weights reset by `cloneForRefitting`). */
  prepareClone(): Promise<OnnxClassifierInit> {
    return prepareOnnxClassifier({ ...this.init.options, model: this.init.source.bytes });
  }

  /** Releases every ONNX Runtime session; idempotent. */
  async dispose(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    this.#disposeNoise();
    await this.init.model.release();
  }
}
