import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freeLoopbackPort, type RedisServer, startRedisServer } from '@rs/queue/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODEL, rsmooth, tempDir, X, Y } from './helpers.js';
import { dataRows, FAST_WORKER, NO_REDIS, Proc, REDIS } from './queue-helpers.js';

const SMALL = ['--n0', '20', '--n', '200', '--batch', '200', '--max', '4', '--quiet'];

describe('rsmooth certify/predict --queue: bad usage is refused before anything is queued', () => {
  it.each([
    [['certify', '--queue', 'redis://127.0.0.1:1'], 2, /--queue needs --out/],
    [['certify', '--queue', 'http://h:1', '--out', 'x.tsv'], 2, /--queue http:\/\/h:1: unknown scheme 'http:'/],
    [
      ['certify', '--queue', 'redis://:secret@h:1/5', '--out', 'x.tsv'],
      2,
      /--queue redis:\/\/:\*\*\*@h:1\/5: the path is the key prefix, not a database number: write \?db=5/,
    ],
    [['certify', '--attempts', '2', '--out', 'x.tsv'], 2, /--attempts needs --queue/],
    [['certify', '--attempts', '0', '--queue', 'redis://h:1', '--out', 'x.tsv'], 2, /--attempts must be an integer in \[1, 100\]/],
    [['worker'], 2, /--queue is required/],
    [['worker', '--queue', 'redis://h:1', '--run', 'xyz'], 2, /--run must be a run id/],
    [['queue', 'frobnicate', '--queue', 'redis://h:1'], 2, /unknown action 'frobnicate': status, cancel or clean/],
    [['queue', 'cancel', '--queue', 'redis://h:1'], 2, /which run\?/],
  ])('%j exits %i', (args, status, message) => {
    const dir = tempDir();
    const r = rsmooth([...args, ...(args[0] === 'certify' ? SMALL : [])], { cwd: dir });
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toContain('secret');
    expect(r.status).toBe(status);
    expect(existsSync(join(dir, 'x.tsv'))).toBe(false);
  });
});

describe('rsmooth worker and rsmooth queue: help', () => {
  it('--help works without --queue and lists the flags', () => {
    const w = rsmooth(['worker', '--help']);
    expect(w.status).toBe(0);
    expect(w.stdout).toMatch(/--grace S .*returned to the queue/);
    const q = rsmooth(['queue', '--help']);
    expect(q.status).toBe(0);
    expect(q.stdout).toMatch(/rsmooth queue cancel RUN --queue URL/);
    expect(rsmooth(['--help']).stdout).toMatch(/\n {2}worker +take jobs of queued certify\/predict runs[\s\S]*\n {2}queue +status, cancel and clean/);
  });
});

