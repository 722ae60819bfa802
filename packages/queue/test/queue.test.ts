import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectRun, queueStatus, RunFailedError, submitRun } from '../src/index.js';
import { type RedisServer, startRedisServer } from '../src/testing/index.js';
import { connect, inProcessWorker, NO_REDIS, REDIS, squareExecutor, squareSpec } from './helpers.js';

// Each test uses its own key prefix on one private server.
describe.skipIf(NO_REDIS)(`submit, work, collect on a private redis-server (${REDIS.reason})`, () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server?.dispose();
  });
  const url = (prefix: string) => `${server.url}/${prefix}`;

  it('submitting the same run again adds nothing', async () => {
    const { target, redis } = await connect(url('idem'));
    try {
      const spec = squareSpec([0, 3, 6, 9, 12], { group: 2 });
      const first = await submitRun(redis, target.prefix, spec);
      expect(first).toMatchObject({ created: true, jobsAdded: 3, jobsRetried: 0, stored: 0 });
      const again = await submitRun(redis, target.prefix, squareSpec([0, 3, 6, 9, 12], { group: 5 }));
      expect(again).toMatchObject({ created: false, jobsAdded: 0, jobsRetried: 0 });
      expect(again.spec.group).toBe(2); // the first submission's description is kept
      const { runs } = await queueStatus(redis, target.prefix);
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({ runId: spec.runId, state: 'active', total: 5, stored: 0, waiting: 3 });
    } finally {
      redis.disconnect();
    }
  });

  it('two workers, groups of 3: every result stored once, collected in input order', async () => {
    const { target, redis } = await connect(url('two'));
    const inputs = Array.from({ length: 20 }, (_, i) => 100 - 5 * i);
    const spec = squareSpec(inputs, { group: 3 });
    try {
      await submitRun(redis, target.prefix, spec);
      const a = squareExecutor({ delayMs: 20 });
      const b = squareExecutor({ delayMs: 20 });
      const wa = await inProcessWorker(url('two'), a.executor, { concurrency: 2 });
      const wb = await inProcessWorker(url('two'), b.executor);
      const got: [number, number][] = [];
      await collectRun(redis, target.prefix, {
        spec,
        pollMs: 100,
        onResult: (idx, v, p) => {
          got.push([idx, p]);
          expect(JSON.parse(v)).toEqual({ idx, value: idx * idx });
        },
      });
      expect(got).toEqual(inputs.map((idx, p) => [idx, p]));
      const sa = await wa.done;
      const sb = await wb.done;
      expect(sa.inputsDone + sb.inputsDone).toBe(20);
      expect(sa.jobsDone + sb.jobsDone).toBe(7);
      expect(sa.jobsDone).toBeGreaterThan(0);
      expect(sb.jobsDone).toBeGreaterThan(0);
      for (const i of inputs) expect((a.calls.get(i) ?? 0) + (b.calls.get(i) ?? 0)).toBe(1);
      expect((await queueStatus(redis, target.prefix)).runs[0]).toMatchObject({ state: 'collected', stored: 20, waiting: 0, active: 0, failed: 0 });
    } finally {
      redis.disconnect();
    }
  });

  it('a job delivered again (re-added after its result was stored) computes and stores nothing twice', async () => {
    const { target, redis } = await connect(url('dup'));
    const spec = squareSpec([1, 2, 3, 4]);
    try {
      await submitRun(redis, target.prefix, spec);
      const first = squareExecutor();
      await (await inProcessWorker(url('dup'), first.executor)).done;
      // Remove the stored result of input 3 and submit again: only its job comes back.
      await redis.hdel(`dup:run:${spec.runId}:results`, '3');
      const again = await submitRun(redis, target.prefix, spec);
      expect(again).toMatchObject({ jobsAdded: 1, stored: 3 });
      // A stale duplicate of an already-stored input is skipped by the worker.
      const { Queue } = await import('bullmq');
      const q = new Queue(`run-${spec.runId}`, { connection: redis, prefix: target.prefix });
      await q.add('inputs', { inputs: [1], position: 0 }, { jobId: 'stale-copy' });
      await q.close();
      const second = squareExecutor();
      const w = await inProcessWorker(url('dup'), second.executor);
      expect(await w.done).toMatchObject({ jobsDone: 2, inputsDone: 1 });
      expect([...second.calls]).toEqual([[3, 1]]);
      expect(await redis.hlen(`dup:run:${spec.runId}:results`)).toBe(4);
    } finally {
      redis.disconnect();
    }
  });

  it('a job that keeps failing ends failed with its error after N attempts; submitting again retries it', async () => {
    const { target, redis } = await connect(url('fail'));
    const spec = squareSpec([0, 1, 2, 3], { attempts: 2, backoffMs: 50 });
    try {
      await submitRun(redis, target.prefix, spec);
      const bad = squareExecutor({ fail: (i) => i === 2 });
      const w = await inProcessWorker(url('fail'), bad.executor);
      const got: number[] = [];
      const logs: string[] = [];
      const err = await collectRun(redis, target.prefix, { spec, pollMs: 100, onResult: (idx) => void got.push(idx), log: (m) => logs.push(m) }).catch(
        (e) => e,
      );
      expect(err).toBeInstanceOf(RunFailedError);
      expect((err as RunFailedError).failures).toEqual([{ jobId: 'p2', inputs: [2], reason: 'input 2 is cursed', attempts: 2 }]);
      expect((err as Error).message).toMatch(/1 job failed all attempts .*\(2 of 4 results collected\); submit the run again to retry them/);
      expect(got).toEqual([0, 1]); // in order: 3 waits behind 2
      expect(bad.calls.get(2)).toBe(2);
      expect(logs.join('\n')).toMatch(/job p2 \(inputs 2\) failed all 2 attempts: input 2 is cursed/);
      expect(w.logs.join('\n')).toMatch(/job p2 \(inputs 2\) failed attempt 2 of 2: input 2 is cursed/);
      await w.done;
      const status = (await queueStatus(redis, target.prefix)).runs[0]!;
      expect(status).toMatchObject({ failed: 1, stored: 3, failures: [{ jobId: 'p2', reason: 'input 2 is cursed', attempts: 2 }] });
      // Fixed: submit again (the failed job is retried), collect the rest from where we stopped.
      const again = await submitRun(redis, target.prefix, spec, { from: 2 });
      expect(again).toMatchObject({ jobsAdded: 0, jobsRetried: 1, stored: 1 });
      const good = squareExecutor();
      const w2 = await inProcessWorker(url('fail'), good.executor);
      await collectRun(redis, target.prefix, { spec, from: 2, pollMs: 100, onResult: (idx) => void got.push(idx) });
      expect(got).toEqual([0, 1, 2, 3]);
      expect([...good.calls]).toEqual([[2, 1]]);
      await w2.done;
    } finally {
      redis.disconnect();
    }
  });

  it('heartbeats show each worker, its run, what it runs and its details', async () => {
    const { target, redis } = await connect(url('beat'));
    const spec = squareSpec([0, 1, 2, 3, 4, 5], { tag: 'beat' });
    try {
      await submitRun(redis, target.prefix, spec);
      const slow = squareExecutor({ delayMs: 400 });
      const w = await inProcessWorker(url('beat'), slow.executor, { details: { backend: 'onnx', threads: 1 } });
      await new Promise((r) => setTimeout(r, 1200));
      const { workers, runs } = await queueStatus(redis, target.prefix);
      expect(workers).toHaveLength(1);
      expect(workers[0]).toMatchObject({ id: w.worker.id, state: 'working', run: spec.runId, details: { backend: 'onnx', threads: 1, concurrency: 1 } });
      expect(workers[0]!.current.length).toBe(1);
      expect(runs[0]!.workers.map((x) => x.id)).toEqual([w.worker.id]);
      await w.worker.stop({ graceMs: 5000 });
      expect((await queueStatus(redis, target.prefix)).workers).toEqual([]); // removed on a clean stop
    } finally {
      redis.disconnect();
    }
  });
});
