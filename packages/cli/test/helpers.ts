import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FMNIST_CNN_DIR } from '@rs/fixtures';

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
