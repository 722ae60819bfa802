import type { Redis } from 'ioredis';
import type { RunSpec } from './run-spec.js';

/**
 * What a worker runs: opened once per run (after checking it can serve the run exactly), then
 * called with the input ids of each job. Results are strings (JSON, usually), one per input, in order.
 *
 * @example
 * const executor: RunExecutor = {
 *   run: async (inputs, { signal }) => ({ results: inputs.map((i) => JSON.stringify(certifyOne(i, signal))), samples: inputs.length * 100_100 }),
 *   dispose: async () => {},
 * };
 */
export interface RunExecutor {
  run(inputs: number[], o: { signal: AbortSignal }): Promise<{ results: string[]; samples: number }>;
  dispose(): Promise<void>;
}

/**
 * Options of {@link startQueueWorker}.
 *
 * @example
 * startQueueWorker({ redis, prefix: 'rsmooth', open: async (spec) => openMyExecutor(spec), concurrency: 1 });
 */
export interface QueueWorkerOptions {
  /** A connection from {@link connectQueue} (BullMQ needs `maxRetriesPerRequest: null`). */
  redis: Redis;
  prefix: string;
  /**
   * Opens a run: check the model and data against `spec.settings` and throw a
   * {@link RunRefusedError} on any difference. Any error refuses the run.
   */
  open(spec: RunSpec): Promise<RunExecutor>;
  /** Jobs at once (default 1). */
  concurrency?: number;
  /** Serve only this run (default: every active run, oldest first, one at a time). */
  runId?: string;
  /** A job whose lock is not renewed for this long is stalled and runs again elsewhere (default 30,000 ms). */
  lockDurationMs?: number;
  /** How often to look for stalled jobs (default 15,000 ms). */
  stalledIntervalMs?: number;
  /** A job that stalls more often than this fails (default 2). */
  maxStalledCount?: number;
  /** Heartbeat period (default 5,000 ms); a heartbeat lives three periods. */
  heartbeatMs?: number;
  /** How often to look for runs, and at the served run's state (default 500 ms). */
  pollMs?: number;
  /** Stop once no run has had work for this long, in ms (0: as soon as none has; default: never, wait for runs). */
  idleExitMs?: number;
  /** Shown in heartbeats: backend, device, threads, ... */
  details?: Record<string, unknown>;
  log?: (message: string) => void;
}

/**
 * What a worker did, when it stopped.
 *
 * @example
 * const { jobsDone, inputsDone } = await worker.done;
 */
export interface WorkerSummary {
  jobsDone: number;
  inputsDone: number;
  jobsFailed: number;
}

/**
 * A running worker.
 *
 * @example
 * process.once('SIGTERM', () => void worker.stop({ graceMs: 20_000 }));
 * await worker.done;
 */
export interface QueueWorker {
  readonly id: string;
  /** Settles when the worker has stopped: rejects when it refused a run or failed. */
  readonly done: Promise<WorkerSummary>;
  /**
   * Stops taking jobs; running jobs may finish for `graceMs` (default 30,000), then they are
   * interrupted and returned to the queue (no attempt counted). Resolves like `done`.
   */
  stop(o?: { graceMs?: number }): Promise<WorkerSummary>;
}
