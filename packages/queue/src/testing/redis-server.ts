import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueueError } from '../errors.js';

/**
 * Where `redis-server` is, or null with the reason it cannot be used (tests skip on it, visibly).
 *
 * @example
 * const { path, reason } = findRedisServer();
 * describe.skipIf(path === null)(`queue (${reason})`, () => {});
 */
export function findRedisServer(): { path: string | null; reason: string } {
  const candidates = [process.env.RSMOOTH_REDIS_SERVER, '/usr/bin/redis-server', '/usr/local/bin/redis-server'].filter((p): p is string => !!p);
  for (const p of candidates) {
    try {
      const v = execFileSync(p, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      return { path: p, reason: v.trim() };
    } catch {
      // try the next one
    }
  }
  return { path: null, reason: 'redis-server is not installed (Debian: apt-get install redis-server, or bash tools/setup/system-deps.sh)' };
}

/**
 * TLS files for a private server: `tls-port` instead of the plain port.
 *
 * @example
 * await startRedisServer({ tls: { cert: 'server.crt', key: 'server.key', ca: 'ca.crt' } });
 */
export interface RedisTlsFiles {
  cert: string;
  key: string;
  ca: string;
}

/**
 * Options of {@link startRedisServer}.
 *
 * @example
 * await startRedisServer({ appendOnly: true });
 */
export interface RedisServerOptions {
  /** `requirepass` (default: 24 random hex characters). */
  password?: string;
  /** Keep an append-only file (fsync'd at every write) so a restart keeps the data. Default false. */
  appendOnly?: boolean;
  tls?: RedisTlsFiles;
  /** More `redis-server` arguments, e.g. `['--user', 'worker on >pw ~rsmooth:* +@all']`. */
  args?: string[];
}

/**
 * A private `redis-server` child process on 127.0.0.1 and a free port.
 *
 * @example
 * const redis = await startRedisServer();
 * try { await use(redis.url); } finally { await redis.dispose(); }
 */
export interface RedisServer {
  readonly port: number;
  readonly password: string;
  /** `redis://:PASSWORD@127.0.0.1:PORT` (`rediss://` with TLS). */
  readonly url: string;
  /** The server's working folder (the append-only file lives there). */
  readonly dir: string;
  /** Whether the server process is running. */
  readonly running: boolean;
  /** Stops the server (SIGTERM; SIGKILL with `crash`) and waits for it to exit; its folder stays. */
  stop(o?: { crash?: boolean }): Promise<void>;
  /** Starts it again on the same port and folder, with the same options. */
  restart(): Promise<void>;
  /** Stops it and removes its folder. */
  dispose(): Promise<void>;
}

/**
 * Starts a private `redis-server` for tests: loopback only, a password, no RDB snapshots, its own
 * temporary folder, on a free port; resolves once it answers PING. Killed when the test process exits.
 *
 * @example
 * const redis = await startRedisServer({ appendOnly: true });
 * await redis.stop({ crash: true }); await redis.restart(); // the data survives
 * await redis.dispose();
 */
export async function startRedisServer(o: RedisServerOptions = {}): Promise<RedisServer> {
  const { path, reason } = findRedisServer();
  if (path === null) throw new QueueError(reason);
  const password = o.password ?? randomBytes(12).toString('hex');
  const dir = mkdtempSync(join(tmpdir(), 'rsmooth-redis-'));
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freeLoopbackPort();
    const server = new PrivateRedis(path, port, password, dir, o);
    try {
      await server.restart();
      return server;
    } catch (err) {
      lastError = err; // the port was taken in between: try another
      await server.stop({ crash: true });
    }
  }
  rmSync(dir, { recursive: true, force: true });
  throw lastError;
}

class PrivateRedis implements RedisServer {
  #child: ChildProcess | null = null;
  #output = '';
  readonly #onExit = () => this.#child?.kill('SIGKILL');

  constructor(
    readonly bin: string,
    readonly port: number,
    readonly password: string,
    readonly dir: string,
    readonly o: RedisServerOptions,
  ) {}

  get url(): string {
    return `${this.o.tls ? 'rediss' : 'redis'}://:${this.password}@127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.#child !== null && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  async restart(): Promise<void> {
    if (this.running) throw new QueueError('redis-server is already running');
    const args = [
      '--bind',
      '127.0.0.1',
      '--protected-mode',
      'yes',
      '--requirepass',
      this.password,
      '--dir',
      this.dir,
      '--save',
      '',
      '--appendonly',
      this.o.appendOnly ? 'yes' : 'no',
      '--appendfsync',
      'always',
      '--daemonize',
      'no',
      '--logfile',
      '',
    ];
    if (this.o.tls)
      args.push(
        '--port',
        '0',
        '--tls-port',
        String(this.port),
        '--tls-cert-file',
        this.o.tls.cert,
        '--tls-key-file',
        this.o.tls.key,
        '--tls-ca-cert-file',
        this.o.tls.ca,
        '--tls-auth-clients',
        'no',
      );
    else args.push('--port', String(this.port));
    for (const a of this.o.args ?? []) args.push(...splitDirective(a));
    this.#output = '';
    const child = spawn(this.bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    process.on('exit', this.#onExit);
    child.stdout?.on('data', (d: Buffer) => {
      this.#output = (this.#output + d.toString()).slice(-4000);
    });
    child.stderr?.on('data', (d: Buffer) => {
      this.#output = (this.#output + d.toString()).slice(-4000);
    });
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (!this.running)
        throw new QueueError(`redis-server exited while starting on port ${this.port}: ${this.#output.trim().split('\n').slice(-3).join(' | ')}`);
      if (await this.#listening()) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    await this.stop({ crash: true });
    throw new QueueError(`redis-server did not start listening on 127.0.0.1:${this.port} within 10 s`);
  }

  async stop(o: { crash?: boolean } = {}): Promise<void> {
    const child = this.#child;
    if (child && this.running) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill(o.crash ? 'SIGKILL' : 'SIGTERM');
      await exited;
    }
    process.off('exit', this.#onExit);
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  #listening(): Promise<boolean> {
    return new Promise((resolve) => {
      const s = new Socket();
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
      s.connect(this.port, '127.0.0.1');
    });
  }
}

/** `'--user worker on >pw'` -> `['--user', 'worker', 'on', '>pw']`; other arguments pass as they are. */
function splitDirective(a: string): string[] {
  return a.startsWith('--') && a.includes(' ') ? a.split(' ') : [a];
}

/**
 * A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it).
 *
 * @example
 * const port = await freeLoopbackPort();
 */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
