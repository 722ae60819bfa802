import * as fs from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import lockfile from 'proper-lockfile';
import { CliError } from '../errors.js';

/** How long a lock whose holder stopped refreshing it stays valid (its holder refreshes it every third of that). */
export const LOCK_STALE_MS = 30_000;

/** Who holds a lock: written into the lock folder as `owner.json`. */
export interface LockOwner {
  pid: number;
  hostname: string;
  command: string;
  started: string;
}

/**
 * An exclusive lock on one output file, held for a whole run (see {@link lockOutput}).
 *
 * @example
 * const lock = await lockOutput('results.tsv', 'rsmooth certify', () => controller.abort());
 * try { ... } finally { await lock.release(); }
 */
export interface OutputLock {
  /** The locked file (canonical path). */
  readonly path: string;
  release(): Promise<void>;
}

// proper-lockfile removes its lock folder with rmdir; ours holds owner.json, so remove it recursively.
const lockFs = {
  ...fs,
  rmdir: (path: string, callback: (err: NodeJS.ErrnoException | null) => void) => fs.rm(path, { recursive: true, force: true }, callback),
  rmdirSync: (path: string) => fs.rmSync(path, { recursive: true, force: true }),
};

/** The path as one spelling for every process: its real path (links followed), or its folder's plus its name. */
function canonical(path: string): string {
  const abs = resolve(path);
  try {
    return fs.realpathSync(abs);
  } catch {
    try {
      return join(fs.realpathSync(dirname(abs)), basename(abs));
    } catch {
      return abs;
    }
  }
}

function readOwner(lockDir: string): LockOwner | null {
  try {
    const o = JSON.parse(fs.readFileSync(join(lockDir, 'owner.json'), 'utf8')) as Partial<LockOwner>;
    return Number.isSafeInteger(o.pid) && typeof o.hostname === 'string' ? (o as LockOwner) : null;
  } catch {
    return null;
  }
}

/** False only when this machine has no process `pid` (EPERM: it exists, owned by someone else). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** Removes the lock of a holder that died on this machine; false when the lock is (again) someone else's. */
function takeOverDead(lockDir: string, dead: LockOwner): boolean {
  // Move it aside first (atomic), then check it is still the dead holder's before deleting it: two
  // processes taking over at once cannot both remove a fresh lock.
  const aside = `${lockDir}.stale-${process.pid}-${Date.now()}`;
  try {
    fs.renameSync(lockDir, aside);
  } catch {
    return true; // gone already: just try again
  }
  const moved = readOwner(aside);
  if (moved && (moved.pid !== dead.pid || moved.hostname !== dead.hostname)) {
    try {
      fs.renameSync(aside, lockDir); // it was a live lock taken meanwhile: put it back
    } catch {
      // the name is taken again: that holder wins; leave the moved lock for the stale rule
    }
    return false;
  }
  fs.rmSync(aside, { recursive: true, force: true });
  return true;
}

/**
 * Takes an exclusive lock on the output `path` for a run (proper-lockfile: the folder `PATH.lock`,
 * created atomically, refreshed while held, with `owner.json` naming the holder). A second writer is
 * refused with `RS_OUTPUT_LOCKED`, naming the holder's PID and host. A lock whose holder is dead
 * (this machine, no such PID: a `kill -9`) is taken over at once, so killing and resuming a run keeps
 * working; on another machine a lock goes stale {@link LOCK_STALE_MS} after its holder stops.
 * `onLost` runs if the lock is taken or removed while held (the run should stop: `RS_OUTPUT_LOCK_LOST`).
 *
 * @example
 * const lock = await lockOutput('results.tsv', 'rsmooth certify', (err) => controller.abort(err));
 */
export async function lockOutput(path: string, command: string, onLost: (err: CliError) => void): Promise<OutputLock> {
  const file = canonical(path);
  const lockDir = `${file}.lock`;
  const options = {
    realpath: false,
    lockfilePath: lockDir,
    stale: LOCK_STALE_MS,
    update: LOCK_STALE_MS / 3,
    fs: lockFs,
    onCompromised: (err: Error) =>
      onLost(
        new CliError(`the lock on ${path} (${lockDir}) was taken or removed while this run wrote to it: ${err.message}`, {
          code: 'RS_OUTPUT_LOCK_LOST',
          exitCode: 1,
        }),
      ),
  };
  let release: () => Promise<void>;
  for (let attempt = 0; ; attempt++) {
    try {
      release = await lockfile.lock(file, options);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') {
        throw new CliError(`cannot lock ${path} (${lockDir}): ${(err as Error).message}`, { code: 'RS_WRITE_FAILED', exitCode: 1, cause: err });
      }
      const owner = readOwner(lockDir);
      const dead = owner !== null && owner.hostname === hostname() && !isAlive(owner.pid);
      if (dead && attempt < 2 && takeOverDead(lockDir, owner)) continue;
      throw new CliError(
        owner
          ? `${path} is being written by process ${owner.pid} on ${owner.hostname} (${owner.command}, since ${owner.started}); wait for it to end or stop it (the lock ${lockDir} of a killed process is taken over automatically)`
          : `${path} is being written by another process (its lock ${lockDir} names no owner yet; a lock goes stale ${LOCK_STALE_MS / 1000} s after its holder stops)`,
        { code: 'RS_OUTPUT_LOCKED' },
      );
    }
  }
  const owner: LockOwner = { pid: process.pid, hostname: hostname(), command, started: new Date().toISOString() };
  try {
    // proper-lockfile checks the folder's mtime is still the one it set; adding a file changes it: restore it.
    const { atime, mtime } = fs.statSync(lockDir);
    fs.writeFileSync(join(lockDir, 'owner.json'), `${JSON.stringify(owner)}\n`);
    fs.utimesSync(lockDir, atime, mtime);
  } catch (err) {
    await release().catch(() => undefined);
    throw new CliError(`cannot lock ${path}: writing ${lockDir}/owner.json failed: ${(err as Error).message}`, {
      code: 'RS_WRITE_FAILED',
      exitCode: 1,
      cause: err,
    });
  }
  let released = false;
  return {
    path: file,
    async release() {
      if (released) return;
      released = true;
      await release().catch(() => undefined); // ERELEASED after a compromise: nothing left to remove
    },
  };
}

/**
 * Locks several outputs (in a fixed order, so two runs cannot each hold one and wait), releasing
 * the ones taken when a later one is refused.
 *
 * @example
 * const locks = await lockOutputs([tsv, log], 'rsmooth certify', onLost);
 */
export async function lockOutputs(paths: string[], command: string, onLost: (err: CliError) => void): Promise<OutputLock[]> {
  const held: OutputLock[] = [];
  try {
    for (const p of [...new Set(paths.map(canonical))].sort()) held.push(await lockOutput(p, command, onLost));
  } catch (err) {
    await releaseAll(held);
    throw err;
  }
  return held;
}

/**
 * Releases locks (never throws).
 *
 * @example
 * await releaseAll(locks);
 */
export async function releaseAll(locks: readonly OutputLock[]): Promise<void> {
  for (const l of locks) await l.release();
}
