import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { checkedFills, type NoiseDraw } from '../noise/checked-fills.js';
import type { NoiseGenerator } from '../noise/types.js';
import { createWasmNoiseGenerator, kernelLayout, kernelMode, noiseKernelModule, WASM_MAX_DIM } from '../noise/wasm-generator.js';
import { JOB_STATE, NOISE_WORKER_PROGRAM, type NoiseWorkerJob } from './noise-worker-program.js';
import { RsError, RsRangeError } from '../errors.js';

/** Options of {@link createThreadedNoiseGenerator}. */
export interface ThreadedNoiseOptions {
  /** Threads per request, the calling thread included (default: the machine's cores, at most 8). 1 = no workers. */
  threads?: number;
  /** Requests smaller than this many floats per thread are drawn on the calling thread alone (default 32768). */
  minFloatsPerThread?: number;
  /** How long to wait for a worker's share before drawing it on the calling thread instead (default 30 s; a worker's start gets as long again). */
  timeoutMs?: number;
}

/** A {@link NoiseGenerator} that spreads each request over worker threads. */
export interface ThreadedNoiseGenerator extends NoiseGenerator {
  /** Threads a large request uses (the calling thread plus the workers still healthy; 0 after dispose). */
  readonly threads: number;
  /** Stops the workers; afterwards every call throws. */
  dispose(): void;
}

interface NoiseWorker {
  worker: Worker;
  slot: number;
  scratch: SharedArrayBuffer;
  healthy: boolean;
}

/** Options with defaults applied and checked. */
function resolveOptions(options: ThreadedNoiseOptions): Required<ThreadedNoiseOptions> {
  const threads = options.threads ?? Math.min(availableParallelism(), 8);
  if (!Number.isInteger(threads) || threads < 1 || threads > 256)
    throw new RsRangeError('RS_INVALID_ARG_VALUE', `'threads' must be an integer in [1, 256], got ${String(options.threads)}`);
  const minFloatsPerThread = options.minFloatsPerThread ?? 32768;
  if (!Number.isInteger(minFloatsPerThread) || minFloatsPerThread < 1)
    throw new RsRangeError('RS_INVALID_ARG_VALUE', `'minFloatsPerThread' must be a positive integer, got ${String(options.minFloatsPerThread)}`);
  const timeoutMs = options.timeoutMs ?? 30_000;
  if (!(timeoutMs > 0)) throw new RsRangeError('RS_INVALID_ARG_VALUE', `'timeoutMs' must be positive, got ${String(options.timeoutMs)}`);
  return { threads, minFloatsPerThread, timeoutMs };
}

/**
 * Core's WASM SIMD noise (bitwise the same numbers as `createWasmNoiseGenerator` and the JS
 * reference) with each large request split by rows over `threads` threads: the calling thread
 * draws the first share while worker threads draw the others into shared memory, then the call
 * returns (it is synchronous: the calling thread waits with `Atomics.wait`). Use it where the noise
 * is drawn between model calls that themselves use every core (see the `hostSampling` plan of the
 * Classifier contract); a worker that fails or does not answer within `timeoutMs` is dropped and its
 * share drawn on the calling thread, so a call never returns wrong or missing noise.
 * Node.js only (worker_threads); the workers are unref'd, so an undisposed generator does not keep
 * Node alive.
 *
 * @example
 * import { createThreadedNoiseGenerator } from '@rs/core/node';
 * const gen = createThreadedNoiseGenerator({ threads: 2 });
 * const out = new Float32Array(1000 * 784);
 * gen.fillNoisy(out, 0, { seed: 1n, stream: 1, inputIndex: 0, sampleStart: 0, sampleCount: 1000, dim: 784 }, image, 0, 0.25);
 * gen.dispose();
 */
export function createThreadedNoiseGenerator(options: ThreadedNoiseOptions = {}): ThreadedNoiseGenerator {
  return startThreadedNoiseGenerator(options, NOISE_WORKER_PROGRAM);
}

