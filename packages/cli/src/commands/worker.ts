import { z } from 'zod';
import { cliVersion } from '../assets.js';
import { formatOptions, intFlag, numberFlag, parseCommandArgs, type OptionSpec } from '../cli/args.js';
import { CliError } from '../errors.js';
import type { Command } from './command.js';

const OPTIONS: OptionSpec = {
  queue: { type: 'string', help: 'the queue: redis://[user:password@]host:port[/prefix] or rediss://... (required)', arg: 'URL' },
  backend: { type: 'string', help: 'refuse runs of another backend (default: the run says)', arg: 'NAME' },
  device: { type: 'string', help: 'cpu (default) or gpu', arg: 'cpu|gpu' },
  threads: { type: 'string', help: 'intra-op threads per model (default: all cores)', arg: 'N' },
  batch: { type: 'string', help: 'noisy samples per model call (default: the run says; does not change the noise)', arg: 'B' },
  concurrency: { type: 'string', help: 'jobs at once, each on its own copy of the model (default 1)', arg: 'N' },
  model: { type: 'string', help: "this machine's copy of the model (default: the submitter's path; its SHA-256 must match)", arg: 'PATH' },
  data: { type: 'string', help: "this machine's copy of the data (default: the submitter's path or data set name)", arg: 'PATH|NAME' },
  labels: { type: 'string', help: "this machine's copy of the labels", arg: 'PATH' },
  run: { type: 'string', help: 'serve only this run id (default: every run, oldest first)', arg: 'ID' },
  'idle-exit': { type: 'string', help: 'exit (status 0) after S seconds with no run to serve (default: wait for runs)', arg: 'S' },
  grace: { type: 'string', help: 'on SIGTERM, seconds a running job may take to finish before it is returned to the queue (default 25)', arg: 'S' },
  'lock-seconds': { type: 'string', help: 'a job whose worker stops renewing its lock this long runs again elsewhere (default 30)', arg: 'S' },
  'max-stalled': { type: 'string', help: 'a job that stalls more often than this fails (default 2)', arg: 'N' },
  heartbeat: { type: 'string', help: 'seconds between heartbeats (default 5)', arg: 'S' },
  quiet: { type: 'boolean', short: 'q', help: 'only errors and warnings' },
  help: { type: 'boolean', short: 'h', help: 'print this help' },
};

const positive = (v: number) => v > 0;
const schema = z
  .object({
    queue: z.string().min(1).optional(),
    backend: z.string().min(1).optional(),
    device: z.enum(['cpu', 'gpu'], { error: "must be 'cpu' or 'gpu'" }).default('cpu'),
    threads: intFlag(1, 1024).optional(),
    batch: intFlag(1).optional(),
    concurrency: intFlag(1, 64).default(1),
    model: z.string().min(1).optional(),
    data: z.string().min(1).optional(),
    labels: z.string().min(1).optional(),
    run: z
      .string()
      .regex(/^[0-9a-f]{24}$/, 'must be a run id (24 hex digits)')
      .optional(),
    'idle-exit': numberFlag('a number of seconds >= 0', (v) => v >= 0).optional(),
    grace: numberFlag('a number of seconds >= 0', (v) => v >= 0).default(25),
    'lock-seconds': numberFlag('a number of seconds > 0', positive).default(30),
    'max-stalled': intFlag(0, 100).default(2),
    heartbeat: numberFlag('a number of seconds > 0', positive).default(5),
    quiet: z.boolean().default(false),
    help: z.boolean().default(false),
  })
  .strict();

/**
 * `rsmooth worker`: takes jobs of queued certify/predict runs from Redis and runs them here.
 */
