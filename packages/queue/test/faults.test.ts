import { describe, expect, it } from 'vitest';
import { collectRun, queueStatus, submitRun } from '../src/index.js';
import { startRedisServer } from '../src/testing/index.js';
import { childWorker, connect, inProcessWorker, NO_REDIS, REDIS, squareExecutor, squareSpec } from './helpers.js';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Collects a run; returns the input ids in the order they were handed over, and the values. */
async function collectAll(url: string, spec: ReturnType<typeof squareSpec>, log?: (m: string) => void) {
  const { target, redis } = await connect(url, log);
  const order: number[] = [];
  const values = new Map<number, { idx: number; value: number; pid?: number }>();
  try {
    await collectRun(redis, target.prefix, {
      spec,
      pollMs: 100,
      ...(log ? { log } : {}),
      onResult: (idx, v) => {
        order.push(idx);
        values.set(idx, JSON.parse(v));
      },
    });
  } finally {
    redis.disconnect();
  }
  return { order, values };
}

describe.skipIf(NO_REDIS)(`faults: killed workers, stopped workers, a restarted Redis (${REDIS.reason})`, () => {
  it('kill -9 of a worker mid-job: its lock expires, the job runs again elsewhere, every input once', async () => {
    const server = await startRedisServer();
    try {
      const { target, redis } = await connect(server.url);
      const spec = squareSpec([0, 1, 2, 3, 4, 5]);
      await submitRun(redis, target.prefix, spec);
      const victim = childWorker(server.url, 3000);
      const killedOn = Number(await victim.started);
      victim.child.kill('SIGKILL');
      await victim.exited;
      const rescue = squareExecutor({ delayMs: 50 });
      const w = await inProcessWorker(server.url, rescue.executor);
      const { order, values } = await collectAll(server.url, spec);
      expect(order).toEqual(spec.inputs);
      for (const [idx, v] of values) expect(v.value).toBe(idx * idx);
      expect(rescue.calls.get(killedOn)).toBe(1); // the killed job was done again, once
      expect(w.logs.join('\n')).toMatch(new RegExp(`job p${killedOn} stalled`));
      await w.done;
      expect((await queueStatus(redis, target.prefix)).runs[0]).toMatchObject({ stored: 6, failed: 0 });
      redis.disconnect();
    } finally {
      await server.dispose();
    }
  });

  it('SIGTERM: the running job finishes within the grace period, then the worker exits 0', async () => {
    const server = await startRedisServer();
    try {
      const { target, redis } = await connect(server.url);
      const spec = squareSpec([10, 11, 12]);
      await submitRun(redis, target.prefix, spec);
      const child = childWorker(server.url, 800, 20_000);
      const first = Number(await child.started);
      child.child.kill('SIGTERM');
      expect(await child.exited).toBe(0);
      expect(child.output().stdout).toContain(`done ${first}`);
      expect(await redis.hget(`rsmooth:run:${spec.runId}:results`, String(first))).toContain(`"value":${first * first}`);
      expect(await redis.scard('rsmooth:workers')).toBe(0); // its heartbeat was removed
      const rest = squareExecutor();
      const w = await inProcessWorker(server.url, rest.executor);
      expect((await collectAll(server.url, spec)).order).toEqual([10, 11, 12]);
      expect(rest.calls.has(first)).toBe(false);
      await w.done;
      redis.disconnect();
    } finally {
      await server.dispose();
    }
  });

  it('SIGTERM past the grace period: the job is returned to the queue (no attempt counted) and done elsewhere', async () => {
    const server = await startRedisServer();
    try {
      const { target, redis } = await connect(server.url);
      const spec = squareSpec([7, 8], { attempts: 1 });
      await submitRun(redis, target.prefix, spec);
      const child = childWorker(server.url, 20_000, 0);
      const first = Number(await child.started);
      child.child.kill('SIGTERM');
      expect(await child.exited).toBe(0);
      expect(child.output().stdout).not.toContain('done');
      // With attempts: 1, a counted attempt would have failed the job: it is waiting instead.
      const status = (await queueStatus(redis, target.prefix)).runs[0]!;
      expect(status).toMatchObject({ failed: 0, active: 0, stored: 0 });
      const rest = squareExecutor();
      const w = await inProcessWorker(server.url, rest.executor);
      expect((await collectAll(server.url, spec)).order).toEqual([7, 8]);
      expect(rest.calls.get(first)).toBe(1);
      await w.done;
      redis.disconnect();
    } finally {
      await server.dispose();
    }
  });

  it('Redis killed and restarted mid-run (append-only file): worker and collector retry, say so, and finish; no result lost or repeated', async () => {
    const server = await startRedisServer({ appendOnly: true });
    try {
      const { target, redis } = await connect(server.url);
      const spec = squareSpec(Array.from({ length: 12 }, (_, i) => i));
      await submitRun(redis, target.prefix, spec);
      redis.disconnect();
      const child = childWorker(server.url, 250);
      const logs: string[] = [];
      const collecting = collectAll(server.url, spec, (m) => logs.push(m));
      await child.started;
      await wait(700);
      await server.stop({ crash: true });
      await wait(1500);
      await server.restart();
      const { order, values } = await collecting;
      expect(order).toEqual(spec.inputs);
      for (const [idx, v] of values) expect(v.value).toBe(idx * idx);
      expect(logs.join('\n')).toMatch(/lost the connection to redis at 127\.0\.0\.1:\d+ \(.*\); retrying in [\d.]+ s \(attempt \d+\)/);
      expect(logs.join('\n')).toMatch(/reconnected to redis at 127\.0\.0\.1/);
      expect(await child.exited).toBe(0);
      expect(child.output().stderr).toMatch(/lost the connection to redis/);
    } finally {
      await server.dispose();
    }
  });

  it('Redis restarted empty (no persistence): the collector submits what it has not collected again; exactly one result per input', async () => {
    const server = await startRedisServer({ appendOnly: false });
    try {
      const { target, redis } = await connect(server.url);
      const spec = squareSpec(Array.from({ length: 10 }, (_, i) => 3 * i));
      await submitRun(redis, target.prefix, spec);
      redis.disconnect();
      const ex = squareExecutor({ delayMs: 150 });
      const w = await inProcessWorker(server.url, ex.executor, { idleExitMs: Number.POSITIVE_INFINITY });
      const logs: string[] = [];
      const collecting = collectAll(server.url, spec, (m) => logs.push(m));
      await wait(700);
      await server.stop({ crash: true });
      await server.restart();
      const { order } = await collecting;
      expect(order).toEqual(spec.inputs);
      expect(logs.join('\n')).toMatch(/is gone from Redis \(restarted without persistence, or cleaned\): submitting its \d+ inputs not yet collected again/);
      await w.worker.stop();
    } finally {
      await server.dispose();
    }
  });
});
