import type { Redis } from 'ioredis';
import { runQueue } from './bull-queue.js';
import { QueueError, type FailedJob } from './errors.js';
import { listWorkers, type WorkerHeartbeat } from './heartbeat.js';
import { queueKeys } from './keys.js';
import { listRunIds, readRun, setRunState, type RunState } from './run-store.js';
import type { RunSpec } from './run-spec.js';

/**
 * A run's progress and problems, for `rsmooth queue status`.
 *
 * @example
 * for (const r of await runStatus(redis, 'rsmooth')) console.log(r.runId, r.state, `${r.stored}/${r.total}`);
 */
export interface RunStatus {
  runId: string;
  state: RunState;
  created: number;
  settings: Record<string, unknown>;
  submitter: string;
  total: number;
  /** Results stored. */
  stored: number;
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  /** Jobs that failed all their attempts, with their last error. */
  failures: FailedJob[];
  /** Workers that refused the run, and why (newest first). */
  refusals: { worker: string; at: string; reason: string }[];
  /** Workers alive that serve it. */
  workers: WorkerHeartbeat[];
}

/**
 * The status of every run (or of `runId`), oldest first, and every worker alive.
 *
 * @example
 * const { runs, workers } = await queueStatus(redis, 'rsmooth');
 */
export async function queueStatus(redis: Redis, prefix: string, o: { runId?: string } = {}): Promise<{ runs: RunStatus[]; workers: WorkerHeartbeat[] }> {
  const keys = queueKeys(prefix);
  const workers = await listWorkers(redis, keys);
  const ids = o.runId ? [o.runId] : await listRunIds(redis, keys);
  const runs: RunStatus[] = [];
  for (const id of ids) {
    const run = await readRun(redis, keys, id);
    if (run === null) {
      if (o.runId) throw new QueueError(`no run ${id} in this queue`);
      continue;
    }
    const q = runQueue(redis, keys, id);
    try {
      const c = await q.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed');
      const failedJobs = (c.failed ?? 0) > 0 ? await q.getFailed(0, 99) : [];
      const refusals = (await redis.lrange(keys.refusals(id), 0, 19)).flatMap((s) => {
        try {
          return [JSON.parse(s) as RunStatus['refusals'][number]];
        } catch {
          return [];
        }
      });
      runs.push({
        runId: id,
        state: run.state,
        created: run.created,
        settings: run.spec.settings,
        submitter: run.spec.submitter,
        total: run.spec.inputs.length,
        stored: await redis.hlen(keys.results(id)),
        waiting: (c.waiting ?? 0) + (c.prioritized ?? 0),
        active: c.active ?? 0,
        delayed: c.delayed ?? 0,
        failed: c.failed ?? 0,
        failures: failedJobs.map((j) => ({
          jobId: j.id ?? '?',
          inputs: Array.isArray(j.data?.inputs) ? j.data.inputs : [],
          reason: j.failedReason ?? 'unknown error',
          attempts: j.attemptsMade,
        })),
        refusals,
        workers: workers.filter((w) => w.run === id),
      });
    } finally {
      await q.close();
    }
  }
  return { runs, workers };
}

/**
 * Cancels a run: marks it `cancelled` (workers abort its jobs within a poll period, a collector
 * stops with an error) and removes its queued jobs. Stored results stay until {@link cleanRuns}.
 *
 * @example
 * await cancelRun(redis, 'rsmooth', '4be1c0d2e3f4a5b6c7d8e9f0');
 */
export async function cancelRun(redis: Redis, prefix: string, runId: string): Promise<RunSpec> {
  const keys = queueKeys(prefix);
  const run = await readRun(redis, keys, runId);
  if (run === null) throw new QueueError(`no run ${runId} in this queue`);
  await setRunState(redis, keys, runId, 'cancelled');
  const q = runQueue(redis, keys, runId);
  try {
    await q.obliterate({ force: true });
  } finally {
    await q.close();
  }
  return run.spec;
}

/**
 * Removes finished runs' data: description, stored results, refusals and BullMQ keys. By default the
 * runs that were collected or cancelled; `runId` removes that run whatever its state (its results
 * are lost: a collector still running would submit it again).
 *
 * @example
 * const removed = await cleanRuns(redis, 'rsmooth'); // ids of the runs removed
 */
export async function cleanRuns(redis: Redis, prefix: string, o: { runId?: string } = {}): Promise<string[]> {
  const keys = queueKeys(prefix);
  const ids = o.runId ? [o.runId] : await listRunIds(redis, keys);
  const removed: string[] = [];
  for (const id of ids) {
    let state: RunState | 'unreadable' = 'unreadable';
    try {
      const run = await readRun(redis, keys, id);
      if (run === null && o.runId) throw new QueueError(`no run ${id} in this queue`);
      if (run) state = run.state;
    } catch (err) {
      if (err instanceof QueueError && o.runId && /^no run/.test(err.message)) throw err;
    }
    if (!o.runId && state === 'active') continue;
    const q = runQueue(redis, keys, id);
    try {
      await q.obliterate({ force: true });
    } finally {
      await q.close();
    }
    await redis.multi().del(keys.run(id), keys.results(id), keys.refusals(id)).zrem(keys.runs, id).exec();
    removed.push(id);
  }
  await listWorkers(redis, keys); // drops the ids of workers whose heartbeat expired
  return removed;
}
