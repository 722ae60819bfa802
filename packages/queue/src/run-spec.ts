import { hostname } from 'node:os';
import { z } from 'zod';
import { QueueError } from './errors.js';
import { runIdFor } from './run-id.js';

/**
 * The version tag of a stored run description.
 */
export const RUN_SPEC_FORMAT = 'rsmooth-queue/1';

const runSpecSchema = z
  .object({
    format: z.literal(RUN_SPEC_FORMAT),
    runId: z.string().regex(/^[0-9a-f]{24}$/),
    settings: z.record(z.string(), z.unknown()),
    task: z.record(z.string(), z.unknown()),
    inputs: z.array(z.number().int().min(0)).min(1),
    group: z.number().int().min(1).max(10_000),
    attempts: z.number().int().min(1).max(100),
    backoffMs: z.number().int().min(0).max(3_600_000),
    samplesPerInput: z.number().min(0),
    createdAt: z.string(),
    submitter: z.string(),
  })
  .strict();

/**
 * A run as stored in Redis: what every worker needs to take part.
 *
 * - `settings` decide the results and give the run id (they must include the model's and the
 *   data's SHA-256, so a worker can check it has the same files);
 * - `task` tells workers how to run it (file paths as the submitter saw them, batch size, ...): it
 *   may differ between submissions of the same run without changing the id;
 * - `inputs` are the input ids (dataset indices) in output order; jobs cover `group` consecutive
 *   positions each.
 *
 * @example
 * const spec = createRunSpec({ settings, task: { model: '/data/model.onnx' }, inputs: [0, 20, 40], samplesPerInput: 100_100 });
 */
export type RunSpec = z.output<typeof runSpecSchema>;

/**
 * Builds a {@link RunSpec}, its id derived from `settings` ({@link runIdFor}). Defaults: one input
 * per job, 3 attempts per job, retries after 5 s, 10 s, 20 s, ...
 *
 * @example
 * const spec = createRunSpec({ settings: { command: 'certify', modelSha256, data: { sha256 } }, task: {}, inputs: [0, 1, 2], samplesPerInput: 10_100 });
 * spec.runId; // 24 hex digits
 */
export function createRunSpec(o: {
  settings: Record<string, unknown>;
  task: Record<string, unknown>;
  inputs: ArrayLike<number>;
  samplesPerInput: number;
  group?: number;
  attempts?: number;
  backoffMs?: number;
  submitter?: string;
}): RunSpec {
  return parseRunSpec(
    {
      format: RUN_SPEC_FORMAT,
      runId: runIdFor(o.settings),
      settings: o.settings,
      task: o.task,
      inputs: Array.from(o.inputs),
      group: o.group ?? 1,
      attempts: o.attempts ?? 3,
      backoffMs: o.backoffMs ?? 5000,
      samplesPerInput: o.samplesPerInput,
      createdAt: new Date().toISOString(),
      submitter: o.submitter ?? `${hostname()}:${process.pid}`,
    },
    'new run',
  );
}

/**
 * Validates a run description (from Redis: anyone who can write there could have written it), and
 * checks that its id is the one its settings give.
 *
 * @example
 * const spec = parseRunSpec(JSON.parse(await redis.hget(keys.run(id), 'spec')), `run ${id}`);
 */
export function parseRunSpec(value: unknown, where: string): RunSpec {
  const r = runSpecSchema.safeParse(value);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ');
    throw new QueueError(`${where}: not a valid run description (${RUN_SPEC_FORMAT}): ${issues}`);
  }
  const expected = runIdFor(r.data.settings);
  if (r.data.runId !== expected) throw new QueueError(`${where}: its run id ${r.data.runId} is not the one its settings give (${expected})`);
  const seen = new Set<number>();
  for (const id of r.data.inputs) {
    if (seen.has(id)) throw new QueueError(`${where}: input ${id} is listed twice`);
    seen.add(id);
  }
  return r.data;
}

/**
 * The input ids of the job that starts at `position`.
 *
 * @example
 * groupAt(spec, 4); // spec.inputs.slice(4, 4 + spec.group)
 */
export function groupAt(spec: Pick<RunSpec, 'inputs' | 'group'>, position: number): number[] {
  return spec.inputs.slice(position, position + spec.group);
}
