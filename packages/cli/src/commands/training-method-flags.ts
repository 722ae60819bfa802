import { fitOptionsSchema, type LearningRateSchedule, parseTrainingOptions, TRAINING_METHODS, type TrainingMethodName } from '@rs/core';
import { z } from 'zod';
import { intFlag, numberFlag, type OptionSpec } from '../cli/args.js';
import { CliError } from '../errors.js';

/** Each method option's flag: the library option it sets, the methods that take it, its value. */
const METHOD_FLAGS = {
  'gaussian-samples': { option: 'gaussianSamples', methods: ['macer'], arg: 'K', help: 'MACER: noisy copies per input (default 16)' },
  beta: { option: 'beta', methods: ['macer'], arg: 'B', help: 'MACER: inverse temperature of the robustness term (default 16)' },
  gamma: { option: 'gamma', methods: ['macer'], arg: 'G', help: 'MACER: hinge of the robustness term (default 8)' },
  lambda: {
    option: 'lambda',
    methods: ['macer', 'consistency'],
    arg: 'L',
    help: 'MACER: weight of the robustness term (default 12); Consistency: of the KL term (default 10)',
  },
  epsilon: { option: 'epsilon', methods: ['smoothAdv'], arg: 'EPS', help: 'SmoothAdv: L2 radius of the attack (default 1)' },
  'num-noise-vec': {
    option: 'numNoiseVec',
    methods: ['smoothAdv', 'smoothMix', 'consistency'],
    arg: 'M',
    help: 'SmoothAdv / SmoothMix (default 1), Consistency (default 2): noise vectors per input',
  },
  'num-steps': { option: 'numSteps', methods: ['smoothAdv', 'smoothMix'], arg: 'T', help: 'SmoothAdv / SmoothMix: attack steps (default 10)' },
  warmup: { option: 'warmup', methods: ['smoothAdv', 'smoothMix'], arg: 'E', help: 'SmoothAdv / SmoothMix: epochs of linear warm-up (default 1)' },
  attack: { option: 'attack', methods: ['smoothAdv'], arg: 'pgd|ddn', help: 'SmoothAdv: the attack (default pgd)' },
  'ddn-gamma': { option: 'ddnGamma', methods: ['smoothAdv'], arg: 'G', help: "SmoothAdv's DDN: norm change per step (default 0.05)" },
  'ddn-levels': {
    option: 'ddnLevels',
    methods: ['smoothAdv'],
    arg: 'N',
    help: "SmoothAdv's DDN: quantization levels of --clip's domain (default 256; 0 none)",
  },
  eta: {
    option: 'eta',
    methods: ['smoothMix', 'consistency'],
    arg: 'ETA',
    help: 'SmoothMix: weight of the mixup term (default 1); Consistency: of the entropy term (default 0.5)',
  },
  'mix-step': { option: 'mixStep', methods: ['smoothMix'], arg: 'S', help: 'SmoothMix: attack step of the clean side (default 0)' },
  'step-size': { option: 'stepSize', methods: ['smoothMix'], arg: 'A', help: 'SmoothMix: attack step size (default 1)' },
  'maxnorm-s': { option: 'maxnormS', methods: ['smoothMix'], arg: 'R', help: 'SmoothMix: L2 bound of the clean side (default step size x mix step)' },
  maxnorm: { option: 'maxnorm', methods: ['smoothMix'], arg: 'R', help: 'SmoothMix: L2 bound of the adversarial side (default none)' },
} as const satisfies Record<string, { option: string; methods: readonly TrainingMethodName[]; arg: string; help: string }>;

type MethodFlag = keyof typeof METHOD_FLAGS;
const INTEGER_OPTIONS = new Set(['gaussianSamples', 'deferEpochs', 'numNoiseVec', 'numSteps', 'warmup', 'mixStep', 'ddnLevels']);

/** The training flags of `rsmooth train` (method, its options, the learning-rate schedule). */
export const TRAINING_METHOD_OPTIONS: OptionSpec = {
  method: { type: 'string', help: `training method (default gaussian): ${TRAINING_METHODS.join(', ')}`, arg: 'NAME' },
  ...Object.fromEntries(Object.entries(METHOD_FLAGS).map(([flag, f]) => [flag, { type: 'string', help: f.help, arg: f.arg }])),
  'lr-schedule': { type: 'string', help: 'constant (default), step:SIZE:GAMMA (StepLR), cosine or cosine:MIN (over --epochs)', arg: 'S' },
};

