import { join } from 'node:path';
import { type RedisServer, startRedisServer } from '@rs/queue/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURE, MODEL, rsmooth, tempDir } from './helpers.js';
import { FAST_WORKER, firstFive, NO_REDIS, Proc, REDIS } from './queue-helpers.js';

// The bundled model and images; a defence on the queue: the worker rebuilds it from the settings.
const RUN = ['certify', '--n0', '20', '--n', '300', '--batch', '300', '--max', '3', '--quiet', '--preprocessing-defence', 'feature-squeezing:bit=3'];

describe.skipIf(NO_REDIS)(`rsmooth certify --queue with defences (${REDIS.reason})`, () => {
  const dir = tempDir();
  let server: RedisServer | undefined;
  afterAll(async () => {
    await server?.dispose();
  });

  it('a queued run with a preprocessing defence gives the rows of the local run; a denoiser is refused', async () => {
    const local = join(dir, 'local.tsv');
    const r = rsmooth([...RUN, '--threads', '1', '--out', local]);
    expect(r.status, r.stderr).toBe(0);
    server = await startRedisServer();
    const url = `${server.url}/defences`;
    const worker = new Proc(['worker', '--queue', url, '--threads', '1', ...FAST_WORKER, '--idle-exit', '20']);
    const out = join(dir, 'queued.tsv');
    const submitter = new Proc([...RUN, '--queue', url, '--out', out]);
    expect(await submitter.exited, submitter.stderr).toBe(0);
    expect(firstFive(out)).toEqual(firstFive(local));
    expect(await worker.kill('SIGTERM')).toBe(0);
    const refused = rsmooth(['certify', ...FIXTURE, '--n', '300', '--denoiser', MODEL, '--queue', url, '--max', '1']);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/--denoiser and --ensemble cannot go on the queue/);
  });
});
