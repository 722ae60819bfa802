/// <reference types="@webgpu/types" preserve="true" />
import { NOISE_STREAM, philoxUniformSource, type LossHead, type TrainingHyperParameters, RsError } from '@rs/core';
import { buildGradientModel, replaceInitializers, type Model, type Tensor } from '@rs/onnx-graph';
import type { WeightStore } from './executable.js';
import type { GpuDevice } from './gpu-device.js';
import { planGraph } from './graph-plan.js';
import { elementwiseKernel, f32, numel } from './kernels/wgsl.js';
import { prepareModel, type PreparedModel } from './prepared-model.js';
import { WebGpuEngine, type Serial } from './webgpu-engine.js';
import { initialWeights } from '@rs/onnx-graph';

/**
 * Which gradient models of a forward model the WGSL engine can run: the VJP model (input
 * gradients) and the weight-gradient model (training: the upstream gradient of the logits comes
 * from core's loss head), each prepared and planned once on the host, or the reason it cannot be.
 *
 * @example
 * const d = analyzeGradients(prepared, [1, 28, 28]);
 * d.vjp.ok; // true for the fixture CNN
 */
export interface GradientSupport {
  vjp: { ok: true; prepared: PreparedModel; seed: string; grad: string } | { ok: false; problem: string };
  train: { ok: true; prepared: PreparedModel; seed: string; weightGradients: Record<string, string>; names: string[] } | { ok: false; problem: string };
}

/**
 * Builds the gradient models of `forward` with `@rs/onnx-graph` and checks that every op, attribute
 * and shape lowers to WGSL (a batch-1 plan on the host; nothing touches the device).
 *
 * @example
 * const support = analyzeGradients(prepared, [1, 28, 28]);
 */
export function analyzeGradients(forward: PreparedModel, inputShape: readonly number[]): GradientSupport {
  const { inputName, outputName, model } = forward;
  let train: GradientSupport['train'];
  try {
    const gm = buildGradientModel(model, { output: outputName, wrt: [], weights: true });
    const external = new Map<string, Tensor>();
    for (const name of gm.weightInputs) external.set(name, forward.weights.get(name)!);
    const first = gm.weightInputs[0];
    if (first === undefined) throw new RsError('RS_UNSUPPORTED_MODEL', 'the model has no trainable weights');
    const prepared = prepareModel(gm.model, { inputName, outputName: gm.weightGradients[first]!, feeds: true, external });
    planGraph(prepared, inputShape, 1);
    train = { ok: true, prepared, seed: gm.seedInput!, weightGradients: gm.weightGradients, names: gm.weightInputs };
  } catch (err) {
    train = { ok: false, problem: `the weight-gradient model cannot run on the WebGPU engine: ${(err as Error).message}` };
  }
  const mutable = new Set(train.ok ? train.names : []);
  let vjp: GradientSupport['vjp'];
  try {
    const gm = buildGradientModel(model, { output: outputName, wrt: [inputName] });
    const grad = gm.inputGradients[inputName]!;
    const prepared = prepareModel(gm.model, { inputName, outputName: grad, feeds: true, mutable });
    planGraph(prepared, inputShape, 1);
    vjp = { ok: true, prepared, seed: gm.seedInput!, grad };
  } catch (err) {
    vjp = { ok: false, problem: `the gradient model cannot run on the WebGPU engine: ${(err as Error).message}` };
  }
  return { vjp, train };
}

/** One trainable weight on the device and its optimizer state. */
interface Slot {
  name: string;
  size: number;
  weight: GPUBuffer;
  acc: GPUBuffer;
  m?: GPUBuffer;
  v?: GPUBuffer;
}

/**
 * Gradients and training on the device: the VJP and weight-gradient models of `@rs/onnx-graph`
 * run through the same WGSL executor as the forward pass, sharing its weight buffers, so a
 * training step (the forward logits to core's loss head, then the weight gradients of its
 * upstream and an SGD / Adam update in WGSL, in one command buffer) changes what forward, device
 * sampling and activations compute. Only the logits come back per step.
 *
 * @example
 * const t = new GpuGradients(dev, forwardEngine, support, params, serial, { memoryBudget });
 * const g = await t.vjp(x, 4, upstream);
 * const loss = await t.step(x, 64, head, { optimizer: 'adam', learningRate: 1e-3 });
 */
