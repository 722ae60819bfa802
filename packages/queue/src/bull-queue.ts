import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { QueueKeys } from './keys.js';
import type { JobData } from './submit.js';

/**
 * The BullMQ queue of a run, on a shared connection. Connection errors are reported by the
 * connection itself ({@link connectQueue}'s `log`), so the queue's own copies of them are dropped
 * (BullMQ would print each to the console).
 */
export function runQueue(redis: Redis, keys: QueueKeys, runId: string): Queue<JobData> {
  const q = new Queue<JobData>(keys.queueName(runId), { connection: redis, prefix: keys.prefix });
  q.on('error', () => {});
  return q;
}
