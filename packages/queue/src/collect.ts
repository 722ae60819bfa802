import type { Redis } from 'ioredis';
import { runQueue } from './bull-queue.js';
import { abortable, sleep } from './abortable.js';
import { type FailedJob, RunCancelledError, RunFailedError } from './errors.js';
import { listWorkers } from './heartbeat.js';
import { queueKeys } from './keys.js';
import { readResults, readRun, setRunState } from './run-store.js';
import type { RunSpec } from './run-spec.js';
import { submitRun } from './submit.js';

/**
 * Where a run stands, as the collector sees it at each poll.
 *
 * @example
 * onProgress: (p) => console.error(`${p.stored}/${p.total}, ${p.workers} workers, ${Math.round(p.samplesPerSecond)} samples/s`)
 */
export interface RunProgress {
  runId: string;
  total: number;
  /** Positions handed to `onResult` so far (including `from`). */
  collected: number;
  /** Results stored in Redis (in any order). */
  stored: number;
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  /** Workers alive that serve this run. */
  workers: number;
  /** Noisy samples per second across workers: from results stored over the last minute, else the workers' own figures. */
  samplesPerSecond: number;
}

/**
 * Options of {@link collectRun}.
 *
 * @example
 * await collectRun(redis, 'rsmooth', { spec, from: 0, onResult: (idx, value) => rows.push(JSON.parse(value)) });
 */
export interface CollectOptions {
  /** The run (as {@link submitRun} returned it). */
  spec: RunSpec;
  /** Positions (in `spec.inputs`) already collected by an earlier collector: start after them. */
  from?: number;
  /** Called once per input, in the order of `spec.inputs`, when its result is stored. */
  onResult: (inputId: number, value: string, position: number) => void | Promise<void>;
  onProgress?: (p: RunProgress) => void;
  /** Warnings: failed attempts, lost data being submitted again. */
  log?: (message: string) => void;
  signal?: AbortSignal;
  /** ms between polls when no result is ready (default 500). */
  pollMs?: number;
}

/**
 * Collects a run's results in input order: hands each stored result to `onResult` exactly once,
 * position after position, waiting for the next one when it is not there yet; marks the run
 * `collected` at the end. Results live in Redis until `cleanRuns`, so a collector killed at any
 * moment can be started again with `from` = what it had written.
 *
 * It also watches the run: if Redis lost the run (restarted without persistence, or cleaned), it
 * submits what is not yet collected again; if jobs are missing for inputs without results, it
 * re-adds them; when jobs failed every attempt and nothing else can run, it throws
 * {@link RunFailedError} (what was collected stays collected); a cancelled run throws
 * {@link RunCancelledError}.
 *
 * @example
 * const { spec } = await submitRun(redis, 'rsmooth', createRunSpec({ settings, task, inputs, samplesPerInput }));
 * await collectRun(redis, 'rsmooth', { spec, onResult: (idx, value) => out.write(`${idx}\t${value}\n`) });
 */
export async function collectRun(redis: Redis, prefix: string, o: CollectOptions): Promise<void> {
  const keys = queueKeys(prefix);
  const { spec, signal } = o;
  const runId = spec.runId;
  const total = spec.inputs.length;
  const pollMs = o.pollMs ?? 500;
  const log = o.log ?? (() => {});
  const queue = runQueue(redis, keys, runId);
  const window: { t: number; stored: number }[] = [];
  const reported = new Set<string>();
  let pos = Math.max(0, o.from ?? 0);
  let lastCheck = 0;
  try {
    while (pos < total) {
      const ids = spec.inputs.slice(pos, pos + 256);
      const values = await abortable(readResults(redis, keys, runId, ids), signal);
      let k = 0;
      while (k < values.length && values[k] !== null) {
        await o.onResult(ids[k]!, values[k]!, pos + k);
        k++;
      }
      pos += k;
      if (pos >= total) break;
      const now = Date.now();
      if (k > 0 && now - lastCheck < pollMs) continue;
      if (now - lastCheck >= pollMs) {
        lastCheck = now;
        await abortable(check(), signal);
      }
      if (k === 0) await sleep(pollMs, signal);
    }
    await abortable(setRunState(redis, keys, runId, 'collected'), signal);
  } finally {
    await queue.close().catch(() => {});
  }

  async function check(): Promise<void> {
    const run = await readRun(redis, keys, runId);
    if (run === null) {
      log(`run ${runId} is gone from Redis (restarted without persistence, or cleaned): submitting its ${total - pos} inputs not yet collected again`);
      await submitRun(redis, prefix, spec, { from: pos });
      return;
    }
    if (run.state === 'cancelled') throw new RunCancelledError(`run ${runId} was cancelled (rsmooth queue cancel); ${pos} of ${total} results were collected`);
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed');
    const stored = await redis.hlen(keys.results(runId));
    const workers = (await listWorkers(redis, keys)).filter((w) => w.run === runId);
    const pending = (counts.waiting ?? 0) + (counts.active ?? 0) + (counts.delayed ?? 0) + (counts.prioritized ?? 0);
    const failures = (counts.failed ?? 0) > 0 ? await failedJobs() : [];
    for (const f of failures) {
      const key = `${f.jobId}:${f.reason}`;
      if (!reported.has(key)) {
        reported.add(key);
        log(`job ${f.jobId} (inputs ${f.inputs.join(', ')}) failed all ${f.attempts} attempts: ${f.reason}`);
      }
    }
    if (pending === 0) {
      // Read after the counts: a job that finished in between has its result stored by now.
      const rest = spec.inputs.slice(pos);
      const values = await readResults(redis, keys, runId, rest);
      const missing = values.filter((v) => v === null).length;
      if (missing > 0 && failures.length > 0) {
        throw new RunFailedError(
          `run ${runId}: ${failures.length} job${failures.length === 1 ? '' : 's'} failed all attempts and nothing else is left to run (${pos} of ${total} results collected); submit the run again to retry them`,
          failures,
        );
      }
      if (missing > 0) {
        log(`run ${runId}: ${missing} inputs have neither a result nor a job (lost by Redis?): submitting them again`);
        await submitRun(redis, prefix, spec, { from: pos });
      }
    }
    const now = Date.now();
    window.push({ t: now, stored });
    while (window.length > 2 && now - window[0]!.t > 60_000) window.shift();
    const first = window[0]!;
    const observed = now > first.t && stored > first.stored ? ((stored - first.stored) * spec.samplesPerInput) / ((now - first.t) / 1000) : 0;
    const reportedRate = workers.reduce((a, w) => a + (w.samplesPerSecond || 0), 0);
    o.onProgress?.({
      runId,
      total,
      collected: pos,
      stored,
      waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
      active: counts.active ?? 0,
      delayed: counts.delayed ?? 0,
      failed: counts.failed ?? 0,
      workers: workers.length,
      samplesPerSecond: observed > 0 ? observed : reportedRate,
    });
  }

  async function failedJobs(): Promise<FailedJob[]> {
    const jobs = await queue.getFailed(0, -1);
    return jobs.map((j) => ({
      jobId: j.id ?? '?',
      inputs: Array.isArray(j.data?.inputs) ? j.data.inputs : [],
      reason: j.failedReason ?? 'unknown error',
      attempts: j.attemptsMade,
    }));
  }
}
