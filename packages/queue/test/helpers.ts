import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type RunExecutor, connectQueue, createRunSpec, parseQueueUrl, type QueueWorkerOptions, startQueueWorker } from '../src/index.js';
import { findRedisServer } from '../src/testing/index.js';

/** Set when redis-server is missing: the Redis tests skip with this reason. */
export const REDIS = findRedisServer();
export const NO_REDIS = REDIS.path === null;

/** Quick timings for tests: a lost lock is noticed within about 3 s. */
export const FAST = { lockDurationMs: 2000, stalledIntervalMs: 1000, heartbeatMs: 500, pollMs: 200 } as const;

/** A connection to a test server (fails fast). */
export async function connect(url: string, log?: (m: string) => void) {
  const target = parseQueueUrl(url);
  return { target, redis: await connectQueue(target, { ...(log ? { log } : {}), initialAttempts: 3 }) };
}

/** A run over `inputs` whose result for input i is `{"idx":i,"value":i*i}`. */
export function squareSpec(inputs: number[], o: { group?: number; attempts?: number; backoffMs?: number; tag?: string } = {}) {
  return createRunSpec({
    settings: { command: 'square', tag: o.tag ?? 'x', inputs: inputs.length, modelSha256: 'm', data: { sha256: 'd' } },
    task: {},
    inputs,
    samplesPerInput: 1000,
    group: o.group ?? 1,
    attempts: o.attempts ?? 3,
    backoffMs: o.backoffMs ?? 100,
  });
}

/** An in-process executor computing squares; counts calls per input; `fail(i)` makes input i throw. */
export function squareExecutor(o: { delayMs?: number; fail?: (i: number) => boolean } = {}) {
  const calls = new Map<number, number>();
  const executor: RunExecutor = {
    async run(inputs, { signal }) {
      for (const i of inputs) calls.set(i, (calls.get(i) ?? 0) + 1);
      if (o.delayMs) await new Promise((r) => setTimeout(r, o.delayMs! * inputs.length));
      if (signal.aborted) throw signal.reason;
      const bad = inputs.find((i) => o.fail?.(i));
      if (bad !== undefined) throw new Error(`input ${bad} is cursed`);
      return { results: inputs.map((i) => JSON.stringify({ idx: i, value: i * i })), samples: inputs.length * 1000 };
    },
    async dispose() {},
  };
  return { executor, calls };
}

/** An in-process worker with the fast timings that exits when no run has work. */
export async function inProcessWorker(url: string, executor: RunExecutor, o: Partial<QueueWorkerOptions> = {}) {
  const { target, redis } = await connect(url);
  const logs: string[] = [];
  const worker = startQueueWorker({ redis, prefix: target.prefix, open: async () => executor, idleExitMs: 0, ...FAST, log: (m) => logs.push(m), ...o });
  const done = worker.done.finally(() => redis.disconnect());
  return { worker, done, logs, redis };
}

const CHILD = fileURLToPath(new URL('./fixtures/child-worker.mjs', import.meta.url));

/** A worker in its own process (`fixtures/child-worker.mjs`); resolves `started` with the inputs of its first job. */
export function childWorker(url: string, delayMs: number, graceMs = 30_000) {
  const child: ChildProcess = spawn(process.execPath, [CHILD, url, String(delayMs), String(graceMs)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let onStart: (inputs: string) => void = () => {};
  const started = new Promise<string>((r) => {
    onStart = r;
  });
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
    const m = /^start (.*)$/m.exec(stdout);
    if (m) onStart(m[1]!);
  });
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, started, exited, output: () => ({ stdout, stderr }) };
}
