/**
 * The program each worker thread of the threaded noise generator runs (CommonJS text, started with
 * `new Worker(NOISE_WORKER_PROGRAM, { eval: true, workerData })`; eval'd text rather than a file so
 * the same code runs from `dist/` and from the TypeScript sources under vitest).
 *
 * The text runs as CommonJS or as an ES module (a worker inherits `--input-type=module` from a
 * `node --input-type=module -e` parent): it loads worker_threads with `import()`, which works in both.
 *
 * workerData: { module: WebAssembly.Module (core's noise kernel), control: SharedArrayBuffer, slot }.
 * On start the worker sets `control[2 * slot + 1]` to STARTED (or FAILED) and notifies.
 * Each message is one job: run the kernel over `rows` rows (the same call sequence as the
 * single-thread WASM generator, so the output is bitwise identical), write them to the
 * SharedArrayBuffer `out` at float offset 0, then set the job word `control[2 * slot]` to DONE (or
 * FAILED when anything throws) and notify. The thread never touches the caller's arrays: base and
 * clip bounds arrive as copies. The chunk loop is the one of `createWasmNoiseGenerator` (written
 * again here because this text cannot import it); the bitwise-equality tests cover both.
 */

import type { KernelLayout } from '../noise/wasm-generator.js';

/** States in the control array (Int32, two words per worker: the job word, then the start word). */
export const JOB_STATE = Object.freeze({ pending: 1, done: 2, failed: 3, started: 4 });

/** One job for a noise worker (see the module comment). */
export interface NoiseWorkerJob {
  out: SharedArrayBuffer;
  mode: number;
  k0: number;
  k1: number;
  stream: number;
  input: number;
  j0: number;
  rows: number;
  dim: number;
  scale: number;
  /** Noise family id (0 Gaussian, 1 uniform, 2 Laplace). */
  family: number;
  base: Float32Array | null;
  lo: Float32Array | null;
  hi: Float32Array | null;
  layout: KernelLayout;
}

/**
 * Source text of the worker program.
 */
export const NOISE_WORKER_PROGRAM = `
'use strict';
import('node:worker_threads').then(({ parentPort, workerData }) => {
  const DONE = ${JOB_STATE.done};
  const FAILED = ${JOB_STATE.failed};
  const control = new Int32Array(workerData.control);
  const jobWord = 2 * workerData.slot;
  let memory = null;
  let fill = null;
  try {
    const instance = new WebAssembly.Instance(workerData.module, {});
    memory = instance.exports.memory;
    fill = instance.exports.fill;
  } catch {
    // reported through the start word: the caller draws this worker's shares itself
  }
  Atomics.store(control, jobWord + 1, fill ? ${JOB_STATE.started} : FAILED);
  Atomics.notify(control, jobWord + 1);
  parentPort.on('message', (job) => {
    let state = DONE;
    try {
      if (!fill) throw new Error('noise kernel did not start');
      const L = job.layout;
      const have = memory.buffer.byteLength;
      if (L.bytes > have) memory.grow(Math.ceil((L.bytes - have) / 65536));
      const f32 = new Float32Array(memory.buffer);
      if (job.base) f32.set(job.base, L.basePtr >>> 2);
      if (job.lo) f32.set(job.lo, L.loPtr >>> 2);
      if (job.hi) f32.set(job.hi, L.hiPtr >>> 2);
      const out = new Float32Array(job.out);
      const o32 = L.outPtr >>> 2;
      let j = job.j0;
      let o = 0;
      let left = job.rows;
      while (left > 0) {
        const rows = left < L.chunkRows ? left : L.chunkRows;
        fill(L.outPtr, L.basePtr, L.loPtr, L.hiPtr, job.mode, job.k0, job.k1, job.stream, job.input, j, rows, job.dim, job.scale, job.family);
        const n = rows * job.dim;
        out.set(f32.subarray(o32, o32 + n), o);
        o += n;
        j += rows;
        left -= rows;
      }
    } catch {
      state = FAILED;
    }
    Atomics.store(control, jobWord, state);
    Atomics.notify(control, jobWord);
  });
});
`;
