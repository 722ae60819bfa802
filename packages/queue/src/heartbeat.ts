import type { Redis } from 'ioredis';
import type { QueueKeys } from './keys.js';

/**
 * What a worker says about itself every few seconds (its heartbeat), as `rsmooth queue status`
 * shows it. A worker whose heartbeat is older than its time to live is gone (killed, its machine
 * down, cut off from Redis).
 *
 * @example
 * const alive = (await listWorkers(redis, keys)).filter((w) => w.run === runId).length;
 */
export interface WorkerHeartbeat {
  id: string;
  host: string;
  pid: number;
  startedAt: string;
  /** ms since the epoch, when this heartbeat was written */
  lastSeen: number;
  /** `starting`, `idle` (no run with work), `working`, `stopping` */
  state: 'starting' | 'idle' | 'working' | 'stopping';
  /** The run it serves, or null. */
  run: string | null;
  jobsDone: number;
  inputsDone: number;
  jobsFailed: number;
  /** Noisy samples per second over its recent jobs. */
  samplesPerSecond: number;
  /** Input ids of the jobs it runs now. */
  current: number[];
  /** Free-form: backend, device, threads, batch, concurrency, version. */
  details: Record<string, unknown>;
}

/**
 * Writes a heartbeat that expires after `ttlMs` (three heartbeat periods is usual).
 *
 * @example
 * await writeHeartbeat(redis, keys, beat, 15_000);
 */
export async function writeHeartbeat(redis: Redis, keys: QueueKeys, beat: WorkerHeartbeat, ttlMs: number): Promise<void> {
  await redis.multi().set(keys.worker(beat.id), JSON.stringify(beat), 'PX', ttlMs).sadd(keys.workers, beat.id).exec();
}

/**
 * Removes a worker's heartbeat (it is stopping for good).
 *
 * @example
 * await removeHeartbeat(redis, keys, workerId);
 */
export async function removeHeartbeat(redis: Redis, keys: QueueKeys, workerId: string): Promise<void> {
  await redis.multi().del(keys.worker(workerId)).srem(keys.workers, workerId).exec();
}

/**
 * The workers whose heartbeat has not expired, oldest first; ids whose heartbeat expired are
 * dropped from the set.
 *
 * @example
 * for (const w of await listWorkers(redis, keys)) console.log(w.host, w.pid, w.state, w.run);
 */
export async function listWorkers(redis: Redis, keys: QueueKeys): Promise<WorkerHeartbeat[]> {
  const ids = await redis.smembers(keys.workers);
  if (ids.length === 0) return [];
  const values = await redis.mget(...ids.map((id) => keys.worker(id)));
  const alive: WorkerHeartbeat[] = [];
  const gone: string[] = [];
  values.forEach((v, i) => {
    if (v === null) {
      gone.push(ids[i]!);
      return;
    }
    try {
      alive.push(JSON.parse(v) as WorkerHeartbeat);
    } catch {
      gone.push(ids[i]!);
    }
  });
  if (gone.length > 0) await redis.srem(keys.workers, ...gone);
  return alive.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}
