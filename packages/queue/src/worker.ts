import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { type Job, WaitingError, Worker } from 'bullmq';
import { runQueue } from './bull-queue.js';
import { sleep } from './abortable.js';
import { QueueError, RunRefusedError } from './errors.js';
import { removeHeartbeat, type WorkerHeartbeat, writeHeartbeat } from './heartbeat.js';
import { queueKeys } from './keys.js';
import { listRunIds, readRun, type StoredRun } from './run-store.js';
import type { RunSpec } from './run-spec.js';
import type { JobData } from './submit.js';
import { WorkerStats } from './worker-stats.js';
import type { QueueWorker, QueueWorkerOptions, RunExecutor, WorkerSummary } from './worker-types.js';

export type { QueueWorker, QueueWorkerOptions, RunExecutor, WorkerSummary } from './worker-types.js';

/**
 * Starts a worker: picks the oldest active run that has jobs (or `runId`), opens it (where the
 * executor checks the model and data against the run's SHA-256 before any job), then takes its
 * jobs through BullMQ with `concurrency` at a time. Each job's results are stored with HSETNX
 * (first writer wins) before the job is acknowledged, and inputs that already have a result are
 * skipped, so a job delivered twice (a stalled lock, a retry) stores nothing twice. Writes a
 * heartbeat every `heartbeatMs`. Lost connections are retried by the connection itself.
 *
 * @example
 * const worker = startQueueWorker({ redis, prefix: 'rsmooth', open: openExecutor, log: console.error });
 * process.once('SIGTERM', () => void worker.stop());
 * const { inputsDone } = await worker.done;
 */
export function startQueueWorker(o: QueueWorkerOptions): QueueWorker {
  return new QueueWorkerImpl(o);
}

class QueueWorkerImpl implements QueueWorker {
  readonly id = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  readonly done: Promise<WorkerSummary>;
  readonly #o: Required<Omit<QueueWorkerOptions, 'runId' | 'details' | 'log'>> & Pick<QueueWorkerOptions, 'runId'>;
  readonly #keys;
  readonly #log: (m: string) => void;
  readonly #details: Record<string, unknown>;
  readonly #stop = new AbortController();
  readonly #jobs = new Set<AbortController>();
  readonly #stats = new WorkerStats();
  readonly #startedAt = new Date().toISOString();
  readonly #lastMessage = new Map<string, number>();
  #state: WorkerHeartbeat['state'] = 'starting';
  #run: string | null = null;
  #returning = false;
  #graceTimer: NodeJS.Timeout | null = null;

