import type { Redis } from 'ioredis';
import { QueueError } from './errors.js';
import type { QueueKeys } from './keys.js';
import { parseRunSpec, type RunSpec } from './run-spec.js';

/**
 * The life of a run: `active` (jobs may run), `cancelled` (`rsmooth queue cancel`), `collected`
 * (a submitter wrote every result to its file).
 *
 * @example
 * if (run.state === 'cancelled') throw new RunCancelledError(`run ${run.spec.runId} was cancelled`);
 */
export type RunState = 'active' | 'cancelled' | 'collected';

/**
 * A run's record in Redis.
 *
 * @example
 * const run = await readRun(redis, keys, runId); // null when there is none
 */
export interface StoredRun {
  spec: RunSpec;
  state: RunState;
  /** ms since the epoch */
  created: number;
  updated: number;
}

/**
 * Reads and validates a run's record; null when Redis has none (never submitted, cleaned, or lost
 * with a Redis restarted without persistence).
 *
 * @example
 * const run = await readRun(redis, queueKeys('rsmooth'), '4be1c0d2e3f4a5b6c7d8e9f0');
 */
export async function readRun(redis: Redis, keys: QueueKeys, runId: string): Promise<StoredRun | null> {
  const [spec, state, created, updated] = await redis.hmget(keys.run(runId), 'spec', 'state', 'created', 'updated');
  if (spec === null) return null;
  let json: unknown;
  try {
    json = JSON.parse(spec);
  } catch {
    throw new QueueError(`run ${runId}: its stored description is not JSON`);
  }
  return {
    spec: parseRunSpec(json, `run ${runId}`),
    state: state === 'cancelled' || state === 'collected' ? state : 'active',
    created: Number(created ?? 0),
    updated: Number(updated ?? 0),
  };
}

/**
 * Ids of every run in Redis, oldest first.
 *
 * @example
 * for (const id of await listRunIds(redis, keys)) console.log(id);
 */
export async function listRunIds(redis: Redis, keys: QueueKeys): Promise<string[]> {
  return redis.zrange(keys.runs, '0', '-1');
}

/**
 * Sets a run's state (and its `updated` time).
 *
 * @example
 * await setRunState(redis, keys, runId, 'collected');
 */
export async function setRunState(redis: Redis, keys: QueueKeys, runId: string, state: RunState): Promise<void> {
  await redis.hset(keys.run(runId), 'state', state, 'updated', String(Date.now()));
}

/**
 * Results stored for `ids` (null where none), read in chunks.
 *
 * @example
 * const values = await readResults(redis, keys, runId, [0, 20, 40]);
 */
export async function readResults(redis: Redis, keys: QueueKeys, runId: string, ids: readonly number[]): Promise<(string | null)[]> {
  const out: (string | null)[] = [];
  for (let i = 0; i < ids.length; i += 1000) {
    const chunk = ids.slice(i, i + 1000).map(String);
    if (chunk.length > 0) out.push(...(await redis.hmget(keys.results(runId), ...chunk)));
  }
  return out;
}
