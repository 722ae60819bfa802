/// <reference types="@webgpu/types" preserve="true" />
import type { Tensor } from '@rs/onnx-graph';
import { GpuExecutionError } from './errors.js';
import { BUFFER_USAGE } from './gpu-constants.js';
import type { GpuDevice } from './gpu-device.js';
import type { GraphPlan } from './graph-plan.js';
import { dispatchSize, type KernelSpec } from './kernels/wgsl.js';

/**
 * Compute pipelines by WGSL source: a kernel compiled once serves every plan (batch size) that
 * generates the same code.
 */
export class PipelineCache {
  readonly #dev: GpuDevice;
  readonly #pipelines = new Map<string, Promise<GPUComputePipeline>>();

  constructor(dev: GpuDevice) {
    this.#dev = dev;
  }

  /** The pipeline of a kernel, compiled on first use; a WGSL compile error rejects naming the kernel. */
  get(spec: Pick<KernelSpec, 'code' | 'label'>): Promise<GPUComputePipeline> {
    let p = this.#pipelines.get(spec.code);
    if (!p) {
      const device = this.#dev.device;
      device.pushErrorScope('validation');
      const module = device.createShaderModule({ code: spec.code, label: spec.label });
      const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' }, label: spec.label });
      p = device.popErrorScope().then((error) => {
        if (error) throw new GpuExecutionError(`WGSL kernel '${spec.label}' failed to compile: ${error.message}`);
        return pipeline;
      });
      this.#pipelines.set(spec.code, p);
      p.catch(() => this.#pipelines.delete(spec.code));
    }
    return p;
  }
}

/**
 * Float tensors uploaded to the device once (weights, folded constants), shared by every plan.
 */
export class WeightStore {
  readonly #dev: GpuDevice;
  readonly #buffers = new Map<string, GPUBuffer>();
  readonly #shared: { store: WeightStore; names: ReadonlySet<string> } | undefined;

  /** `shared`: names served by another store (the trainable weights every engine of a classifier binds). */
  constructor(dev: GpuDevice, shared?: { store: WeightStore; names: ReadonlySet<string> }) {
    this.#dev = dev;
    this.#shared = shared;
  }

  /** The device buffer of a constant (uploaded on first use): floats as f32, integers as i32, booleans as f32 0 / 1. */
  get(t: Tensor): GPUBuffer {
    if (this.#shared?.names.has(t.name)) return this.#shared.store.get(t);
    let b = this.#buffers.get(t.name);
    if (!b) {
      let data: Float32Array | Int32Array;
      if (t.data instanceof Float32Array) data = t.data;
      else if (t.dtype === 'bool' || t.dtype.startsWith('float')) data = Float32Array.from(t.data as ArrayLike<number>, (v) => Number(v));
      else data = Int32Array.from(t.data as ArrayLike<number | bigint>, (v) => Number(v));
      b = this.#dev.device.createBuffer({
        size: Math.max(4, data.byteLength),
        usage: BUFFER_USAGE.STORAGE | BUFFER_USAGE.COPY_DST | BUFFER_USAGE.COPY_SRC,
        label: t.name,
      });
      this.#dev.device.queue.writeBuffer(b, 0, data.buffer, data.byteOffset, data.byteLength);
      this.#buffers.set(t.name, b);
    }
    return b;
  }

  /** Replaces the values of a constant already on the device (same size). */
  update(name: string, data: Float32Array): void {
    const b = this.#buffers.get(name);
    if (b) this.#dev.device.queue.writeBuffer(b, 0, data.buffer, data.byteOffset, data.byteLength);
  }

  /** Frees every buffer. */
  destroy(): void {
    for (const b of this.#buffers.values()) b.destroy();
    this.#buffers.clear();
  }
}

/**
 * A {@link GraphPlan} on the device: one buffer per activation storage, its pipelines and bind
 * groups; `encode` records every dispatch of a forward pass.
 */
export class GpuExecutable {
  readonly plan: GraphPlan;
  /** Bytes of activation buffers. */
  readonly bytes: number;
  readonly #buffers = new Map<string, GPUBuffer>();
  readonly #uniforms: GPUBuffer[] = [];
  readonly #steps: Array<{ pipeline: GPUComputePipeline; bindGroup: GPUBindGroup; groups: [number, number] }> = [];
  readonly #resolve: (value: string) => GPUBuffer;