  constructor(o: QueueWorkerOptions) {
    this.#o = {
      concurrency: 1,
      lockDurationMs: 30_000,
      stalledIntervalMs: 15_000,
      maxStalledCount: 2,
      heartbeatMs: 5000,
      pollMs: 500,
      idleExitMs: Number.POSITIVE_INFINITY,
      ...o,
    };
    if (!Number.isInteger(this.#o.concurrency) || this.#o.concurrency < 1) throw new QueueError(`concurrency must be an integer >= 1, got ${o.concurrency}`);
    this.#keys = queueKeys(o.prefix);
    this.#log = o.log ?? (() => {});
    this.#details = o.details ?? {};
    this.done = this.#main();
    this.done.catch(() => {});
  }

  stop(o: { graceMs?: number } = {}): Promise<WorkerSummary> {
    const graceMs = o.graceMs ?? 30_000;
    if (!this.#stop.signal.aborted) {
      this.#state = 'stopping';
      this.#stop.abort(new QueueError('stopping'));
    }
    if (this.#graceTimer) clearTimeout(this.#graceTimer);
    this.#graceTimer = setTimeout(() => this.#returnJobs(), graceMs);
    return this.done;
  }

  #returnJobs(): void {
    this.#returning = true;
    for (const c of this.#jobs) c.abort(new QueueError('the worker is stopping: job returned to the queue'));
  }

  async #main(): Promise<WorkerSummary> {
    const beat = setInterval(() => void this.#heartbeat(), this.#o.heartbeatMs);
    try {
      await this.#heartbeat();
      let idleSince = Date.now();
      while (!this.#stop.signal.aborted) {
        const run = await this.#pickRun();
        if (run === null) {
          if (Date.now() - idleSince >= this.#o.idleExitMs) break;
          this.#state = 'idle';
          this.#run = null;
          await sleep(this.#o.pollMs, this.#stop.signal).catch(() => {});
          continue;
        }
        await this.#serve(run);
        idleSince = Date.now();
      }
      return this.#stats.summary();
    } finally {
      clearInterval(beat);
      if (this.#graceTimer) clearTimeout(this.#graceTimer);
      await removeHeartbeat(this.#o.redis, this.#keys, this.id).catch(() => {});
    }
  }

  async #pickRun(): Promise<StoredRun | null> {
    const { redis } = this.#o;
    const ids = this.#o.runId ? [this.#o.runId] : await listRunIds(redis, this.#keys);
    for (const id of ids) {
      let run: StoredRun | null;
      try {
        run = await readRun(redis, this.#keys, id);
      } catch (err) {
        this.#say(`skipping run ${id}: ${(err as Error).message}`);
        continue;
      }
      if (run === null || run.state !== 'active') continue;
      const q = runQueue(redis, this.#keys, id);
      try {
        if (pendingOf(await q.getJobCounts('waiting', 'active', 'delayed', 'prioritized')) > 0) return run;
      } finally {
        await q.close();
      }
    }
    return null;
  }

  async #serve(run: StoredRun): Promise<void> {
    const { redis, prefix } = this.#o;
    const { spec } = run;
    const runId = spec.runId;
    this.#run = runId;
    this.#state = 'working';
    let executor: RunExecutor;
    try {
      executor = await this.#o.open(spec);
    } catch (err) {
      const reason = (err as Error).message;
      await redis
        .multi()
        .lpush(this.#keys.refusals(runId), JSON.stringify({ worker: this.id, at: new Date().toISOString(), reason }))
        .ltrim(this.#keys.refusals(runId), 0, 19)
        .exec()
        .catch(() => {});
      throw err instanceof RunRefusedError ? err : new RunRefusedError(reason);
    }
    this.#log(`serving run ${runId} (${spec.inputs.length} inputs, ${Math.ceil(spec.inputs.length / spec.group)} jobs)`);
    const allowed = new Set(spec.inputs);
    const worker = new Worker<JobData>(this.#keys.queueName(runId), (job, token, signal) => this.#process(spec, allowed, executor, job, token, signal), {
      connection: redis,
      prefix,
      name: this.id,
      concurrency: this.#o.concurrency,
      lockDuration: this.#o.lockDurationMs,
      stalledInterval: this.#o.stalledIntervalMs,
      maxStalledCount: this.#o.maxStalledCount,
      removeOnComplete: { count: 0 },
      drainDelay: Math.max(1, Math.round(this.#o.pollMs / 1000)),
    });
    worker.on('error', (err) => this.#say(`queue error: ${err.message}`));
    worker.on('failed', (job, err) => {
      if (job && err.name !== 'WaitingError')
        this.#log(`job ${job.id} (inputs ${job.data.inputs.join(', ')}) failed attempt ${job.attemptsMade} of ${spec.attempts}: ${err.message}`);
    });
    worker.on('stalled', (jobId) => this.#log(`job ${jobId} stalled (its worker stopped renewing its lock): it runs again`));
    const q = runQueue(redis, this.#keys, runId);
    try {
      while (!this.#stop.signal.aborted) {
        await sleep(this.#o.pollMs, this.#stop.signal).catch(() => {});
        if (this.#stop.signal.aborted) break;
        const now = await readRun(redis, this.#keys, runId).catch(() => null);
        if (now === null || now.state !== 'active') {
          this.#log(`run ${runId} is ${now === null ? 'gone from Redis' : now.state}: leaving it`);
          // A cancelled run's jobs stop now; others finish (their results are stored even if Redis lost the run).
          if (now?.state === 'cancelled') for (const c of this.#jobs) c.abort(new QueueError(`run ${runId} was cancelled`));
          break;
        }
        if (pendingOf(await q.getJobCounts('waiting', 'active', 'delayed', 'prioritized')) === 0) {
          this.#log(`run ${runId} has no jobs left`);
          break;
        }
      }
    } finally {
      await worker.close();
      await q.close().catch(() => {});
      await executor.dispose();
      this.#run = null;
    }
  }

  async #process(
    spec: RunSpec,
    allowed: Set<number>,
    executor: RunExecutor,
    job: Job<JobData>,
    token: string | undefined,
    signal?: AbortSignal,
  ): Promise<{ stored: number }> {
    const { redis } = this.#o;
    const inputs = job.data?.inputs;
    if (!Array.isArray(inputs) || inputs.length === 0 || !inputs.every((i) => Number.isInteger(i) && allowed.has(i)))
      throw new QueueError(`job ${job.id}: its inputs are not inputs of run ${spec.runId}`);
    const resultsKey = this.#keys.results(spec.runId);
    const have = await redis.hmget(resultsKey, ...inputs.map(String));
    const todo = inputs.filter((_, i) => have[i] === null);
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    this.#jobs.add(controller);
    if (this.#returning) controller.abort(new QueueError('the worker is stopping'));
    const started = Date.now();
    this.#stats.begin(todo);
    try {
      if (todo.length > 0) {
        const r = await executor.run(todo, { signal: controller.signal });
        if (r.results.length !== todo.length) throw new QueueError(`the executor returned ${r.results.length} results for ${todo.length} inputs`);
        const m = redis.multi();
        todo.forEach((id, i) => {
          m.hsetnx(resultsKey, String(id), r.results[i]!);
        });
        await m.exec();
        this.#stats.finish(todo, started, r.samples);
      } else this.#stats.finish(todo, started, 0);
      return { stored: todo.length };
    } catch (err) {
      this.#stats.abandon(todo);
      if (controller.signal.aborted && this.#returning && token !== undefined) {
        await job.moveToWait(token);
        throw new WaitingError();
      }
      this.#stats.failed();
      throw err;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.#jobs.delete(controller);
    }
  }

  async #heartbeat(): Promise<void> {
    const beat: WorkerHeartbeat = {
      id: this.id,
      host: hostname(),
      pid: process.pid,
      startedAt: this.#startedAt,
      lastSeen: Date.now(),
      state: this.#state,
      run: this.#run,
      ...this.#stats.summary(),
      samplesPerSecond: this.#stats.samplesPerSecond(),
      current: this.#stats.current(),
      details: { concurrency: this.#o.concurrency, ...this.#details },
    };
    try {
      await writeHeartbeat(this.#o.redis, this.#keys, beat, 3 * this.#o.heartbeatMs);
    } catch (err) {
      this.#say(`heartbeat: ${(err as Error).message}`);
    }
  }

  /** Logs a message, the same one at most once every 5 s. */
  #say(message: string): void {
    const now = Date.now();
    if (now - (this.#lastMessage.get(message) ?? 0) < 5000) return;
    this.#lastMessage.set(message, now);
    this.#log(message);
  }
}

function pendingOf(c: Record<string, number>): number {
  return (c.waiting ?? 0) + (c.active ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0);
}
