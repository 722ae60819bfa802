import type { ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { findRedisServer } from '@rs/queue/testing';
import { rsmoothAsync } from './helpers.js';

/** The Redis tests skip, with this reason, where redis-server is missing. */
export const REDIS = findRedisServer();
export const NO_REDIS = REDIS.path === null;

/** Worker flags that notice a killed worker within about 3 s. */
export const FAST_WORKER = ['--lock-seconds', '2', '--heartbeat', '0.5'];

/**
 * A running rsmooth process whose stderr is kept; `waitFor` resolves when a pattern shows up
 * (or rejects when the process exits first, with its output).
 */
export class Proc {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;
  readonly #watchers = new Set<{ pattern: RegExp; then: () => void }>();

  constructor(args: string[], cwd?: string) {
    this.child = rsmoothAsync(args, cwd);
    this.child.stdout!.on('data', (d: Buffer) => {
      this.stdout += d.toString();
    });
    this.child.stderr!.on('data', (d: Buffer) => {
      this.stderr += d.toString();
      for (const w of [...this.#watchers]) {
        if (w.pattern.test(this.stderr)) {
          this.#watchers.delete(w);
          w.then();
        }
      }
    });
    this.exited = new Promise((r) => this.child.once('exit', (code, signal) => r(signal ? -1 : code)));
  }

  async waitFor(pattern: RegExp, timeoutMs = 45_000): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.exited.then(() => {
      exited = true;
    });
    for (;;) {
      const m = pattern.exec(this.stderr);
      if (m) return m;
      if (exited) throw new Error(`the process exited before ${pattern}:\n${this.stderr}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}:\n${this.stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /**
   * Runs `then` as soon as stderr matches `pattern`, inside the data handler (no polling delay):
   * for faults that must land at a precise moment, e.g. SIGSTOP right after a job finished.
   */
  onStderr(pattern: RegExp, then: () => void): void {
    if (pattern.test(this.stderr)) then();
    else this.#watchers.add({ pattern, then });
  }

  kill(signal: NodeJS.Signals): Promise<number | null> {
    this.child.kill(signal);
    return this.exited;
  }
}

/** Data rows of a results file (no header). */
export function dataRows(path: string): string[] {
  return readFileSync(path, 'utf8').trimEnd().split('\n').slice(1);
}

/** Columns 1-5 (idx label predict radius correct) of each data row. */
export function firstFive(path: string): string[] {
  return dataRows(path).map((l) => l.split('\t').slice(0, 5).join('\t'));
}

/** Polls `check` every 50 ms until it is true (or throws after `timeoutMs`). */
export async function until(check: () => boolean, what: string, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Whether /proc shows processes' sockets (Linux). */
export const HAS_PROC_NET = existsSync('/proc/net/tcp') && existsSync('/proc/self/fd');

/**
 * The TCP and UDP sockets a process holds, from /proc (Linux): state `0A` is LISTEN; addresses as
 * `a.b.c.d:port` (IPv4) or the hex of /proc for IPv6.
 */
export function socketsOf(pid: number): { proto: string; local: string; remote: string; state: string }[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // closed meanwhile
    }
  }
  const out: { proto: string; local: string; remote: string; state: string }[] = [];
  for (const proto of ['tcp', 'tcp6', 'udp', 'udp6']) {
    const file = `/proc/net/${proto}`;
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').trim().split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (inodes.has(f[9]!)) out.push({ proto, local: address(f[1]!), remote: address(f[2]!), state: f[3]! });
    }
  }
  return out;
}

function address(hex: string): string {
  const [ip, port] = hex.split(':') as [string, string];
  if (ip.length !== 8) return `${ip}:${Number.parseInt(port, 16)}`;
  const bytes = ip
    .match(/../g)!
    .map((b) => Number.parseInt(b, 16))
    .reverse();
  return `${bytes.join('.')}:${Number.parseInt(port, 16)}`;
}