export const workerCommand: Command = {
  name: 'worker',
  options: OPTIONS,
  summary: 'take jobs of queued certify/predict runs (rsmooth certify --queue) from Redis and run them here',
  usage: () => `Usage: rsmooth worker --queue redis://[user:password@]host:port[/prefix] [--device cpu|gpu] [--threads N]
                      [--batch B] [--concurrency N] [--model PATH] [--data PATH] [--run ID] [--idle-exit S]

Serves the runs that 'rsmooth certify --queue' and 'rsmooth predict --queue' submitted, oldest first:
before its first job of a run it checks that its model and data have the run's SHA-256 (the
submitter's paths, the bundled default, a named data set, or this machine's copies given with
--model/--data/--labels) and refuses the run otherwise (exit status 2, the reason is also shown by
'rsmooth queue status'). Each result is stored once in Redis (first writer wins) before its job is
acknowledged: a job run twice (a killed worker, a retry) gives the same row once.

Failures: a worker killed mid-job stops renewing the job's lock; after --lock-seconds another worker
runs it again (after --max-stalled such stalls the job fails). A job that throws is retried with
backoff, then fails after the run's --attempts. If Redis goes away, the worker retries with backoff
(and says so) and carries on.

SIGTERM or Ctrl-C: no new jobs; running jobs may finish for --grace seconds, then they are returned
to the queue (no attempt counted); a second signal returns them at once. Exit status 0.
Heartbeats every --heartbeat seconds show in 'rsmooth queue status'.

The password may come from RSMOOTH_QUEUE_PASSWORD instead of the URL (command lines are visible to
other users of a machine). rediss:// uses TLS (?ca=PEM for a private CA). The worker connects to that
host only and listens on nothing.

Options:
${formatOptions(OPTIONS)}`,
  async run(argv) {
    const { values: f } = parseCommandArgs('worker', argv, OPTIONS, schema);
    if (f.help) {
      process.stdout.write(`${workerCommand.usage()}\n`);
      return 0;
    }
    if (f.queue === undefined) throw new CliError("rsmooth worker: --queue is required: the queue to take jobs from (see 'rsmooth worker --help')");
    const queueUrl = f.queue;
    // Loaded here, not at startup: the other commands do not need BullMQ.
    const { connectQueue, explainRedisError, parseQueueUrl, QueueError, RunRefusedError, startQueueWorker } = await import('@rs/queue');
    const { openQueueExecutor } = await import('../queue/executor.js');
    let target: ReturnType<typeof parseQueueUrl>;
    try {
      target = parseQueueUrl(queueUrl);
    } catch (err) {
      throw new CliError(`rsmooth worker: ${(err as Error).message}`);
    }
    const stamp = () => new Date().toISOString().slice(11, 19);
    const say = (m: string) => process.stderr.write(`rsmooth worker ${stamp()}: ${m}\n`);
    const info = f.quiet ? () => {} : say;
    const redis = await connectQueue(target, { log: say, name: 'rsmooth-worker', initialAttempts: Number.POSITIVE_INFINITY }).catch((err) => {
      throw new CliError(`rsmooth worker: ${(err as Error).message}`, 1);
    });
    let workerId = '';
    const worker = startQueueWorker({
      redis,
      prefix: target.prefix,
      concurrency: f.concurrency,
      ...(f.run ? { runId: f.run } : {}),
      lockDurationMs: Math.round(f['lock-seconds'] * 1000),
      stalledIntervalMs: Math.max(500, Math.round((f['lock-seconds'] * 1000) / 2)),
      maxStalledCount: f['max-stalled'],
      heartbeatMs: Math.round(f.heartbeat * 1000),
      pollMs: Math.min(500, Math.round(f.heartbeat * 1000)),
      ...(f['idle-exit'] !== undefined ? { idleExitMs: f['idle-exit'] * 1000 } : {}),
      details: { version: cliVersion(), device: f.device, threads: f.threads ?? 'all', batch: f.batch ?? 'the run', backend: f.backend ?? 'the run' },
      log: say,
      open: (spec) => {
        info(`opening run ${spec.runId} (${String(spec.settings.command)}, ${spec.inputs.length} inputs): checking its model and data`);
        return openQueueExecutor(spec, {
          backend: f.backend,
          device: f.device,
          threads: f.threads,
          batch: f.batch,
          model: f.model,
          data: f.data,
          labels: f.labels,
          concurrency: f.concurrency,
          workerId,
          log: info,
        });
      },
    });
    workerId = worker.id;
    info(
      `worker ${worker.id} on ${target.display}${f.run ? `, run ${f.run}` : ''} (device ${f.device}, threads ${f.threads ?? 'all'}, concurrency ${f.concurrency})`,
    );
    let signals = 0;
    const onSignal = (sig: string) => {
      signals++;
      if (signals === 1) {
        say(
          `${sig}: finishing the running job${f.concurrency > 1 ? 's' : ''} (up to ${f.grace} s), then stopping; send it again to return them to the queue now`,
        );
        void worker.stop({ graceMs: f.grace * 1000 });
      } else {
        say(`${sig} again: returning the running jobs to the queue`);
        void worker.stop({ graceMs: 0 });
      }
    };
    const onTerm = () => onSignal('SIGTERM');
    const onInt = () => onSignal('SIGINT');
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
    try {
      const s = await worker.done;
      info(`stopped: ${s.jobsDone} jobs, ${s.inputsDone} inputs done${s.jobsFailed ? `, ${s.jobsFailed} failed attempts` : ''}`);
      return 0;
    } catch (err) {
      if (err instanceof RunRefusedError) throw new CliError(`rsmooth worker: ${err.message}`, 2);
      if (err instanceof CliError) throw new CliError(`rsmooth worker: ${err.message}`, err.exitCode);
      if (err instanceof QueueError || /NOPERM/.test((err as Error)?.message))
        throw new CliError(`rsmooth worker: ${explainRedisError(err, target.prefix)}`, 1);
      throw err;
    } finally {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      redis.disconnect();
    }
  },
};