function methodName(s: string): TrainingMethodName | undefined {
  const key = s.replaceAll('-', '').toLowerCase();
  return TRAINING_METHODS.find((m) => m.toLowerCase() === key);
}

/** The zod shape of the training flags (values stay strings; {@link trainingSettings} converts them). */
export const trainingMethodFlagsShape = {
  method: z
    .string()
    .refine((s) => methodName(s) !== undefined, { error: `must be one of ${TRAINING_METHODS.join(', ')}` })
    .transform((s) => methodName(s)!)
    .default('gaussian'),
  ...(Object.fromEntries(Object.keys(METHOD_FLAGS).map((flag) => [flag, z.string().optional()])) as Record<MethodFlag, z.ZodOptional<z.ZodString>>),
  'lr-schedule': z
    .string()
    .regex(/^(constant|cosine(:[0-9.eE+-]+)?|step:\d+:[0-9.eE+-]+)$/, { error: "must be 'constant', 'step:SIZE:GAMMA', 'cosine' or 'cosine:MIN'" })
    .default('constant'),
};

/** The learning-rate schedule of `--lr-schedule` over `epochs` epochs. */
function schedule(value: string, epochs: number): LearningRateSchedule {
  const [kind, a, b] = value.split(':');
  if (kind === 'step') return { type: 'step', stepSize: Number(a), gamma: Number(b) };
  if (kind === 'cosine') return { type: 'cosine', totalEpochs: epochs, ...(a !== undefined ? { minLearningRate: Number(a) } : {}) };
  return 'constant';
}

/**
 * The method, its options and the learning-rate schedule from the flags, validated by core's
 * `fit` schema before any data is read; errors name the flags.
 */
export function trainingSettings(
  flags: { method: TrainingMethodName; 'lr-schedule': string } & Partial<Record<MethodFlag, string>>,
  epochs: number,
): { method: TrainingMethodName; options: Record<string, unknown>; lrSchedule: LearningRateSchedule } {
  const method = flags.method;
  const options: Record<string, unknown> = { method };
  for (const [flag, f] of Object.entries(METHOD_FLAGS) as Array<[MethodFlag, (typeof METHOD_FLAGS)[MethodFlag]]>) {
    const raw = flags[flag];
    if (raw === undefined) continue;
    if (!(f.methods as readonly string[]).includes(method)) {
      throw new CliError(`rsmooth train: --${flag} is an option of --method ${f.methods.join(' / ')}, not ${method}`);
    }
    if (flag === 'attack') {
      options[f.option] = raw;
      continue;
    }
    const parsed = (INTEGER_OPTIONS.has(f.option) ? intFlag(0) : numberFlag('a number')).safeParse(raw);
    if (!parsed.success) throw new CliError(`rsmooth train: --${flag} ${parsed.error.issues[0]!.message} (got ${JSON.stringify(raw)})`);
    options[f.option] = parsed.data;
  }
  const lrSchedule = schedule(flags['lr-schedule'], epochs);
  try {
    parseTrainingOptions(fitOptionsSchema, { ...options, learningRateSchedule: lrSchedule }, 'fit options');
  } catch (err) {
    let message = (err as Error).message;
    for (const [flag, f] of Object.entries(METHOD_FLAGS)) message = message.replace(`'${f.option}'`, `--${flag}`);
    message = message.replace(`'learningRateSchedule'`, '--lr-schedule');
    throw new CliError(`rsmooth train: ${message}`);
  }
  return { method, options, lrSchedule };
}

/**
 * A loss and its terms for the progress line: `1.2345 (classification 1.1000, robustness 0.0123)`.
 */
export function formatLoss(loss: number | undefined, terms: Readonly<Record<string, number>> | undefined): string {
  const main = loss === undefined ? '?' : loss.toFixed(4);
  const parts = Object.entries(terms ?? {});
  if (parts.length < 2) return main;
  return `${main} (${parts.map(([k, v]) => `${k} ${v.toFixed(4)}`).join(', ')})`;
}
