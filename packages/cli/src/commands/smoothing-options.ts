import { z } from 'zod';
import { clipFlag, intFlag, numberFlag, seedFlag, shardFlag, type OptionSpec } from '../cli/args.js';
import { COMPOSITION_OPTIONS, compositionShape } from './composition-flags.js';
import { QUEUE_RUN_OPTIONS, queueRunShape } from '../queue/queue-flags.js';

/**
 * Flags shared by `certify` and `predict`.
 */
export const SMOOTHING_RUN_OPTIONS: OptionSpec = {
  model: { type: 'string', help: 'model: .onnx (onnx, webgpu) or a TF.js model.json (tfjs); omit with --data for the bundled default', arg: 'PATH' },
  backend: { type: 'string', help: "onnx (default), tfjs, webgpu, or auto (picks by the model's file type and the device)", arg: 'NAME' },
  device: { type: 'string', help: 'cpu (default) or gpu', arg: 'cpu|gpu' },
  threads: { type: 'string', help: 'intra-op threads of the backend (default: all cores)', arg: 'N' },
  data: { type: 'string', help: ".npy, IDX (.gz too) or 'fashion-mnist'", arg: 'PATH|NAME' },
  labels: { type: 'string', help: 'labels (.npy or IDX); a named data set brings its own', arg: 'PATH' },
  split: { type: 'string', help: 'split of a named data set: test (default) or train', arg: 'test|train' },
  'scale-uint8': { type: 'boolean', help: 'divide uint8 data by 255 (to [0, 1])' },
  clip: { type: 'string', help: 'valid input domain, e.g. 0:1 (inputs outside are rejected)', arg: 'MIN:MAX' },
  sigma: { type: 'string', help: 'noise standard deviation per coordinate (required, except for the bundled default: 0.25)', arg: 'S' },
  noise: { type: 'string', help: 'noise family: gaussian (default), uniform or laplace (sigma stays the standard deviation)', arg: 'FAMILY' },
  sound: { type: 'boolean', help: 'sound mode (Voracek & Hein 2023): inputs on the grid m / levels, exact discretized Gaussian noise' },
  'sound-levels': { type: 'string', help: 'grid of --sound: values m / L (default 255, i.e. uint8 / 255)', arg: 'L' },
  n: {
    type: 'string',
    help: "Monte Carlo samples per input, at most 2147483647 (default 100000; 10000 for the bundled default); alias --N (Cohen et al.'s name)",
    arg: 'N',
  },
  alpha: { type: 'string', help: 'failure probability (default 0.001)', arg: 'A' },
  batch: { type: 'string', help: 'noisy samples per model call (default 1000)', arg: 'B' },
  seed: { type: 'string', help: 'noise seed (default 0); noise of input i comes from (seed, i)', arg: 'K' },
  skip: { type: 'string', help: 'take every k-th input: dataset indices 0, k, 2k, ... (default 1)', arg: 'k' },
  max: { type: 'string', help: 'at most m inputs (counted after --skip)', arg: 'm' },
  shard: { type: 'string', help: 'this process does shard i of N (0-based): positions p with p mod N = i', arg: 'i/N' },
  group: { type: 'string', help: 'inputs per library call (default 1: rows stream out one by one)', arg: 'G' },
  out: { type: 'string', help: "results TSV (appended, resumable, locked while running); omit or '-' to print rows to stdout", arg: 'PATH' },
  log: { type: 'string', help: 'JSON Lines provenance log (default OUT.jsonl; never overwrites a file this run did not create)', arg: 'PATH' },
  ...COMPOSITION_OPTIONS,
  ...QUEUE_RUN_OPTIONS,
  quiet: { type: 'boolean', short: 'q', help: 'no progress on stderr' },
  help: { type: 'boolean', short: 'h', help: 'print this help' },
};

const positive = (v: number) => v > 0;

/** The most samples per input (`--n`, `--n0`): the library's class counts are 32-bit. */
export const MAX_SAMPLES = 2 ** 31 - 1;

/**
 * zod schema of the shared flags (values arrive as strings from parseArgs).
 */
export const smoothingRunShape = {
  model: z.string().min(1).optional(),
  backend: z.string().min(1).default('onnx'),
  device: z.enum(['cpu', 'gpu'], { error: "must be 'cpu' or 'gpu'" }).default('cpu'),
  threads: intFlag(1, 1024).optional(),
  data: z.string().min(1).optional(),
  labels: z.string().min(1).optional(),
  split: z.enum(['test', 'train'], { error: "must be 'test' or 'train'" }).default('test'),
  'scale-uint8': z.boolean().default(false),
  clip: clipFlag.optional(),
  sigma: numberFlag('a number > 0', positive).optional(),
  noise: z.enum(['gaussian', 'uniform', 'laplace'], { error: "must be 'gaussian', 'uniform' or 'laplace'" }).default('gaussian'),
  sound: z.boolean().default(false),
  'sound-levels': intFlag(1, 65535).optional(),
  n: intFlag(1, MAX_SAMPLES).optional(),
  alpha: numberFlag('in (0, 0.5)', (v) => v > 0 && v < 0.5).default(0.001),
  batch: intFlag(1, MAX_SAMPLES).default(1000),
  seed: seedFlag.default('0'),
  skip: intFlag(1, 2 ** 32 - 1).default(1),
  max: intFlag(1, 2 ** 32 - 1).optional(),
  shard: shardFlag.optional(),
  group: intFlag(1, 10_000).default(1),
  out: z.string().min(1).optional(),
  log: z.string().min(1).optional(),
  ...compositionShape,
  ...queueRunShape,
  quiet: z.boolean().default(false),
  help: z.boolean().default(false),
};

/**
 * The shared flags, parsed.
 */
export type SmoothingRunFlags = z.output<z.ZodObject<typeof smoothingRunShape>>;
