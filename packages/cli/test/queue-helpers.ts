import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
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

  constructor(args: string[], cwd?: string) {
    this.child = rsmoothAsync(args, cwd);
    this.child.stdout!.on('data', (d: Buffer) => {
      this.stdout += d.toString();
    });
    this.child.stderr!.on('data', (d: Buffer) => {
      this.stderr += d.toString();
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
