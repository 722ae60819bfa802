/// <reference types="@webgpu/types" preserve="true" />
import { GpuExecutable, PipelineCache, WeightStore } from './executable.js';
import { BUFFER_USAGE, MAP_MODE } from './gpu-constants.js';
import type { GpuDevice } from './gpu-device.js';
import { planGraph } from './graph-plan.js';
import { numel } from './kernels/wgsl.js';
import type { PreparedModel } from './prepared-model.js';

/** Default device memory for one plan's activations (bytes). */
export const DEFAULT_MEMORY_BUDGET = 1 << 30;
const MAX_CACHED_PLANS = 4;

/**
 * A queue of device operations: the engines of one classifier (forward, gradients, training)
 * share one, so a training step never overlaps a forward pass that reads the same weights.
 *
 * @example
 * const serial = new Serial();
 * await serial.run(async () => work());
 */
export class Serial {
  #chain: Promise<unknown> = Promise.resolve();

  /** Runs `fn` after every operation queued before it. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(fn);
    this.#chain = run.catch(() => undefined);
    return run;
  }
}

/**
 * Options of {@link WebGpuEngine.create}.
 *
 * @example
 * const opts: EngineOptions = { memoryBudget: 256 << 20, serial: new Serial() };
 */
export interface EngineOptions {
  /** Device bytes for one plan's activations (default {@link DEFAULT_MEMORY_BUDGET}). */
  memoryBudget?: number | undefined;
  /** Weights served by another store (the trainable weights shared by a classifier's engines). */
  sharedWeights?: { store: WeightStore; names: ReadonlySet<string> } | undefined;
  /** The operation queue to join (default: the engine's own). */
  serial?: Serial | undefined;
}

/**
 * Runs a prepared model on a WebGPU device: compiled plans per batch size (a few cached), weights
 * uploaded once, every operation serialized and checked against device loss and errors.
 *
 * @example
 * const engine = await WebGpuEngine.create(dev, prepared, [1, 28, 28]);
 * const logits = await engine.forward(x, 20);
 */
export class WebGpuEngine {
  readonly dev: GpuDevice;
  readonly prepared: PreparedModel;
  readonly inputShape: readonly number[];
  /** Shape of the output for one input (without the batch dimension). */
  readonly outputShape: readonly number[];
  /** Largest batch one plan holds within the device's binding limit and the memory budget. */
  readonly maxBatch: number;
  readonly pipelines: PipelineCache;
  readonly weights: WeightStore;
  readonly serial: Serial;
  /** Plans by batch size (negative: without fusion, to read intermediate values). */
  readonly #plans = new Map<number, Promise<GpuExecutable>>();

  private constructor(
    dev: GpuDevice,
    prepared: PreparedModel,
    inputShape: readonly number[],
    outputShape: readonly number[],
    maxBatch: number,
    options: EngineOptions,
  ) {
    this.dev = dev;
    this.prepared = prepared;
    this.inputShape = inputShape;
    this.outputShape = outputShape;
    this.maxBatch = maxBatch;
    this.pipelines = new PipelineCache(dev);
    this.weights = new WeightStore(dev, options.sharedWeights);
    this.serial = options.serial ?? new Serial();
  }

  /**
   * Compiles the model for one input (the probe: shapes and ops are checked here) and sizes batches.
   *
   * @example
   * const engine = await WebGpuEngine.create(dev, prepareModel(bytes), [1, 28, 28], { memoryBudget: 512 << 20 });
   */
  static async create(dev: GpuDevice, prepared: PreparedModel, inputShape: readonly number[], options: EngineOptions = {}): Promise<WebGpuEngine> {
    const probe = planGraph(prepared, inputShape, 1);
    const outputShape = probe.shapes.get(prepared.outputName)!.slice(1);
    let perSample = 0;
    let largest = 0;
    // Sized for the plan without fusion (the largest: it keeps every intermediate value).
    for (const size of planGraph(prepared, inputShape, 1, { fuse: false }).buffers.values()) {
      perSample += size;
      largest = Math.max(largest, size);
    }
    const budget = options.memoryBudget ?? DEFAULT_MEMORY_BUDGET;
    const maxBatch = Math.max(1, Math.min(Math.floor(dev.limits.maxStorageBufferBindingSize / largest), Math.floor(budget / perSample), 1 << 20));
    const engine = new WebGpuEngine(dev, prepared, inputShape, outputShape, maxBatch, options);
    engine.#plans.set(1, GpuExecutable.create(dev, probe, engine.pipelines, engine.weights, prepared.weights));
    await engine.#plans.get(1);
    return engine;
  }

