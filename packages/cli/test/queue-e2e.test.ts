import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type RedisServer, startRedisServer } from '@rs/queue/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rsmooth, tempDir } from './helpers.js';
import { dataRows, FAST_WORKER, firstFive, HAS_PROC_NET, NO_REDIS, Proc, REDIS, socketsOf, until } from './queue-helpers.js';

// The end-to-end check, small: the bundled model, 16 of its 50 images, n 2000. One submitter
// and three workers (threads 1 and 2, one with another --batch); faults injected while the run goes,
// at moments that do not depend on the machine's speed (see each test).
const RUN = ['certify', '--n0', '50', '--n', '2000', '--batch', '500', '--max', '16', '--quiet'];
const WORKERS = [
  ['--threads', '1'],
  ['--threads', '2'],
  ['--threads', '1', '--batch', '300'],
];

describe.skipIf(NO_REDIS)(`rsmooth certify --queue with three workers, under faults (${REDIS.reason})`, () => {
  const dir = tempDir();
  const local = join(dir, 'local.tsv');
  beforeAll(() => {
    const r = rsmooth([...RUN, '--threads', '2', '--out', local]);
    expect(r.status, r.stderr).toBe(0);
    expect(dataRows(local)).toHaveLength(16);
  });

  let server: RedisServer | undefined;
  afterAll(async () => {
    await server?.dispose();
  });

  it('kill -9 of a worker mid-job and of the submitter: the rows equal a single process run, each idx once', async () => {
    server = await startRedisServer();
    const url = `${server.url}/e2e`;
    const out = join(dir, 'queued.tsv');
    const workers = WORKERS.map((w) => new Proc(['worker', '--queue', url, ...w, ...FAST_WORKER, '--idle-exit', '30']));
    let submitter = new Proc([...RUN, '--queue', url, '--out', out]);
    // Worker 1 is frozen the moment it reports its first input started: it then holds that job
    // (unless, on a loaded machine, the signal lands after the job was acknowledged: see below),
    // whose lock it no longer renews; then it is killed.
    const frozen = new Promise<void>((r) =>
      workers[0]!.onStderr(/input \d+ started/, () => {
        workers[0]!.child.kill('SIGSTOP');
        r();
      }),
    );
    await frozen;
    if (HAS_PROC_NET) {
      // Nothing listens, and every connection goes to the Redis named in --queue.
      for (const p of [workers[0]!, workers[1]!, submitter]) {
        const sockets = socketsOf(p.child.pid!);
        expect(sockets.length).toBeGreaterThan(0);
        for (const s of sockets) expect(s, JSON.stringify(sockets)).toMatchObject({ proto: 'tcp', remote: `127.0.0.1:${server.port}`, state: '01' });
      }
    }
    expect(await workers[0]!.kill('SIGKILL')).toBe(-1);
    // The submitter cannot finish before that job's lock expires (2 s): kill it while it collects.
    await until(() => existsSync(out), 'the results file');
    await new Promise((r) => setTimeout(r, 200));
    expect(await submitter.kill('SIGKILL')).toBe(-1);
    const before = dataRows(out).length;
    expect(before).toBeLessThan(16);
    submitter = new Proc([...RUN, '--queue', url, '--out', out]);
    expect(await submitter.exited, submitter.stderr).toBe(0);
    expect(submitter.stderr).toMatch(new RegExp(`resuming .*queued.tsv: ${before} of 16 rows already done`));
    expect(submitter.stderr).toMatch(/found run [0-9a-f]{24} on redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/e2e: 0 jobs added/);
    expect(firstFive(out)).toEqual(firstFive(local));
    const idx = dataRows(out).map((l) => l.split('\t')[0]);
    expect(new Set(idx).size).toBe(16);
    const records = readFileSync(`${out}.jsonl`, 'utf8').trimEnd().split('\n').slice(1);
    expect(records.map((l) => JSON.parse(l).idx)).toEqual(idx.map(Number));
    // The killed worker's job stalled and ran again on another worker.
    // An input worker 1 started and never reported done was held by it when it froze: its job must
    // have stalled and run again on another worker (the rows above show it ran exactly once).
    const started = [...workers[0]!.stderr.matchAll(/input (\d+) started/g)].map((m) => m[1]);
    const done = new Set([...workers[0]!.stderr.matchAll(/input (\d+) done/g)].map((m) => m[1]));
    const held = started.filter((i) => !done.has(i));
    console.log(held.length ? `worker 1 held input ${held.join(', ')} when frozen: its job stalled and ran again` : 'worker 1 held no job when frozen');
    if (held.length > 0) expect(workers[1]!.stderr + workers[2]!.stderr).toMatch(/job p\d+ stalled \(its worker stopped renewing its lock\): it runs again/);
    // Both remaining workers took part; each used its own batch size in its records.
    const byWorker = new Map<string, Set<number>>();
    for (const l of records) {
      const r = JSON.parse(l);
      byWorker.set(r.worker, (byWorker.get(r.worker) ?? new Set()).add(r.batch));
    }
    expect([...byWorker.values()].flatMap((b) => [...b]).sort()).toEqual(expect.arrayContaining([300, 500]));
    for (const w of workers.slice(1)) expect(await w.kill('SIGTERM')).toBe(0);
  });

  it('Redis killed and restarted mid-run (append-only file): workers and submitter retry, say so; the rows equal a single process run', async () => {
    await server?.dispose();
    server = await startRedisServer({ appendOnly: true });
    const url = `${server.url}/restart`;
    const out = join(dir, 'restart.tsv');
    const workers = WORKERS.map((w) => new Proc(['worker', '--queue', url, ...w, ...FAST_WORKER, '--idle-exit', '30']));
    const submitter = new Proc([...RUN, '--queue', url, '--out', out]);
    // Redis is killed the moment a worker reports its first input done: the run is under way.
    await new Promise<void>((r) =>
      workers[1]!.onStderr(/input \d+ done/, () => {
        void server!.stop({ crash: true }).then(() => r());
      }),
    );
    await new Promise((r) => setTimeout(r, 1500));
    await server.restart();
    expect(await submitter.exited, submitter.stderr).toBe(0);
    expect(submitter.stderr).toMatch(/lost the connection to redis at 127\.0\.0\.1:\d+ .*; retrying in [\d.]+ s \(attempt \d+\)/);
    expect(submitter.stderr).toMatch(/reconnected to redis at 127\.0\.0\.1:\d+/);
    expect(workers.map((w) => w.stderr).join('')).toMatch(/lost the connection to redis/);
    expect(firstFive(out)).toEqual(firstFive(local));
    expect(new Set(dataRows(out).map((l) => l.split('\t')[0])).size).toBe(16);
    for (const w of workers) expect(await w.kill('SIGTERM')).toBe(0);
  });
});
