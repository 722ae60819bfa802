/**
 * The Redis keys of a queue under one prefix P. Everything this project writes starts with `P:`,
 * so an ACL rule `~P:*` covers it:
 *
 * - `P:runs` sorted set of run ids (score: creation time, ms);
 * - `P:run:<id>` hash: `spec` (JSON), `state` (`active`, `cancelled`, `collected`), `created`, `updated`;
 * - `P:run:<id>:results` hash: input id -> result (JSON), written once (HSETNX);
 * - `P:run:<id>:refusals` list: workers that refused the run, and why (last 20);
 * - `P:workers` set of worker ids, `P:worker:<id>` heartbeat (JSON, expires);
 * - BullMQ's keys of the run's queue `run-<id>`: `P:run-<id>:*`.
 *
 * @example
 * const k = queueKeys('rsmooth');
 * await redis.hlen(k.results('4be1...'));
 */
export function queueKeys(prefix: string) {
  return {
    prefix,
    runs: `${prefix}:runs`,
    run: (runId: string) => `${prefix}:run:${runId}`,
    results: (runId: string) => `${prefix}:run:${runId}:results`,
    refusals: (runId: string) => `${prefix}:run:${runId}:refusals`,
    workers: `${prefix}:workers`,
    worker: (workerId: string) => `${prefix}:worker:${workerId}`,
    /** BullMQ queue name of a run (BullMQ's own prefix is `prefix`). */
    queueName: (runId: string) => `run-${runId}`,
  };
}

/**
 * The key layout of one prefix, from {@link queueKeys}.
 *
 * @example
 * const k: QueueKeys = queueKeys('rsmooth');
 */
export type QueueKeys = ReturnType<typeof queueKeys>;

/**
 * The BullMQ job id of the group starting at `position` (0-based, in the run's input list).
 *
 * @example
 * jobIdAt(40); // 'p40'
 */
export function jobIdAt(position: number): string {
  return `p${position}`;
}
