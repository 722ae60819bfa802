import { availableParallelism } from 'node:os';
import type { HostSamplingPlan } from '@rs/core';
import { createThreadedNoiseGenerator, type ThreadedNoiseGenerator } from '@rs/core/node';

/** What {@link onnxHostSampling} needs to know about the session. */
export interface HostSamplingSettings {
  deviceType: 'cpu' | 'gpu';
  /** ONNX Runtime's intra-op threads (undefined: its default, one per core). */
  intraOpNumThreads: number | undefined;
  noiseThreads: 'auto' | number;
}

/**
 * How core draws the noisy copies for an ONNX Runtime session (the classifier's `hostSampling`).
 *
 * On the CPU provider ONNX Runtime's intra-op pool already keeps every core busy during a run;
 * drawing the next batch's noise beside it stalls the pool at its barriers (measured on the 2-core
 * dev box, fixture CNN, batch 1000: 0.78-0.80x of the raw run rate, no better than drawing the
 * noise on one thread between runs), so when ONNX Runtime uses all cores the noise is drawn between
 * runs, split over as many threads as ONNX Runtime uses. When ONNX Runtime leaves cores free, or
 * runs on a GPU, the next batch is drawn while the current one runs.
 */
export function onnxHostSampling(s: HostSamplingSettings): { plan: HostSamplingPlan; generator: ThreadedNoiseGenerator | undefined } {
  const cores = availableParallelism();
  const ortThreads = Math.min(s.intraOpNumThreads ?? cores, cores);
  const overlap = s.deviceType === 'gpu' || ortThreads < cores;
  const threads = s.noiseThreads === 'auto' ? Math.min(s.deviceType === 'gpu' ? cores : ortThreads, 8) : s.noiseThreads;
  const generator = threads > 1 ? createThreadedNoiseGenerator({ threads }) : undefined;
  return { plan: Object.freeze({ overlap, ...(generator ? { noise: generator } : {}) }), generator };
}
