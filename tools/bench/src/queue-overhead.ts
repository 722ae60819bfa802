/**
 * Overhead of the job queue: the same certify run (the bundled CNN and its 50 Fashion-MNIST test
 * images) done by one process with two threads, and by two `rsmooth worker --threads 1` processes
 * fed by `rsmooth certify --queue` through a private redis-server on loopback, in interleaved rounds
 * (medians). Two figures per side: end to end (the submitting command from start to exit, workers
 * already waiting; includes loading the model) and over the certification span (first input started
 * to last input finished, from the log records). The rows are checked equal (columns 1-5).
 *
 * Usage: node tools/bench/dist/queue-overhead.js [--n 10000] [--images 50] [--batch 1000] [--rounds 2]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { findRedisServer, startRedisServer } from '@rs/queue/testing';
import { arg, median } from './util.js';

const BIN = join(dirname(fileURLToPath(import.meta.resolve('@rs/cli'))), 'bin', 'rsmooth.js');

interface Measured {
  wall: number;
  span: number;
  rows: string[];
}

export async function runQueueOverheadBench(): Promise<void> {
  const n = arg('n', 10_000);
  const images = arg('images', 50);
  const batch = arg('batch', 1000);
  const rounds = arg('rounds', 2);
  console.log(`Queue overhead: bundled CNN, ${images} images, n0 100, n ${n}, batch ${batch}; one process with 2 threads vs 2 workers with 1 thread each`);
  const redisBin = findRedisServer();
  if (redisBin.path === null) {
    console.log(`  skipped: ${redisBin.reason}`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'rsmooth-bench-queue-'));
  const server = await startRedisServer();
  const run = ['certify', '--n', String(n), '--batch', String(batch), '--max', String(images), '--quiet'];
  const local: Measured[] = [];
  const queued: Measured[] = [];
  try {
    for (let r = 0; r < rounds; r++) {
      local.push(await oneProcess(run, join(dir, `local${r}.tsv`)));
      queued.push(await twoWorkers(run, join(dir, `queued${r}.tsv`), `${server.url}/bench${r}`));
    }
  } finally {
    await server.dispose();
  }
  const same = queued.every((q) => q.rows.join('\n') === local[0]!.rows.join('\n')) && local.every((l) => l.rows.join('\n') === local[0]!.rows.join('\n'));
  const samples = images * (n + 100);
  const fmt = (m: Measured[]) => {
    const wall = median(m.map((x) => x.wall));
    const span = median(m.map((x) => x.span));
    return {
      wall,
      span,
      text: `${wall.toFixed(1)} s end to end (${Math.round(samples / wall).toLocaleString('en-US')} samples/s), ${Math.round(samples / span).toLocaleString('en-US')} samples/s over the certification span (rounds: ${m.map((x) => x.wall.toFixed(1)).join(', ')} s)`,
    };
  };
  const l = fmt(local);
  const q = fmt(queued);
  console.log(`  one process, --threads 2:                 ${l.text}`);
  console.log(`  queue, 2 workers x --threads 1 + Redis:   ${q.text}`);
  console.log(
    `  queue throughput / one process:           end to end ${(l.wall / q.wall).toFixed(2)}x, certification span ${(l.span / q.span).toFixed(2)}x (target >= 0.9x)`,
  );
  console.log(`  rows (idx label predict radius correct) equal in every round: ${same ? 'yes' : 'NO'}`);
  rmSync(dir, { recursive: true, force: true });
}

async function oneProcess(run: string[], out: string): Promise<Measured> {
  const t0 = performance.now();
  await exec([...run, '--threads', '2', '--out', out]);
  return { wall: (performance.now() - t0) / 1000, span: span(out), rows: firstFive(out) };
}

async function twoWorkers(run: string[], out: string, url: string): Promise<Measured> {
  const workers = [0, 1].map(() => start(['worker', '--queue', url, '--threads', '1', '--quiet']));
  await new Promise((r) => setTimeout(r, 1500)); // workers up and waiting, as on a cluster
  const t0 = performance.now();
  await exec([...run, '--queue', url, '--out', out]);
  const wall = (performance.now() - t0) / 1000;
  for (const w of workers) w.kill('SIGTERM');
  await Promise.all(workers.map((w) => new Promise((r) => (w.exitCode !== null ? r(null) : w.once('exit', r)))));
  return { wall, span: span(out), rows: firstFive(out) };
}

function start(args: string[]) {
  return spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
}

function exec(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
    p.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`rsmooth ${args.join(' ')} exited ${code}`))));
  });
}

/** Seconds from the first input's start to the last input's end, from the log records. */
function span(out: string): number {
  const records = readFileSync(`${out}.jsonl`, 'utf8')
    .trimEnd()
    .split('\n')
    .slice(1)
    .map((l) => JSON.parse(l) as { startedAt: string; seconds: number });
  const start = Math.min(...records.map((r) => Date.parse(r.startedAt)));
  const end = Math.max(...records.map((r) => Date.parse(r.startedAt) + r.seconds * 1000));
  return (end - start) / 1000;
}

function firstFive(out: string): string[] {
  return readFileSync(out, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => l.split('\t').slice(0, 5).join('\t'));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await runQueueOverheadBench();
