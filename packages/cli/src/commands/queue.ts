import type { QueueTarget, Redis } from '@rs/queue';
import { z } from 'zod';
import { formatOptions, parseCommandArgs, type OptionSpec } from '../cli/args.js';
import { CliError } from '../errors.js';
import type { Command } from './command.js';

const OPTIONS: OptionSpec = {
  queue: { type: 'string', help: 'the queue: redis://[user:password@]host:port[/prefix] or rediss://... (required)', arg: 'URL' },
  json: { type: 'boolean', help: 'status: print JSON instead of text' },
  help: { type: 'boolean', short: 'h', help: 'print this help' },
};
const schema = z
  .object({
    queue: z.string().min(1).optional(),
    json: z.boolean().default(false),
    help: z.boolean().default(false),
  })
  .strict();

const USAGE = `Usage: rsmooth queue status [RUN] --queue URL [--json]
       rsmooth queue cancel RUN --queue URL
       rsmooth queue clean [RUN] --queue URL

status   every run (or RUN): inputs stored of the total, jobs waiting / running / retrying / failed,
         failed jobs with their last error, workers that refused the run and why; then every worker
         alive (from its heartbeat): host, pid, state, run, inputs done, samples/s, current inputs.
cancel   stops RUN: its queued jobs are removed, workers abort its running jobs, a collecting
         'rsmooth certify --queue' stops with an error. Stored results stay until 'clean'.
clean    removes the data of finished runs (collected into their file, or cancelled): description,
         stored results, BullMQ keys. 'clean RUN' removes RUN whatever its state.

RUN is a run id (printed by 'rsmooth certify --queue' and by 'status') or a unique prefix of one
(at least 6 hex digits).`;

/**
 * `rsmooth queue status|cancel|clean`: look after the runs in a queue.
 */
export const queueCommand: Command = {
  name: 'queue',
  options: OPTIONS,
  summary: 'status, cancel and clean of queued runs and their workers',
  usage: () => `${USAGE}

Options:
${formatOptions(OPTIONS)}`,
  async run(argv) {
    const { values: f, positionals } = parseCommandArgs('queue', argv, OPTIONS, schema, { positionals: true });
    if (f.help) {
      process.stdout.write(`${queueCommand.usage()}\n`);
      return 0;
    }
    if (f.queue === undefined) throw new CliError("rsmooth queue: --queue is required: the queue to look at (see 'rsmooth queue --help')");
    const queueUrl = f.queue;
    const [action, run, ...extra] = positionals;
    if (action !== 'status' && action !== 'cancel' && action !== 'clean')
      throw new CliError(
        `rsmooth queue: ${action === undefined ? 'say what to do' : `unknown action '${action}'`}: status, cancel or clean (see 'rsmooth queue --help')`,
      );
    if (extra.length > 0) throw new CliError(`rsmooth queue ${action}: one run at most (got ${positionals.slice(1).join(' ')})`);
    if (action === 'cancel' && run === undefined) throw new CliError('rsmooth queue cancel: which run? (rsmooth queue cancel RUN --queue URL)');
    // Loaded here, not at startup: the other commands do not need BullMQ.
    const { cancelRun, cleanRuns, connectQueue, explainRedisError, parseQueueUrl, queueStatus } = await import('@rs/queue');
    const { formatQueueStatus } = await import('../queue/format-status.js');
    let target: QueueTarget;
    try {
      target = parseQueueUrl(queueUrl);
    } catch (err) {
      throw new CliError(`rsmooth queue: ${(err as Error).message}`);
    }
    const redis = await connectQueue(target, { name: 'rsmooth-queue', log: (m) => process.stderr.write(`rsmooth queue: ${m}\n`) }).catch((err) => {
      throw new CliError(`rsmooth queue: ${(err as Error).message}`, 1);
    });
    try {
      const runId = run === undefined ? undefined : await resolveRunId(redis, target, run, action);
      if (action === 'status') {
        const status = await queueStatus(redis, target.prefix, runId ? { runId } : {});
        process.stdout.write(f.json ? `${JSON.stringify(status, null, 2)}\n` : formatQueueStatus(status, target.display));
      } else if (action === 'cancel') {
        const spec = await cancelRun(redis, target.prefix, runId!);
        process.stdout.write(`cancelled run ${spec.runId} (${spec.inputs.length} inputs); its stored results stay until 'rsmooth queue clean'\n`);
      } else {
        const removed = await cleanRuns(redis, target.prefix, runId ? { runId } : {});
        process.stdout.write(
          removed.length === 0 ? 'no finished run to clean\n' : `removed ${removed.length} run${removed.length === 1 ? '' : 's'}: ${removed.join(', ')}\n`,
        );
      }
      return 0;
    } catch (err) {
      if (err instanceof CliError) throw err;
      throw new CliError(`rsmooth queue ${action}: ${explainRedisError(err, target.prefix)}`, 1);
    } finally {
      redis.disconnect();
    }
  },
};

async function resolveRunId(redis: Redis, target: QueueTarget, given: string, action: string): Promise<string> {
  const { listRunIds, queueKeys } = await import('@rs/queue');
  if (!/^[0-9a-f]{6,24}$/.test(given)) throw new CliError(`rsmooth queue ${action}: '${given}' is not a run id (6 to 24 hex digits)`);
  const ids = await listRunIds(redis, queueKeys(target.prefix));
  const matches = ids.filter((id) => id.startsWith(given));
  if (matches.length === 0) throw new CliError(`rsmooth queue ${action}: no run ${given} in ${target.display}`, 1);
  if (matches.length > 1) throw new CliError(`rsmooth queue ${action}: '${given}' matches ${matches.length} runs (${matches.join(', ')}): give more digits`);
  return matches[0]!;
}
