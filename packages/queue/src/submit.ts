import type { Redis } from 'ioredis';
import { runQueue } from './bull-queue.js';
import { QueueError } from './errors.js';
import { jobIdAt, queueKeys } from './keys.js';
import { readResults, readRun } from './run-store.js';
import { groupAt, type RunSpec } from './run-spec.js';

/**
 * What {@link submitRun} did.
 *
 * @example
 * const { created, jobsAdded, jobsRetried } = await submitRun(redis, 'rsmooth', spec);
 */
export interface SubmitResult {
  /** The run as stored: the first submission's description when the run already existed. */
  spec: RunSpec;
  /** True when this call created the run. */
  created: boolean;
  /** True when a cancelled or collected run was made active again. */
  reactivated: boolean;
  /** Jobs added (groups with an input that has no stored result and no job). */
  jobsAdded: number;
  /** Failed jobs put back to run again. */
  jobsRetried: number;
  /** Inputs from `from` on whose results are already stored. */
  stored: number;
}

/**
 * The data of one job.
 *
 * @example
 * const { inputs, position } = job.data as JobData;
 */
export interface JobData {
  /** Input ids (dataset indices). */
  inputs: number[];
  /** Position of the first of them in the run's input list. */
  position: number;
}

/**
 * Submits a run: stores its description under its id (once: a second submission reuses the first's
 * description, so workers keep one view of it), then adds one BullMQ job per group of `spec.group`
 * inputs, from position `from` on, for the groups that still miss a result. Job ids are the group's
 * position, so submitting again adds nothing that is queued, running or done; jobs that failed every
 * attempt are put back to run again (that is how a user retries them). Each job has `spec.attempts`
 * attempts with exponential backoff from `spec.backoffMs`.
 *
 * @example
 * const spec = createRunSpec({ settings, task, inputs, samplesPerInput: 100_100 });
 * const r = await submitRun(redis, 'rsmooth', spec);
 * console.log(`${r.created ? 'submitted' : 'resubmitted'} run ${r.spec.runId}: ${r.jobsAdded} jobs added`);
 */
export async function submitRun(redis: Redis, prefix: string, spec: RunSpec, o: { from?: number } = {}): Promise<SubmitResult> {
  const keys = queueKeys(prefix);
  const runId = spec.runId;
  const now = String(Date.now());
  const created = (await redis.hsetnx(keys.run(runId), 'spec', JSON.stringify(spec))) === 1;
  const stored = created ? { spec, state: 'active' as const } : await readRun(redis, keys, runId);
  if (!stored) throw new QueueError(`run ${runId} disappeared while it was being submitted`);
  const s = stored.spec;
  if (s.inputs.length !== spec.inputs.length || s.inputs.some((v, i) => v !== spec.inputs[i]))
    throw new QueueError(`run ${runId} is stored with other inputs than this submission's (its settings should have decided them)`);
  const reactivated = !created && stored.state !== 'active';
  await redis.multi().hsetnx(keys.run(runId), 'created', now).hset(keys.run(runId), 'state', 'active', 'updated', now).zadd(keys.runs, 'NX', now, runId).exec();
  const from = Math.max(0, o.from ?? 0);
  const pending = s.inputs.slice(from);
  const values = await readResults(redis, keys, runId, pending);
  const missing = new Set<number>();
  values.forEach((v, i) => {
    if (v === null) missing.add(from + i);
  });
  const starts: number[] = [];
  for (let p = Math.floor(from / s.group) * s.group; p < s.inputs.length; p += s.group) {
    for (let q = Math.max(p, from); q < Math.min(p + s.group, s.inputs.length); q++) {
      if (missing.has(q)) {
        starts.push(p);
        break;
      }
    }
  }
  const queue = runQueue(redis, keys, runId);
  try {
    let jobsAdded = 0;
    let jobsRetried = 0;
    const wanted = new Set(starts.map(jobIdAt));
    for (let i = 0; i < starts.length; i += 500) {
      const chunk = starts.slice(i, i + 500);
      const exists = (await redis.pipeline(chunk.map((p) => ['exists', queue.toKey(jobIdAt(p))])).exec()) ?? [];
      const add = chunk.filter((_, j) => exists[j]?.[1] === 0);
      if (add.length === 0) continue;
      await queue.addBulk(
        add.map((p) => ({
          name: 'inputs',
          data: { inputs: groupAt(s, p), position: p },
          opts: {
            jobId: jobIdAt(p),
            attempts: s.attempts,
            backoff: { type: 'exponential', delay: s.backoffMs },
            removeOnComplete: { count: 0 },
            removeOnFail: false,
          },
        })),
      );
      jobsAdded += add.length;
    }
    if (wanted.size > 0) {
      for (const job of await queue.getFailed(0, -1)) {
        if (job.id !== undefined && wanted.has(job.id)) {
          await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
          jobsRetried++;
        }
      }
    }
    return { spec: s, created, reactivated, jobsAdded, jobsRetried, stored: pending.length - missing.size };
  } finally {
    await queue.close();
  }
}
