import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectRun, connectQueue, parseQueueUrl, submitRun } from '../src/index.js';
import { startRedisServer } from '../src/testing/index.js';
import { inProcessWorker, NO_REDIS, REDIS, squareExecutor, squareSpec } from './helpers.js';

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const OPENSSL = hasOpenssl();

/** A private CA and a server certificate for 127.0.0.1, made with openssl. */
function makeCertificates(): { dir: string; ca: string; cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'rsmooth-tls-'));
  const p = (f: string) => join(dir, f);
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=rsmooth test CA']);
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1']);
  writeFileSync(p('san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  run(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'san.ext']);
  return { dir, ca: p('ca.pem'), cert: p('server.pem'), key: p('server.key') };
}

async function fullCycle(url: string) {
  const target = parseQueueUrl(url, {});
  const redis = await connectQueue(target, { initialAttempts: 2 });
  try {
    const spec = squareSpec([5, 6, 7], { tag: url.slice(0, 8) });
    await submitRun(redis, target.prefix, spec);
    const w = await inProcessWorker(url, squareExecutor().executor);
    const got: number[] = [];
    await collectRun(redis, target.prefix, { spec, pollMs: 100, onResult: (i) => void got.push(i) });
    await w.done;
    return got;
  } finally {
    redis.disconnect();
  }
}

describe.skipIf(NO_REDIS)(`credentials, ACL users and TLS (${REDIS.reason})`, () => {
  it('a wrong password fails at once with a message that names the cause and hides the password', async () => {
    const server = await startRedisServer({ password: 'right-one' });
    try {
      const url = `redis://:wrong-one@127.0.0.1:${server.port}`;
      const err = await connectQueue(parseQueueUrl(url, {})).catch((e: Error) => e);
      expect((err as Error).message).toMatch(/refused the credentials: WRONGPASS .*the URL was redis:\/\/:\*\*\*@127\.0\.0\.1:\d+/);
      expect((err as Error).message).not.toContain('wrong-one');
      const none = await connectQueue(parseQueueUrl(`redis://127.0.0.1:${server.port}`, {})).catch((e: Error) => e);
      expect((none as Error).message).toMatch(/NOAUTH|refused the credentials/);
    } finally {
      await server.dispose();
    }
  });

  it('an ACL user limited to the prefix (~rsmooth:* +@all -@dangerous +info) runs the whole cycle; another prefix is refused', async () => {
    const server = await startRedisServer({ args: ['--user worker on >worker-pw ~rsmooth:* +@all -@dangerous +info'] });
    try {
      expect(await fullCycle(`redis://worker:worker-pw@127.0.0.1:${server.port}`)).toEqual([5, 6, 7]);
      const err = await fullCycle(`redis://worker:worker-pw@127.0.0.1:${server.port}/other`).catch((e: Error) => e);
      expect((err as Error).message).toMatch(/NOPERM/);
    } finally {
      await server.dispose();
    }
  });

  it('the password can come from RSMOOTH_QUEUE_PASSWORD', async () => {
    const server = await startRedisServer();
    try {
      const target = parseQueueUrl(`redis://127.0.0.1:${server.port}`, { RSMOOTH_QUEUE_PASSWORD: server.password });
      const redis = await connectQueue(target);
      expect(await redis.ping()).toBe('PONG');
      redis.disconnect();
    } finally {
      await server.dispose();
    }
  });

  it.skipIf(!OPENSSL)('rediss:// with a private CA (?ca=) runs the whole cycle over TLS; without the CA the certificate is refused', async () => {
    const certs = makeCertificates();
    const server = await startRedisServer({ tls: certs });
    try {
      const url = `rediss://:${server.password}@127.0.0.1:${server.port}?ca=${certs.ca}`;
      expect(await fullCycle(url)).toEqual([5, 6, 7]);
      const err = await connectQueue(parseQueueUrl(`rediss://:${server.password}@127.0.0.1:${server.port}`, {}), { initialAttempts: 1 }).catch((e: Error) => e);
      expect((err as Error).message).toMatch(/cannot connect to redis at 127\.0\.0\.1:\d+ \(TLS\): .*(self[- ]signed|unable to verify|certificate)/i);
    } finally {
      await server.dispose();
    }
  });
});