  private constructor(plan: GraphPlan, resolve: (value: string) => GPUBuffer, buffers: Map<string, GPUBuffer>, bytes: number) {
    this.plan = plan;
    this.#resolve = resolve;
    this.#buffers = buffers;
    this.bytes = bytes;
  }

  /**
   * Allocates the plan's buffers and compiles (or reuses) its pipelines.
   */
  static async create(
    dev: GpuDevice,
    plan: GraphPlan,
    pipelines: PipelineCache,
    weights: WeightStore,
    weightTensors: ReadonlyMap<string, Tensor>,
  ): Promise<GpuExecutable> {
    const device = dev.device;
    const buffers = new Map<string, GPUBuffer>();
    let bytes = 0;
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    for (const [name, size] of plan.buffers) {
      buffers.set(
        name,
        device.createBuffer({ size: Math.ceil(size / 4) * 4, usage: BUFFER_USAGE.STORAGE | BUFFER_USAGE.COPY_SRC | BUFFER_USAGE.COPY_DST, label: name }),
      );
      bytes += size;
    }
    const resolve = (value: string): GPUBuffer => {
      const root = plan.storage.get(value) ?? value;
      const own = buffers.get(root);
      if (own) return own;
      const t = weightTensors.get(root) ?? plan.constants.get(root);
      if (!t) throw new GpuExecutionError(`value '${value}' has no device buffer`);
      return weights.get(t);
    };
    const exe = new GpuExecutable(plan, resolve, buffers, bytes);
    try {
      const compiled = await Promise.all(plan.kernels.map((k) => pipelines.get(k)));
      plan.kernels.forEach((k, i) => {
        const pipeline = compiled[i]!;
        const entries: GPUBindGroupEntry[] = k.bindings.map((b, binding) => ({ binding, resource: { buffer: resolve(b.value) } }));
        if (k.meta) {
          // The plan's sizes (batch-dependent) as the kernel's `meta_` uniform: the code itself is the same for every batch size.
          const meta = device.createBuffer({ size: 16, usage: BUFFER_USAGE.UNIFORM | BUFFER_USAGE.COPY_DST, label: `${k.label} meta` });
          device.queue.writeBuffer(
            meta,
            0,
            Uint32Array.from({ length: 4 }, (_, j) => k.meta![j] ?? 0),
          );
          exe.#uniforms.push(meta);
          entries.push({ binding: k.bindings.length, resource: { buffer: meta } });
        }
        const bindGroup = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries, label: k.label });
        exe.#steps.push({ pipeline, bindGroup, groups: dispatchSize(k.threads, dev.limits.maxComputeWorkgroupsPerDimension) });
      });
    } finally {
      const validation = await device.popErrorScope();
      const oom = await device.popErrorScope();
      if (validation || oom) {
        exe.destroy();
        // biome-ignore lint/correctness/noUnsafeFinally: a device error scope must be popped on every path; its error replaces any other
        throw new GpuExecutionError(`building the batch-${plan.batch} plan failed: ${(oom ?? validation)!.message}`);
      }
    }
    return exe;
  }

  /** The device buffer holding a value (activation, input, or constant). */
  buffer(value: string): GPUBuffer {
    return this.#resolve(value);
  }

  /** Records the dispatches of the forward pass (all, or steps `from..to`) into `pass`. */
  encode(pass: GPUComputePassEncoder, from = 0, to = this.#steps.length): void {
    for (const s of this.#steps.slice(from, to)) {
      pass.setPipeline(s.pipeline);
      pass.setBindGroup(0, s.bindGroup);
      pass.dispatchWorkgroups(s.groups[0], s.groups[1]);
    }
  }

  /** Frees the activation buffers (not the shared weights). */
  destroy(): void {
    for (const b of this.#buffers.values()) b.destroy();
    this.#buffers.clear();
    for (const b of this.#uniforms) b.destroy();
    this.#uniforms.length = 0;
  }
}