  /** Runs `fn` after every earlier operation, with the device checked before and after. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.serial.run(async () => {
      this.dev.check();
      const out = await fn();
      this.dev.check();
      return out;
    });
  }

  /**
   * The compiled plan for `batch` inputs (cached; the least recently used beyond a few is freed);
   * `fuse: false` keeps every intermediate value (no Relu nor MaxPool folded into the op before it).
   */
  async plan(batch: number, fuse = true): Promise<GpuExecutable> {
    const key = fuse ? batch : -batch;
    let p = this.#plans.get(key);
    if (p) {
      this.#plans.delete(key);
      this.#plans.set(key, p);
      return p;
    }
    p = GpuExecutable.create(this.dev, planGraph(this.prepared, this.inputShape, batch, { fuse }), this.pipelines, this.weights, this.prepared.weights);
    this.#plans.set(key, p);
    p.catch(() => this.#plans.delete(key));
    while (this.#plans.size > MAX_CACHED_PLANS) {
      const [oldest, old] = this.#plans.entries().next().value as [number, Promise<GpuExecutable>];
      this.#plans.delete(oldest);
      void old.then(
        (e) => e.destroy(),
        () => undefined,
      );
    }
    return p;
  }

  /** Copies `bytes` of a device buffer back to the host. */
  async read(source: GPUBuffer, bytes: number, encoder?: GPUCommandEncoder): Promise<ArrayBuffer> {
    const device = this.dev.device;
    const staging = device.createBuffer({ size: Math.ceil(bytes / 4) * 4, usage: BUFFER_USAGE.MAP_READ | BUFFER_USAGE.COPY_DST });
    try {
      const enc = encoder ?? device.createCommandEncoder();
      enc.copyBufferToBuffer(source, 0, staging, 0, staging.size);
      device.queue.submit([enc.finish()]);
      await staging.mapAsync(MAP_MODE.READ);
      this.dev.check();
      return staging.getMappedRange().slice(0, bytes);
    } finally {
      staging.destroy();
    }
  }

  /**
   * One pass of the plan for `batch` (at most `maxBatch`): uploads `feeds` (the main input and any
   * other graph input; Int32Array for integer inputs), records the dispatches, then `after` may
   * record more (e.g. an optimizer step) in the same compute pass; reads back the float values
   * `fetch`. Call it inside {@link WebGpuEngine.exclusive}.
   *
   * @example
   * const [grad] = await engine.exclusive(() => engine.runPlan(4, { input: x, grad_logits: seed }, ['grad_input']));
   */
  async runPlan(
    batch: number,
    feeds: Readonly<Record<string, Float32Array | Int32Array>>,
    fetch: readonly string[],
    after?: (pass: GPUComputePassEncoder, exe: GpuExecutable) => void,
  ): Promise<Float32Array[]> {
    const exe = await this.plan(batch);
    const device = this.dev.device;
    for (const [name, data] of Object.entries(feeds)) device.queue.writeBuffer(exe.buffer(name), 0, data.buffer, data.byteOffset, data.byteLength);
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    exe.encode(pass);
    after?.(pass, exe);
    pass.end();
    const staging = fetch.map((name) => {
      const bytes = numel(exe.plan.shapes.get(name)!) * 4;
      const b = device.createBuffer({ size: Math.max(4, Math.ceil(bytes / 4) * 4), usage: BUFFER_USAGE.MAP_READ | BUFFER_USAGE.COPY_DST });
      if (bytes > 0) encoder.copyBufferToBuffer(exe.buffer(name), 0, b, 0, Math.ceil(bytes / 4) * 4);
      return { b, bytes };
    });
    device.queue.submit([encoder.finish()]);
    try {
      await Promise.all(staging.map((s) => s.b.mapAsync(MAP_MODE.READ)));
      this.dev.check();
      return staging.map((s) => new Float32Array(s.b.getMappedRange().slice(0, s.bytes)));
    } finally {
      for (const s of staging) s.b.destroy();
    }
  }

  /**
   * Values of `name` (the output by default) for `batch` inputs, in chunks of at most `maxBatch`.
   *
   * @example
   * const logits = await engine.forward(x, 4);
   */
  forward(x: Float32Array, batch: number, name = this.prepared.outputName): Promise<{ data: Float32Array; shape: readonly number[] }> {
    return this.exclusive(async () => {
      const dim = numel(this.inputShape);
      const chunks: Float32Array[] = [];
      let shape: readonly number[] = [];
      for (let start = 0; start < batch; start += this.maxBatch) {
        const rows = Math.min(this.maxBatch, batch - start);
        let exe = await this.plan(rows);
        // An intermediate value folded away by fusion (a Conv output before its Relu or MaxPool): the plan that keeps it.
        if (!exe.plan.shapes.has(name)) exe = await this.plan(rows, false);
        const full = exe.plan.shapes.get(name)!;
        // A value whose first dimension is not the batch (e.g. after a Reshape that folds it) comes back whole.
        shape = full[0] === rows ? full.slice(1) : full;
        this.dev.device.queue.writeBuffer(exe.buffer(this.prepared.inputName), 0, x.buffer, x.byteOffset + start * dim * 4, rows * dim * 4);
        const encoder = this.dev.device.createCommandEncoder();
        const pass = encoder.beginComputePass();
        exe.encode(pass);
        pass.end();
        chunks.push(new Float32Array(await this.read(exe.buffer(name), numel(full) * 4, encoder)));
      }
      const out = chunks.length === 1 ? chunks[0]! : new Float32Array(chunks.reduce((a, c) => a + c.length, 0));
      if (chunks.length > 1) {
        let o = 0;
        for (const c of chunks) {
          out.set(c, o);
          o += c.length;
        }
      }
      return { data: chunks.length ? out : new Float32Array(0), shape };
    });
  }

  /** Frees every plan and weight buffer (the device itself belongs to the caller). */
  async destroy(): Promise<void> {
    const plans = [...this.#plans.values()];
    this.#plans.clear();
    for (const p of plans)
      await p.then(
        (e) => e.destroy(),
        () => undefined,
      );
    this.weights.destroy();
  }
}
