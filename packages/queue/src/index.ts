/**
 * `@rs/queue`: randomized smoothing runs across many machines on a BullMQ job queue in Redis.
 * A submitter stores a run (its id derived from the settings, the model's and the data's SHA-256)
 * and one job per input or group; workers anywhere check they have the same model and data, run
 * the jobs and store each result once; the submitter collects the results in input order.
 */
export { parseQueueUrl, redact, hostPort, QUEUE_PASSWORD_ENV, DEFAULT_PREFIX, type QueueTarget } from './redis-url.js';
export { connectQueue, backoffDelay, explainRedisError, type ConnectOptions } from './connection.js';
export { QueueError, RunRefusedError, RunFailedError, RunCancelledError, type FailedJob, type QueueErrorCode } from './errors.js';
export { queueKeys, jobIdAt, type QueueKeys } from './keys.js';
export { canonicalJson, runIdFor } from './run-id.js';
export { createRunSpec, parseRunSpec, groupAt, RUN_SPEC_FORMAT, type RunSpec } from './run-spec.js';
export { readRun, listRunIds, setRunState, readResults, type RunState, type StoredRun } from './run-store.js';
export { submitRun, type SubmitResult, type JobData } from './submit.js';
export { collectRun, type CollectOptions, type RunProgress } from './collect.js';
export { startQueueWorker, type QueueWorker, type QueueWorkerOptions, type RunExecutor, type WorkerSummary } from './worker.js';
export { listWorkers, writeHeartbeat, removeHeartbeat, type WorkerHeartbeat } from './heartbeat.js';
export { WorkerStats } from './worker-stats.js';
export { queueStatus, cancelRun, cleanRuns, type RunStatus } from './admin.js';
export { sleep, abortable } from './abortable.js';
export type { Redis } from 'ioredis';