export class GpuGradients {
  readonly #dev: GpuDevice;
  readonly #forward: WebGpuEngine;
  readonly #support: GradientSupport;
  readonly #params: WeightStore;
  readonly #serial: Serial;
  readonly #memoryBudget: number | undefined;
  #vjp: Promise<WebGpuEngine> | undefined;
  #train: Promise<WebGpuEngine> | undefined;
  #slots: Slot[] | undefined;
  #optimizer: { kind: 'sgd' | 'adam'; t: number } | undefined;
  #hyper: GPUBuffer | undefined;
  /** Training steps and resets so far (0: the weights are the model's). */
  version = 0;

  constructor(
    dev: GpuDevice,
    forward: WebGpuEngine,
    support: GradientSupport,
    params: WeightStore,
    serial: Serial,
    options: { memoryBudget?: number | undefined } = {},
  ) {
    this.#dev = dev;
    this.#forward = forward;
    this.#support = support;
    this.#params = params;
    this.#serial = serial;
    this.#memoryBudget = options.memoryBudget;
  }

  #engine(prepared: PreparedModel): Promise<WebGpuEngine> {
    const names = new Set(this.#support.train.ok ? this.#support.train.names : []);
    return WebGpuEngine.create(this.#dev, prepared, this.#forward.inputShape, {
      memoryBudget: this.#memoryBudget,
      sharedWeights: { store: this.#params, names },
      serial: this.#serial,
    });
  }

  /**
   * `d/dx sum(upstream * logits(x))` for `batch` inputs, in chunks of the VJP plan's `maxBatch`.
   *
   * @example
   * const g = await t.vjp(x, 2, Float32Array.of(1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0));
   */
  async vjp(x: Float32Array, batch: number, upstream: Float32Array): Promise<Float32Array> {
    const s = this.#support.vjp;
    if (!s.ok) throw new RsError('RS_UNSUPPORTED_MODEL', s.problem);
    this.#vjp ??= this.#engine(s.prepared);
    this.#vjp.catch(() => (this.#vjp = undefined));
    const engine = await this.#vjp;
    const dim = numel(engine.inputShape);
    const classes = upstream.length / Math.max(1, batch);
    return engine.exclusive(async () => {
      const out = new Float32Array(batch * dim);
      for (let start = 0; start < batch; start += engine.maxBatch) {
        const rows = Math.min(engine.maxBatch, batch - start);
        const feeds = {
          [s.prepared.inputName]: x.subarray(start * dim, (start + rows) * dim),
          [s.seed]: upstream.subarray(start * classes, (start + rows) * classes),
        };
        const [g] = await engine.runPlan(rows, feeds, [s.grad]);
        out.set(g!, start * dim);
      }
      return out;
    });
  }

