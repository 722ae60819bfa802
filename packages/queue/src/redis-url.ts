import { isIP } from 'node:net';
import { QueueError } from './errors.js';

/**
 * Where the queue lives, parsed from `redis://[user:password@]host:port[/prefix][?db=N]` or
 * `rediss://...` (TLS). Only this host and port are ever connected to.
 *
 * @example
 * const t = parseQueueUrl('rediss://worker:s3cret@queue.lab:6380/mnist?ca=/etc/ssl/lab-ca.pem');
 * t.tls; // true
 * t.display; // 'rediss://worker:***@queue.lab:6380/mnist?ca=/etc/ssl/lab-ca.pem'
 */
export interface QueueTarget {
  tls: boolean;
  host: string;
  port: number;
  /** Redis 6+ ACL user (default: the `default` user). */
  username?: string;
  password?: string;
  /** Redis database number (`?db=N`, default 0). */
  db: number;
  /** Prefix of every key this project writes (default `rsmooth`). */
  prefix: string;
  /** TLS: PEM files of a private certificate authority, and of a client certificate and key. */
  ca?: string;
  cert?: string;
  key?: string;
  /** The connection string with the password replaced by `***`: safe to print and log. */
  display: string;
}

/**
 * The environment variable read for the password when the connection string has none, so the
 * password need not appear on command lines (which other users of a machine can see in `ps`).
 */
export const QUEUE_PASSWORD_ENV = 'RSMOOTH_QUEUE_PASSWORD';

/** The default key prefix. */
export const DEFAULT_PREFIX = 'rsmooth';

const QUERY_KEYS = ['db', 'ca', 'cert', 'key'] as const;

/**
 * Parses and checks a queue connection string. The path is the key prefix (letters, digits, `_`,
 * `-`, `.`; a path of digits only is refused, since most Redis clients read it as a database number:
 * that goes in `?db=N`). `?ca=`, `?cert=` and `?key=` (PEM files) need `rediss://`. The password comes
 * from the URL (percent-encoded) or else from `RSMOOTH_QUEUE_PASSWORD`.
 *
 * @example
 * parseQueueUrl('redis://127.0.0.1:6379'); // { host: '127.0.0.1', port: 6379, prefix: 'rsmooth', db: 0, tls: false, ... }
 * parseQueueUrl('redis://:pw@10.0.0.5:6379/team-a?db=2').prefix; // 'team-a'
 */
export function parseQueueUrl(url: string, env: Record<string, string | undefined> = process.env): QueueTarget {
  const bad = (why: string) => new QueueError(`--queue ${redact(url)}: ${why} (expected redis://[user:password@]host:port[/prefix] or rediss://...)`);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw bad('not a URL');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw bad(`unknown scheme '${u.protocol}' (use redis:// or rediss:// for TLS)`);
  const tls = u.protocol === 'rediss:';
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') throw bad('no host');
  const port = u.port === '' ? 6379 : Number(u.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw bad(`port must be in [1, 65535]`);
  const path = decodeURIComponent(u.pathname.replace(/^\//, '').replace(/\/$/, ''));
  if (/^\d+$/.test(path)) throw bad(`the path is the key prefix, not a database number: write ?db=${path} for database ${path}`);
  if (path !== '' && !/^[A-Za-z0-9_.-]{1,64}$/.test(path)) throw bad(`the prefix '${path}' must be 1-64 letters, digits, '_', '-' or '.'`);
  const target: QueueTarget = { tls, host, port, db: 0, prefix: path || DEFAULT_PREFIX, display: '' };
  for (const [k, v] of u.searchParams) {
    if (!(QUERY_KEYS as readonly string[]).includes(k)) throw bad(`unknown option '?${k}=' (known: ${QUERY_KEYS.join(', ')})`);
    if (k === 'db') {
      if (!/^\d{1,5}$/.test(v)) throw bad(`?db= must be a database number, got '${v}'`);
      target.db = Number(v);
    } else {
      if (!tls) throw bad(`?${k}= is a TLS option: use rediss://`);
      if (v === '') throw bad(`?${k}= needs a file path`);
      target[k as 'ca' | 'cert' | 'key'] = v;
    }
  }
  if ((target.cert === undefined) !== (target.key === undefined)) throw bad('a client certificate needs both ?cert= and ?key=');
  if (u.username !== '') target.username = decodeURIComponent(u.username);
  if (u.password !== '') target.password = decodeURIComponent(u.password);
  else if (env[QUEUE_PASSWORD_ENV]) target.password = env[QUEUE_PASSWORD_ENV];
  target.display = redact(url);
  return target;
}

/**
 * The connection string with its password replaced by `***` (for messages and logs).
 *
 * @example
 * redact('redis://u:secret@h:6379/p'); // 'redis://u:***@h:6379/p'
 */
export function redact(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:@/]*:)[^@/]*@/i, '$1***@');
}

/**
 * Host and port as `host:port` (IPv6 in brackets), for messages.
 *
 * @example
 * hostPort(parseQueueUrl('redis://[::1]:7000')); // '[::1]:7000'
 */
export function hostPort(t: Pick<QueueTarget, 'host' | 'port'>): string {
  return `${isIP(t.host) === 6 ? `[${t.host}]` : t.host}:${t.port}`;
}
