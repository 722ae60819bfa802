import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FMNIST_CNN_DIR } from '@rs/fixtures';
import { vi } from 'vitest';
import { registerBuiltinBackends } from '../src/backends/index.js';
import { COMMANDS } from '../src/commands/index.js';

/** The built executable (tests assume `npm run build` ran; Nx's test target depends on build). */
export const BIN = fileURLToPath(new URL('../dist/bin/rsmooth.js', import.meta.url));
export const MODEL = join(FMNIST_CNN_DIR, 'model.onnx');
export const X = join(FMNIST_CNN_DIR, 'x.npy');
export const Y = join(FMNIST_CNN_DIR, 'y.npy');

/** Runs rsmooth to completion. */
export function rsmooth(args: string[], o: { cwd?: string; env?: Record<string, string> } = {}): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: o.cwd, encoding: 'utf8', env: { ...process.env, ...o.env } });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Starts rsmooth without waiting. */
export function rsmoothAsync(args: string[], cwd?: string) {
  return spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'rsmooth-test-'));
}

/** A results file's lines without the time column (the only column that differs between runs). */
export function withoutTime(path: string): string[] {
  return readFileSync(path, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => l.split('\t').slice(0, -1).join('\t'));
}

/** A log's records without their timing fields. */
export function recordsWithoutTiming(path: string): Record<string, unknown>[] {
  return readFileSync(path, 'utf8')
    .trimEnd()
    .split('\n')
    .slice(1)
    .map((l) => {
      const { seconds, startedAt, ...rest } = JSON.parse(l) as Record<string, unknown>;
      void seconds;
      void startedAt;
      return rest;
    });
}

/** Fixture flags: the fixture CNN and its 20 Fashion-MNIST test images. */
export const FIXTURE = ['--model', MODEL, '--data', X, '--labels', Y, '--sigma', '0.25', '--clip', '0:1', '--threads', '1'];

/** What one in-process run of a command did. */
export interface CliRun {
  status: number;
  stdout: string;
  stderr: string;
  /** The error the command threw (main() prints its message and exits with its status). */
  error?: Error & { code?: string; exitCode?: number };
}

/**
 * Runs `rsmooth <argv>` in this process, through the command objects (as main() does, without a
 * new Node process): stdout and stderr are captured, a thrown error is returned with its code.
 */
export async function cli(argv: string[]): Promise<CliRun> {
  registerBuiltinBackends();
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const [name, ...rest] = argv;
    const command = COMMANDS.find((c) => c.name === name);
    if (!command) throw new Error(`test: no command ${name}`);
    try {
      return { status: await command.run(rest), stdout, stderr };
    } catch (e) {
      const error = e as CliRun['error'] & Error;
      stderr += `error: ${error.message}\n`;
      return { status: typeof error.exitCode === 'number' ? error.exitCode : 1, stdout, stderr, error };
    }
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}