  async #trainEngine(): Promise<{ engine: WebGpuEngine; slots: Slot[] }> {
    const s = this.#support.train;
    if (!s.ok) throw new RsError('RS_UNSUPPORTED_MODEL', s.problem);
    this.#train ??= this.#engine(s.prepared);
    this.#train.catch(() => (this.#train = undefined));
    const engine = await this.#train;
    if (!this.#slots) {
      const device = this.#dev.device;
      this.#slots = s.names.map((name) => {
        const t = s.prepared.weights.get(name)!;
        const size = numel(t.dims);
        return {
          name,
          size,
          weight: this.#params.get(t),
          acc: device.createBuffer({ size: Math.max(4, size * 4), usage: 0x80 | 0x8, label: `grad acc ${name}` }),
        };
      });
    }
    return { engine, slots: this.#slots };
  }

  #dropOptimizer(): void {
    for (const slot of this.#slots ?? []) {
      slot.m?.destroy();
      slot.v?.destroy();
      delete slot.m;
      delete slot.v;
    }
    this.#optimizer = undefined;
  }

  /**
   * One optimizer step with core's loss head over `rows` inputs: the forward engine's logits (the
   * shared weights), `head.evaluate`, then the weight gradients of `sum(gradient * logits)` in
   * chunks of the training plan's `maxBatch` (accumulated on the device) and the SGD / Adam update
   * (hyper = [learning rate, 1, bias corrections]); resolves to the head's loss before the step.
   *
   * @example
   * const loss = await t.step(x, 32, head, { optimizer: 'sgd', learningRate: 0.05 });
   */
  async step(x: Float32Array, rows: number, head: LossHead, hyper: TrainingHyperParameters): Promise<number> {
    const s = this.#support.train;
    if (!s.ok) throw new RsError('RS_UNSUPPORTED_MODEL', s.problem);
    const { engine, slots } = await this.#trainEngine();
    const logits = (await this.#forward.forward(x, rows)).data;
    const { loss, gradient } = head.evaluate(logits, rows);
    const classes = gradient.length / Math.max(1, rows);
    const device = this.#dev.device;
    const dim = numel(engine.inputShape);
    await engine.exclusive(async () => {
      if (this.#optimizer?.kind !== hyper.optimizer) {
        this.#dropOptimizer();
        this.#optimizer = { kind: hyper.optimizer, t: 0 };
      }
      const opt = this.#optimizer;
      const adam = opt.kind === 'adam';
      if (adam) {
        for (const slot of slots) {
          slot.m ??= device.createBuffer({ size: Math.max(4, slot.size * 4), usage: 0x80 | 0x8, label: `adam m ${slot.name}` });
          slot.v ??= device.createBuffer({ size: Math.max(4, slot.size * 4), usage: 0x80 | 0x8, label: `adam v ${slot.name}` });
        }
      }
      this.#hyper ??= device.createBuffer({ size: 16, usage: 0x80 | 0x8, label: 'optimizer hyper-parameters' });
      const beta1 = 0.9;
      const beta2 = 0.999;
      const t = opt.t + 1;
      device.queue.writeBuffer(this.#hyper, 0, Float32Array.of(hyper.learningRate, 1, 1 - beta1 ** t, 1 - beta2 ** t));
      const pipes = await Promise.all(
        slots.flatMap((slot) => [
          engine.pipelines.get(accumulateKernel(slot.size, true)),
          engine.pipelines.get(accumulateKernel(slot.size, false)),
          engine.pipelines.get(adam ? adamKernel(slot.size) : sgdKernel(slot.size)),
        ]),
      );
      for (let start = 0; start < rows; start += engine.maxBatch) {
        const n = Math.min(engine.maxBatch, rows - start);
        const last = start + n >= rows;
        const feeds = {
          [s.prepared.inputName]: x.subarray(start * dim, (start + n) * dim),
          [s.seed]: gradient.subarray(start * classes, (start + n) * classes),
        };
        await engine.runPlan(n, feeds, [], (pass, exe) => {
          slots.forEach((slot, k) => {
            const groups = dispatch(slot.size, this.#dev.limits.maxComputeWorkgroupsPerDimension);
            const acc = pipes[3 * k + (start === 0 ? 0 : 1)]!;
            pass.setPipeline(acc);
            pass.setBindGroup(
              0,
              device.createBindGroup({
                layout: acc.getBindGroupLayout(0),
                entries: [exe.buffer(s.weightGradients[slot.name]!), slot.acc].map((buffer, binding) => ({ binding, resource: { buffer } })),
              }),
            );
            pass.dispatchWorkgroups(groups[0], groups[1]);
            if (!last) return;
            const stepPipe = pipes[3 * k + 2]!;
            const buffers = adam ? [slot.weight, slot.acc, slot.m!, slot.v!, this.#hyper!] : [slot.weight, slot.acc, this.#hyper!];
            pass.setPipeline(stepPipe);
            pass.setBindGroup(
              0,
              device.createBindGroup({
                layout: stepPipe.getBindGroupLayout(0),
                entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
              }),
            );
            pass.dispatchWorkgroups(groups[0], groups[1]);
          });
        });
      }
      await device.queue.onSubmittedWorkDone();
      opt.t = t;
      this.version++;
    });
    return loss;
  }

  /** The trainable weights' current values, read back from the device. */
  async readWeights(): Promise<Map<string, Float32Array>> {
    const s = this.#support.train;
    const out = new Map<string, Float32Array>();
    if (!s.ok) return out;
    return this.#serial.run(async () => {
      for (const name of s.names) {
        const t = s.prepared.weights.get(name)!;
        out.set(name, new Float32Array(await this.#forward.read(this.#params.get(t), numel(t.dims) * 4)));
      }
      return out;
    });
  }

  /**
   * Re-initializes the trainable weights on the device (PyTorch's default scheme, Philox-seeded:
   * the same values as `@rs/onnx`'s reset) and drops the optimizer state.
   *
   * @example
   * await t.reset();
   */
  async reset(model: Model, seed = 0n): Promise<void> {
    const s = this.#support.train;
    if (!s.ok) throw new RsError('RS_UNSUPPORTED_MODEL', s.problem);
    const current = await this.readWeights();
    const fresh = initialWeights(model, current, philoxUniformSource(seed, NOISE_STREAM.onnxWeightInit));
    await this.#serial.run(async () => {
      this.#dropOptimizer();
      for (const [name, data] of fresh) {
        this.#params.get(s.prepared.weights.get(name)!);
        this.#params.update(name, data);
      }
      await this.#dev.device.queue.onSubmittedWorkDone();
      this.version++;
    });
  }

  /** The model bytes with the current weights (the original bytes when never trained nor reset). */
  async currentBytes(bytes: Uint8Array): Promise<Uint8Array> {
    if (this.version === 0) return bytes;
    return replaceInitializers(bytes, await this.readWeights());
  }

  /** Frees the gradient engines and optimizer buffers (the shared weights belong to the classifier). */
  async destroy(): Promise<void> {
    this.#dropOptimizer();
    for (const slot of this.#slots ?? []) slot.acc.destroy();
    this.#hyper?.destroy();
    for (const e of [this.#vjp, this.#train])
      await e?.then(
        (x) => x.destroy(),
        () => undefined,
      );
  }
}

function dispatch(threads: number, max: number): [number, number] {
  const groups = Math.max(1, Math.ceil(threads / 64));
  const x = Math.min(groups, max);
  return [x, Math.ceil(groups / x)];
}

/** `acc = g` (first chunk) or `acc += g`. */
function accumulateKernel(size: number, first: boolean) {
  return elementwiseKernel(
    first ? 'gradient copy' : 'gradient accumulate',
    [
      { variable: 'g', value: 'g' },
      { variable: 'acc', value: 'acc', write: true },
    ],
    size,
    first ? '  acc[i] = g[i];' : '  acc[i] = acc[i] + g[i];',
    '',
    { bake: true },
  );
}

/** `w -= lr * acc * scale` (hyper = [lr, scale, ...]; the scale is 1: core's loss gradient is already reduced). */
function sgdKernel(size: number) {
  return elementwiseKernel(
    'SGD step',
    [
      { variable: 'w', value: 'w', write: true },
      { variable: 'acc', value: 'acc' },
      { variable: 'hp', value: 'hyper' },
    ],
    size,
    '  w[i] = w[i] - hp[0] * (acc[i] * hp[1]);',
    '',
    { bake: true },
  );
}

/** Adam with PyTorch's defaults (betas 0.9 / 0.999, eps 1e-8, bias correction; hyper = [lr, scale, 1 - b1^t, 1 - b2^t]). */
function adamKernel(size: number) {
  return elementwiseKernel(
    'Adam step',
    [
      { variable: 'w', value: 'w', write: true },
      { variable: 'acc', value: 'acc' },
      { variable: 'm', value: 'm', write: true },
      { variable: 'v', value: 'v', write: true },
      { variable: 'hp', value: 'hyper' },
    ],
    size,
    `  let g = acc[i] * hp[1];
  let mi = ${f32(0.9)} * m[i] + ${f32(0.1)} * g;
  let vi = ${f32(0.999)} * v[i] + ${f32(0.001)} * g * g;
  m[i] = mi;
  v[i] = vi;
  w[i] = w[i] - hp[0] * (mi / hp[2]) / (sqrt(vi / hp[3]) + ${f32(1e-8)});`,
    '',
    { bake: true },
  );
}
