/// <reference types="@webgpu/types" preserve="true" />
import { AbortError, type DeviceSamplingRequest, philoxKey, RsRangeError } from '@rs/core';
import { GpuExecutionError } from './errors.js';
import { BUFFER_USAGE } from './gpu-constants.js';
import { argmaxCountKernel, IDLE_ROW, noisyBatchKernel } from './kernels/philox-noise.js';
import { dispatchSize } from './kernels/wgsl.js';
import type { WebGpuEngine } from './webgpu-engine.js';

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  return new AbortError(reason instanceof Error ? reason.message : 'the operation was aborted', { cause: reason });
}

/**
 * The whole Monte Carlo loop of a {@link DeviceSamplingRequest} on the device: per batch, a row
 * table goes up (16 bytes per row), then one command buffer runs the WGSL Philox noise (+ clip,
 * preprocessing) into the model input, the forward pass, and the argmax / atomic counting. Only
 * `jobs * nbClasses` counts come back, once, at the end. Batches are the request's batch size
 * capped by the engine's device-derived `maxBatch`; at most two batches are in flight. A NaN
 * logit or a lost device is an error, never a count.
 *
 * @example
 * const counts = await countOnGpu(engine, 10, request); // Int32Array(jobs * 10)
 */
export function countOnGpu(engine: WebGpuEngine, nbClasses: number, req: DeviceSamplingRequest): Promise<Int32Array> {
  return engine.exclusive(async () => {
    const { device } = engine.dev;
    const { dim, jobs } = req;
    const total = jobs.reduce((s, j) => s + j.count, 0);
    const counts = new Int32Array(jobs.length * nbClasses);
    if (total === 0) return counts;
    const rows = Math.max(1, Math.min(req.batchSize, engine.maxBatch, total));
    const exe = await engine.plan(rows);
    const nb = Math.ceil(dim / 4);
    const created: GPUBuffer[] = [];
    const storage = (data: ArrayBufferView | number, label: string, extra = 0): GPUBuffer => {
      const size = typeof data === 'number' ? data : data.byteLength;
      const b = device.createBuffer({ size: Math.max(16, Math.ceil(size / 16) * 16), usage: BUFFER_USAGE.STORAGE | BUFFER_USAGE.COPY_DST | extra, label });
      created.push(b);
      if (typeof data !== 'number') device.queue.writeBuffer(b, 0, data.buffer, data.byteOffset, data.byteLength);
      return b;
    };
    try {
      if (req.data.byteLength > engine.dev.limits.maxStorageBufferBindingSize) {
        throw new RsRangeError(
          'RS_BATCH_TOO_LARGE',
          `the request's clean inputs (${req.data.byteLength} bytes) exceed the device's maxStorageBufferBindingSize (${engine.dev.limits.maxStorageBufferBindingSize}): certify fewer inputs per call`,
        );
      }
      const seed = BigInt.asUintN(64, req.seed);
      const params = Uint32Array.of(...philoxKey(seed), req.stream >>> 0, new Uint32Array(Float32Array.of(req.scale).buffer)[0]!);
      const bindings: GPUBuffer[] = [storage(params, 'params'), storage(req.data, 'clean inputs')];
      // Exactly `rows` entries: the noise and counting kernels take the row count from its length.
      const rowTable = storage(rows * 16, 'row table');
      bindings.push(rowTable);
      if (req.clip) bindings.push(storage(req.clip.min, 'clip min'), storage(req.clip.max, 'clip max'));
      const defences = req.defences ?? [];
      for (const [i, d] of defences.entries()) {
        if (d.kind !== 'step' || d.values.length !== d.thresholds.length + 1 || d.thresholds.length === 0) {
          throw new RsRangeError('RS_INVALID_ARG_VALUE', `defence ${i} of the request is not a step table (thresholds, values = thresholds + 1)`);
        }
        // Padded to whole 16-byte blocks (the binding's array length): thresholds with the largest
        // float32 (never <= a noisy value), values with NaN (the out-of-range mark).
        const th = new Float32Array(Math.ceil(d.thresholds.length / 4) * 4).fill(3.4028234663852886e38);
        th.set(d.thresholds);
        const va = new Float32Array(Math.ceil(d.values.length / 4) * 4).fill(Number.NaN);
        va.set(d.values);
        bindings.push(storage(th, `defence ${i} thresholds`), storage(va, `defence ${i} values`));
      }
      if (req.preprocessing) bindings.push(storage(req.preprocessing.sub, 'preprocessing sub'), storage(req.preprocessing.div, 'preprocessing div'));
      bindings.push(exe.buffer(engine.prepared.inputName));
      const defenceErrors = defences.length > 0 ? storage(16, 'defence errors', BUFFER_USAGE.COPY_SRC) : null;
      if (defenceErrors) {
        device.queue.writeBuffer(defenceErrors, 0, new Uint32Array(4));
        bindings.push(defenceErrors);
      }
      const countBuffer = storage((1 + jobs.length * nbClasses) * 4, 'counts', BUFFER_USAGE.COPY_SRC);
      const noiseSpec = {
        code: noisyBatchKernel(dim, { clip: Boolean(req.clip), preprocessing: Boolean(req.preprocessing), family: req.noise, defences: defences.length }),
        label: `noisy batch (Philox, ${req.noise ?? 'gaussian'})`,
      };
      const countSpec = { code: argmaxCountKernel(nbClasses), label: 'argmax count' };
      const [noisePipe, countPipe] = await Promise.all([engine.pipelines.get(noiseSpec), engine.pipelines.get(countSpec)]);
      const noiseGroup = device.createBindGroup({
        layout: noisePipe.getBindGroupLayout(0),
        entries: bindings.map((buffer, binding) => ({ binding, resource: { buffer } })),
      });
      const countGroup = device.createBindGroup({
        layout: countPipe.getBindGroupLayout(0),
        entries: [exe.buffer(engine.prepared.outputName), rowTable, countBuffer].map((buffer, binding) => ({ binding, resource: { buffer } })),
      });
      const maxDim = engine.dev.limits.maxComputeWorkgroupsPerDimension;
      const noiseGroups = dispatchSize(rows * nb, maxDim);
      const countGroups = dispatchSize(rows, maxDim);
      const table = new Uint32Array(rows * 4);
      let job = 0;
      let offset = 0;
      let samplesDone = 0;
      let jobsDone = 0;
      const inFlight: Array<{ done: Promise<void>; samples: number; jobsFinished: number }> = [];
      const settle = async (): Promise<void> => {
        const b = inFlight.shift()!;
        await b.done;
        engine.dev.check();
        samplesDone += b.samples;
        jobsDone += b.jobsFinished;
        req.report?.(samplesDone, jobsDone);
      };
      while (job < jobs.length) {
        if (req.signal?.aborted) throw abortError(req.signal);
        table.fill(IDLE_ROW);
        let r = 0;
        let finished = 0;
        while (r < rows && job < jobs.length) {
          const j = jobs[job]!;
          const take = Math.min(rows - r, j.count - offset);
          for (let k = 0; k < take; k++, r++) {
            table[4 * r] = j.row;
            table[4 * r + 1] = j.id;
            table[4 * r + 2] = j.sampleStart + offset + k;
            table[4 * r + 3] = job;
          }
          offset += take;
          if (offset >= j.count) {
            job++;
            offset = 0;
            finished++;
          }
        }
        if (r === 0) continue;
        if (inFlight.length >= 2) await settle();
        device.queue.writeBuffer(rowTable, 0, table.buffer, 0, table.byteLength);
        const encoder = device.createCommandEncoder();
        const pass = encoder.beginComputePass();
        pass.setPipeline(noisePipe);
        pass.setBindGroup(0, noiseGroup);
        pass.dispatchWorkgroups(noiseGroups[0], noiseGroups[1]);
        exe.encode(pass);
        pass.setPipeline(countPipe);
        pass.setBindGroup(0, countGroup);
        pass.dispatchWorkgroups(countGroups[0], countGroups[1]);
        pass.end();
        device.queue.submit([encoder.finish()]);
        inFlight.push({ done: device.queue.onSubmittedWorkDone(), samples: r, jobsFinished: finished });
      }
      while (inFlight.length > 0) await settle();
      if (req.signal?.aborted) throw abortError(req.signal);
      const raw = new Uint32Array(await engine.read(countBuffer, (1 + jobs.length * nbClasses) * 4));
      if (defenceErrors) {
        const errors = new Uint32Array(await engine.read(defenceErrors, 16))[0]!;
        if (errors > 0) {
          throw new GpuExecutionError(`${errors} noisy values fell outside the range of a defence's device table: refusing to count them`);
        }
      }
      if (raw[0] !== 0) throw new GpuExecutionError(`the model returned NaN logits for ${raw[0]} noisy samples: refusing to count them`);
      counts.set(raw.subarray(1));
      return counts;
    } finally {
      for (const b of created) b.destroy();
    }
  });
}
