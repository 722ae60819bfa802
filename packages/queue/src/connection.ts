import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { Redis, type RedisOptions } from 'ioredis';
import { QueueError } from './errors.js';
import { hostPort, QUEUE_PASSWORD_ENV, type QueueTarget } from './redis-url.js';

/**
 * Options of {@link connectQueue}.
 *
 * @example
 * const redis = await connectQueue(target, { log: (m) => console.error(m), name: 'rsmooth-worker' });
 */
export interface ConnectOptions {
  /** Where connection news go: lost, retrying (with the delay and attempt), reconnected. */
  log?: (message: string) => void;
  /** CLIENT SETNAME, shown by Redis' CLIENT LIST. */
  name?: string;
  /**
   * Attempts before the first connection counts as failed (default 5, about 4 s); `Infinity` waits
   * for the server (a worker started before Redis). Once connected, reconnection never gives up.
   */
  initialAttempts?: number;
  /** Upper bound of the reconnection delay in ms (default 5000; it doubles from 250). */
  maxDelayMs?: number;
}

const AUTH_ERROR = /WRONGPASS|NOAUTH|NOPERM|invalid password|invalid username/i;

/**
 * The reconnection delay after `attempt` failures: 250 ms doubling up to `maxDelayMs`.
 *
 * @example
 * backoffDelay(1); // 250
 * backoffDelay(10); // 5000
 */
export function backoffDelay(attempt: number, maxDelayMs = 5000): number {
  return Math.min(250 * 2 ** Math.max(0, attempt - 1), maxDelayMs);
}

/**
 * Connects to the queue's Redis with the target's credentials and TLS settings (and nowhere else),
 * resolving once Redis answers. While connected, a lost connection is retried forever with
 * exponential backoff and reported through `log`; commands wait for the reconnection (none is
 * dropped). A refused password or ACL user fails at once with a message naming the cause.
 *
 * @example
 * const redis = await connectQueue(parseQueueUrl('redis://:pw@127.0.0.1:6379'));
 * await redis.ping();
 * redis.disconnect();
 */
export async function connectQueue(target: QueueTarget, o: ConnectOptions = {}): Promise<Redis> {
  const log = o.log ?? (() => {});
  const initialAttempts = o.initialAttempts ?? 5;
  const where = `redis at ${hostPort(target)}${target.tls ? ' (TLS)' : ''}`;
  let everReady = false;
  let lost = false;
  let lastError = '';
  let authFailed = false;
  // BullMQ duplicates this connection (same retryStrategy): report each attempt once, not per copy.
  let lastReported = { attempt: 0, at: 0 };
  let tls: RedisOptions['tls'];
  if (target.tls) {
    tls = {
      ...(isIP(target.host) === 0 ? { servername: target.host } : {}),
      ...(target.ca ? { ca: readPem(target.ca, 'ca') } : {}),
      ...(target.cert ? { cert: readPem(target.cert, 'cert') } : {}),
      ...(target.key ? { key: readPem(target.key, 'key') } : {}),
    };
  }
  const redis = new Redis({
    host: target.host,
    port: target.port,
    db: target.db,
    ...(target.username !== undefined ? { username: target.username } : {}),
    ...(target.password !== undefined ? { password: target.password } : {}),
    ...(tls ? { tls } : {}),
    ...(o.name ? { connectionName: o.name } : {}),
    lazyConnect: true,
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    connectTimeout: 10_000,
    retryStrategy: (times: number) => {
      if (authFailed) return null;
      if (!everReady && times >= initialAttempts) return null;
      const delay = backoffDelay(times, o.maxDelayMs);
      const now = Date.now();
      const repeated = times === lastReported.attempt && now - lastReported.at < 1000;
      if ((everReady || initialAttempts === Number.POSITIVE_INFINITY) && !repeated) {
        lastReported = { attempt: times, at: now };
        log(
          `${lost || everReady ? 'lost the connection to' : 'cannot reach'} ${where}${lastError ? ` (${lastError})` : ''}; retrying in ${(delay / 1000).toFixed(delay < 1000 ? 2 : 1)} s (attempt ${times})`,
        );
      }
      if (everReady) lost = true;
      return delay;
    },
  });
  redis.on('error', (err: Error) => {
    lastError = err.message;
    if (AUTH_ERROR.test(err.message)) authFailed = true;
  });
  redis.on('ready', () => {
    if (lost) log(`reconnected to ${where}`);
    lost = false;
    everReady = true;
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    const cause = lastError || (err as Error).message;
    if (authFailed || AUTH_ERROR.test(cause))
      throw new QueueError(
        `${where} refused the credentials: ${cause} (check the user and password in --queue, or ${QUEUE_PASSWORD_ENV}; the URL was ${target.display})`,
      );
    throw new QueueError(`cannot connect to ${where}: ${cause} (the URL was ${target.display})`);
  }
  return redis;
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new QueueError(`--queue ?${what}=${path}: cannot read it: ${(err as Error).message}`);
  }
}

/**
 * An error message from Redis, with what to do about an ACL refusal (NOPERM) added.
 *
 * @example
 * explainRedisError(new Error('NOPERM this user has no permissions to run the info command'), 'rsmooth');
 * // '... (the ACL user needs the keys ~rsmooth:* and the commands +@all -@dangerous +info)'
 */
export function explainRedisError(err: unknown, prefix: string): string {
  const message = (err as Error)?.message ?? String(err);
  return /NOPERM/.test(message) ? `${message} (the ACL user needs the keys ~${prefix}:* and the commands +@all -@dangerous +info)` : message;
}