describe.skipIf(NO_REDIS)(`rsmooth worker and rsmooth queue on a private redis-server (${REDIS.reason})`, () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server?.dispose();
  });

  it('a closed port and a wrong password fail with exit 1 and say why', async () => {
    const port = await freeLoopbackPort();
    const dir = tempDir();
    const closed = rsmooth(['certify', ...SMALL, '--queue', `redis://127.0.0.1:${port}`, '--out', 'r.tsv'], { cwd: dir });
    expect(closed.stderr).toMatch(new RegExp(`cannot connect to redis at 127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
    expect(closed.status).toBe(1);
    const wrong = rsmooth(['queue', 'status', '--queue', `redis://:not-it@127.0.0.1:${server.port}`]);
    expect(wrong.stderr).toMatch(/refused the credentials: WRONGPASS/);
    expect(wrong.stderr).not.toContain('not-it');
    expect(wrong.status).toBe(1);
  });

  it('a worker refuses a run whose model or data differ (SHA-256), exit 2, and status shows why', async () => {
    const url = `${server.url}/refuse`;
    const dir = tempDir();
    const submitter = new Proc(['certify', ...SMALL, '--queue', url, '--out', join(dir, 'r.tsv')]);
    await submitter.waitFor(/submitted run ([0-9a-f]{24})/);
    const model = rsmooth(['worker', '--queue', url, '--model', MODEL, '--idle-exit', '0']);
    expect(model.stderr).toMatch(
      /refusing run [0-9a-f]{24}: model SHA-256 mismatch: the run's model is [0-9a-f]{64}, this worker's .*model\.onnx is [0-9a-f]{64}/,
    );
    expect(model.status).toBe(2);
    const data = rsmooth(['worker', '--queue', url, '--data', X, '--labels', Y, '--idle-exit', '0']);
    expect(data.stderr).toMatch(
      /refusing run [0-9a-f]{24}: data SHA-256 mismatch: the run's inputs are 50 with SHA-256 [0-9a-f]{64}, this worker's .*x\.npy has 20 with/,
    );
    expect(data.status).toBe(2);
    const status = rsmooth(['queue', 'status', '--queue', url]);
    expect(status.stdout).toMatch(/refused by .* model SHA-256 mismatch/);
    expect(status.stdout).toMatch(/0\/4 inputs stored/);
    // Nothing was taken: a right worker does it all.
    const good = new Proc(['worker', '--queue', url, '--threads', '1', ...FAST_WORKER, '--idle-exit', '1']);
    expect(await submitter.exited, submitter.stderr).toBe(0);
    expect(dataRows(join(dir, 'r.tsv'))).toHaveLength(4);
    expect(await good.exited).toBe(0);
    expect(good.stderr).toMatch(/stopped: 4 jobs, 4 inputs done/);
  });

  it('queue status shows progress and live workers; cancel stops the submitter (exit 1); clean removes finished runs', async () => {
    const url = `${server.url}/admin`;
    const dir = tempDir();
    const out = join(dir, 'p.tsv');
    // n 100,000: the run lasts long enough on any machine for status and cancel to find it running.
    const args = ['predict', '--n', '100000', '--batch', '1000', '--max', '30', '--quiet', '--queue', url, '--out', out, '--attempts', '2'];
    const submitter = new Proc(args);
    const [, runId] = (await submitter.waitFor(/submitted run ([0-9a-f]{24})/)) as unknown as [string, string];
    const worker = new Proc(['worker', '--queue', url, '--threads', '1', ...FAST_WORKER]);
    await worker.waitFor(/serving run/);
    await new Promise((r) => setTimeout(r, 1200)); // a heartbeat with the job in it
    const status = rsmooth(['queue', 'status', runId.slice(0, 8), '--queue', url]);
    expect(status.status, status.stderr).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`run ${runId} \\(predict, sigma 0.25, n 100000\\): active; \\d+/30 inputs stored`));
    expect(status.stdout).toMatch(/jobs: \d+ waiting, 1 running, 0 retrying, 0 failed; 1 worker on it/);
    expect(status.stdout).toMatch(
      /workers:\n {2}\S+:\d+ working on run [0-9a-f]{12}: \d+ inputs in \d+ jobs, [\d,]+ samples\/s, now idx \d+; last heartbeat [\d.]+ s ago\n {4}id \S+; concurrency 1, version [\d.]+, device cpu, threads 1, batch the run, backend the run/,
    );
    const json = JSON.parse(rsmooth(['queue', 'status', '--json', '--queue', url]).stdout);
    expect(json.runs[0]).toMatchObject({ runId, state: 'active', total: 30 });
    expect(rsmooth(['queue', 'clean', '--queue', url]).stdout).toBe('no finished run to clean\n');
    const cancel = rsmooth(['queue', 'cancel', runId, '--queue', url]);
    expect(cancel.stdout).toMatch(new RegExp(`cancelled run ${runId} \\(30 inputs\\)`));
    expect(await submitter.exited).toBe(1);
    expect(submitter.stderr).toMatch(
      new RegExp(`run ${runId} was cancelled \\(rsmooth queue cancel\\); \\d+ of 30 results were collected; the rows collected are in .*p\\.tsv`),
    );
    await worker.waitFor(new RegExp(`run ${runId} is cancelled: leaving it`));
    expect(rsmooth(['queue', 'clean', '--queue', url]).stdout).toBe(`removed 1 run: ${runId}\n`);
    expect(rsmooth(['queue', 'status', '--queue', url]).stdout).toMatch(/^queue redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/admin: 0 runs, 1 worker alive/);
    expect(rsmooth(['queue', 'cancel', 'abcdef12', '--queue', url]).stderr).toMatch(/no run abcdef12 in/);
    expect(await worker.kill('SIGTERM')).toBe(0);
    expect(worker.stderr).toMatch(/SIGTERM: finishing the running job \(up to 25 s\), then stopping/);
  });

  it('predict --queue gives the rows of a local predict (columns 1-4)', async () => {
    const url = `${server.url}/predict`;
    const dir = tempDir();
    const args = ['predict', '--n', '300', '--batch', '150', '--max', '5', '--seed', '3', '--quiet'];
    const local = rsmooth([...args, '--threads', '1', '--out', join(dir, 'local.tsv')]);
    expect(local.status, local.stderr).toBe(0);
    const worker = new Proc(['worker', '--queue', url, '--threads', '1', '--batch', '100', '--concurrency', '2', ...FAST_WORKER, '--idle-exit', '1']);
    const queued = rsmooth([...args, '--queue', url, '--group', '2', '--out', join(dir, 'queued.tsv')]);
    expect(queued.status, queued.stderr).toBe(0);
    const cols = (p: string) => dataRows(p).map((l) => l.split('\t').slice(0, 4).join('\t'));
    expect(cols(join(dir, 'queued.tsv'))).toEqual(cols(join(dir, 'local.tsv')));
    expect(await worker.exited).toBe(0);
    expect(worker.stderr).toMatch(/serving run [0-9a-f]{24} \(5 inputs, 3 jobs\)/);
    // A local run's partial file continues on the queue (same settings, same files).
    const partial = join(dir, 'partial.tsv');
    writeFileSync(partial, `${readFileSync(join(dir, 'local.tsv'), 'utf8').split('\n').slice(0, 3).join('\n')}\n`);
    writeFileSync(`${partial}.jsonl`, `${readFileSync(join(dir, 'local.tsv.jsonl'), 'utf8').split('\n').slice(0, 3).join('\n')}\n`);
    const url2 = `${server.url}/predict2`;
    const worker2 = new Proc(['worker', '--queue', url2, '--threads', '1', ...FAST_WORKER, '--idle-exit', '1']);
    const resumed = rsmooth([...args, '--queue', url2, '--out', partial]);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resuming .*partial\.tsv: 2 of 5 rows already done/);
    expect(cols(partial)).toEqual(cols(join(dir, 'local.tsv')));
    expect(await worker2.exited).toBe(0);
    expect(worker2.stderr).toMatch(/stopped: 3 jobs, 3 inputs done/);
  });
});