/** {@link createThreadedNoiseGenerator} with the worker program given (tests start failing workers with it). */
export function startThreadedNoiseGenerator(options: ThreadedNoiseOptions, program: string): ThreadedNoiseGenerator {
  const { threads, minFloatsPerThread, timeoutMs } = resolveOptions(options);
  const local = createWasmNoiseGenerator();
  const control = new Int32Array(new SharedArrayBuffer(8 * Math.max(1, threads - 1)));
  const workers: NoiseWorker[] = [];
  let started = false;
  /** Starts the workers on the first request large enough to split (so an unused generator costs no threads). */
  function start(): void {
    started = true;
    if (threads <= 1) return;
    const module = noiseKernelModule();
    for (let slot = 0; slot < threads - 1; slot++) {
      const worker = new Worker(program, { eval: true, workerData: { module, control: control.buffer, slot } });
      worker.unref();
      const w: NoiseWorker = { worker, slot, scratch: new SharedArrayBuffer(0), healthy: true };
      worker.on('error', () => drop(w));
      worker.on('exit', () => {
        w.healthy = false;
      });
      workers.push(w);
    }
  }
  let disposed = false;

  function drop(w: NoiseWorker): void {
    if (!w.healthy) return;
    w.healthy = false;
    void w.worker.terminate();
  }

  const draw: NoiseDraw = (out, outOffset, req, k0, k1, base, baseOffset, scale, clip, family) => {
    if (disposed) throw new RsError('RS_DISPOSED', 'noise generator has been disposed');
    const { dim, sampleCount } = req;
    const drawLocally = (rowStart: number, rows: number) => {
      const part = { ...req, sampleStart: req.sampleStart + rowStart, sampleCount: rows };
      if (base) local.fillNoisy(out, outOffset + rowStart * dim, part, base, baseOffset, scale, clip);
      else local.fillStandard!(out, outOffset + rowStart * dim, part);
    };
    const wanted = dim > WASM_MAX_DIM ? 1 : Math.min(threads, Math.floor((sampleCount * dim) / minFloatsPerThread));
    if (wanted > 1 && !started) start();
    const healthy = workers.filter((w) => w.healthy);
    const parts = Math.min(healthy.length + 1, wanted);
    if (parts <= 1) {
      drawLocally(0, sampleCount);
      return;
    }
    const per = Math.ceil(sampleCount / parts);
    const baseCopy = base ? base.slice(baseOffset, baseOffset + dim) : null;
    const lo = clip ? clip.min.slice(0, dim) : null;
    const hi = clip ? clip.max.slice(0, dim) : null;
    const posted: { w: NoiseWorker; rowStart: number; rows: number }[] = [];
    for (let p = 1; p < parts; p++) {
      const rowStart = p * per;
      const rows = Math.min(per, sampleCount - rowStart);
      if (rows <= 0) break;
      const w = healthy[p - 1]!;
      if (w.scratch.byteLength < rows * dim * 4) w.scratch = new SharedArrayBuffer(rows * dim * 4);
      const job: NoiseWorkerJob = {
        out: w.scratch,
        mode: kernelMode(base, clip),
        k0,
        k1,
        stream: req.stream,
        input: req.inputIndex,
        j0: req.sampleStart + rowStart,
        rows,
        dim,
        scale,
        family,
        base: baseCopy,
        lo,
        hi,
        layout: kernelLayout(dim, rows),
      };
      Atomics.store(control, 2 * w.slot, JOB_STATE.pending);
      w.worker.postMessage(job);
      posted.push({ w, rowStart, rows });
    }
    drawLocally(0, per);
    for (const { w, rowStart, rows } of posted) {
      // A worker that could not start (or start in time) never answers: do not wait timeoutMs per job for it.
      Atomics.wait(control, 2 * w.slot + 1, 0, timeoutMs);
      const ready = Atomics.load(control, 2 * w.slot + 1) === JOB_STATE.started;
      if (ready) Atomics.wait(control, 2 * w.slot, JOB_STATE.pending, timeoutMs);
      if (ready && Atomics.load(control, 2 * w.slot) === JOB_STATE.done) {
        out.set(new Float32Array(w.scratch, 0, rows * dim), outOffset + rowStart * dim);
      } else {
        drop(w);
        drawLocally(rowStart, rows);
      }
    }
  };

  return {
    get name() {
      return `wasm-simd x${this.threads} threads`;
    },
    get threads() {
      if (disposed) return 0;
      return started ? 1 + workers.filter((w) => w.healthy).length : threads;
    },
    ...checkedFills(draw),
    // The sound mode's copies on the calling thread (the WASM kernel; not split over the workers).
    fillSound: (...args) => {
      if (disposed) throw new RsError('RS_DISPOSED', 'noise generator has been disposed');
      local.fillSound!(...args);
    },
    dispose(): void {
      if (disposed) return;
      disposed = true;
      for (const w of workers) drop(w);
      local.dispose?.();
    },
  };
}
