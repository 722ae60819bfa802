import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { clipFlag, formatOptions, intFlag, numberFlag, parseCommandArgs, seedFlag, type OptionSpec } from '../cli/args.js';
import { cliVersion } from '../assets.js';
import { getBackend } from '../backends/index.js';
import { checkDataFitsModel, checkLabels, checkUint8Domain, loadData } from '../data/load.js';
import { CliError } from '../errors.js';
import { checkInputFile } from '../io/input-file.js';
import { lockOutputs, releaseAll } from '../io/output-lock.js';
import { checkOutputPath, sameFile } from '../io/output-path.js';
import { RNG_ALGORITHM } from '../io/run-log.js';
import { ProgressReporter, progressMode } from '../progress.js';
import type { Command } from './command.js';
import { formatLoss, TRAINING_METHOD_OPTIONS, trainingMethodFlagsShape, trainingSettings } from './training-method-flags.js';

const OPTIONS: OptionSpec = {
  model: { type: 'string', help: 'the model to train (its architecture and, without --reset, its starting weights)', arg: 'PATH' },
  reset: { type: 'boolean', help: 're-initialize the weights before training (PyTorch default init, seeded)' },
  backend: { type: 'string', help: "onnx (default), tfjs, webgpu, or auto (picks by the model's file type and the device)", arg: 'NAME' },
  device: { type: 'string', help: 'cpu (default) or gpu', arg: 'cpu|gpu' },
  threads: { type: 'string', help: 'intra-op threads of the backend (default: all cores)', arg: 'N' },
  data: { type: 'string', help: ".npy, IDX (.gz too) or 'fashion-mnist'", arg: 'PATH|NAME' },
  labels: { type: 'string', help: 'labels (.npy or IDX); a named data set brings its own', arg: 'PATH' },
  split: { type: 'string', help: 'split of a named data set: train (default) or test', arg: 'train|test' },
  'scale-uint8': { type: 'boolean', help: 'divide uint8 data by 255' },
  clip: { type: 'string', help: 'valid input domain, e.g. 0:1', arg: 'MIN:MAX' },
  max: { type: 'string', help: 'train on the first m inputs only', arg: 'm' },
  sigma: { type: 'string', help: 'Gaussian augmentation noise (required)', arg: 'S' },
  epochs: { type: 'string', help: 'epochs (default 2)', arg: 'E' },
  batch: { type: 'string', help: 'batch size (default 64)', arg: 'B' },
  lr: { type: 'string', help: 'learning rate (default 0.001)', arg: 'LR' },
  optimizer: { type: 'string', help: 'adam (default) or sgd', arg: 'adam|sgd' },
  seed: { type: 'string', help: 'seed of the noise, the shuffling and --reset (default 0)', arg: 'K' },
  eval: { type: 'string', help: 'after training, clean accuracy on the first N test images of a named data set (default 1000; 0: none)', arg: 'N' },
  out: { type: 'string', help: 'trained model (written atomically after every epoch); OUT.json gets the training record', arg: 'PATH' },
  ...TRAINING_METHOD_OPTIONS,
  force: { type: 'boolean', help: 'overwrite an existing --out (and OUT.json); never the --model, --data or --labels file' },
  quiet: { type: 'boolean', short: 'q', help: 'no progress on stderr' },
  help: { type: 'boolean', short: 'h', help: 'print this help' },
};

const schema = z
  .object({
    model: z.string().min(1).optional(),
    reset: z.boolean().default(false),
    backend: z.string().min(1).default('onnx'),
    device: z.enum(['cpu', 'gpu'], { error: "must be 'cpu' or 'gpu'" }).default('cpu'),
    threads: intFlag(1, 1024).optional(),
    data: z.string().min(1).optional(),
    labels: z.string().min(1).optional(),
    split: z.enum(['test', 'train'], { error: "must be 'train' or 'test'" }).default('train'),
    'scale-uint8': z.boolean().default(false),
    clip: clipFlag.optional(),
    max: intFlag(1).optional(),
    sigma: numberFlag('a number > 0', (v) => v > 0).optional(),
    epochs: intFlag(1, 10_000).default(2),
    batch: intFlag(1).default(64),
    lr: numberFlag('a number > 0', (v) => v > 0).default(0.001),
    optimizer: z.enum(['adam', 'sgd'], { error: "must be 'adam' or 'sgd'" }).default('adam'),
    seed: seedFlag.default('0'),
    eval: intFlag(0).default(1000),
    out: z.string().min(1).optional(),
    ...trainingMethodFlagsShape,
    force: z.boolean().default(false),
    quiet: z.boolean().default(false),
    help: z.boolean().default(false),
  })
  .strict();

/**
 * `rsmooth train`: training for randomized smoothing through the backend's `fit` with core's
 * methods (`--method gaussian | macer | smoothAdv | smoothMix | consistency` and their options), one
 * epoch at a time (same result as one multi-epoch fit: epoch e draws the noise, warm-ups and
 * learning rate of epoch e), saving the model atomically after every epoch so an interrupted run
 * keeps its last finished epoch, and a JSON record (method and settings, epoch losses and their
 * terms, evaluation) beside it.
 */
export const trainCommand: Command = {
  name: 'train',
  summary: 'training for smoothing (Gaussian, MACER, SmoothAdv, SmoothMix, Consistency), saving the model after each epoch',
  options: OPTIONS,
  usage: () => `Usage: rsmooth train --model init.onnx [--reset] --data fashion-mnist --sigma S [--method NAME] [method options]
                     [--epochs 2] [--batch 64] [--lr 0.001] [--lr-schedule S] [--optimizer adam|sgd] [--seed K] --out trained.onnx

Trains the model with one of core's training methods on noisy copies x + N(0, sigma^2 I) (noise
in raw input space, fresh every epoch, from the seed; SmoothAdv and SmoothMix attack the smoothed
classifier first) through the backend's training capability; prints progress (batches, samples/s,
the running loss and its terms), writes the model atomically to --out after every epoch and a
record of the run (method, settings, epoch losses and terms) to OUT.json.

Options:
${formatOptions(OPTIONS)}`,
  async run(argv) {
    const { values: f } = parseCommandArgs('train', argv, OPTIONS, schema);
    if (f.help) {
      process.stdout.write(`${trainCommand.usage()}\n`);
      return 0;
    }
    for (const flag of ['model', 'data', 'sigma', 'out'] as const)
      if (f[flag] === undefined) throw new CliError(`rsmooth train: --${flag} is required (see 'rsmooth train --help')`);
    const backend = getBackend(f.backend);
    if (!existsSync(f.model!)) throw new CliError(`rsmooth train: model file not found: ${f.model}`, { code: 'RS_FILE_NOT_FOUND' });
    checkInputFile(`rsmooth train: --model ${f.model}`, f.model!, { folderAllowed: true });
    const out = f.out!;
    const outputs: [string, string][] = [
      ['--out', out],
      ['the record of --out', `${out}.json`],
    ];
    for (const [what, path] of outputs) {
      const exists = checkOutputPath('train', what, path);
      for (const [flag, input] of [
        ['--model', f.model],
        ['--data', f.data],
        ['--labels', f.labels],
      ] as const) {
        if (input !== undefined && existsSync(input) && sameFile(path, input))
          throw new CliError(`rsmooth train: ${what} ${path} is the ${flag} file: refusing to write over an input`, { code: 'RS_OUTPUT_CONFLICT' });
      }
      if (exists && !f.force) throw new CliError(`rsmooth train: ${what} ${path} exists (pass --force to overwrite it)`, { code: 'RS_OUTPUT_EXISTS' });
    }
    const locks = await lockOutputs([out, `${out}.json`], 'rsmooth train', () => undefined);
    try {
      return await train(f, backend);
    } finally {
      await releaseAll(locks);
    }
  },
};

/** The training run itself, once the flags, paths and lock are settled. */
async function train(f: z.output<typeof schema>, backend: ReturnType<typeof getBackend>): Promise<number> {
  const training = trainingSettings(f, f.epochs);
  const loaded = loadData({ data: f.data!, labels: f.labels, split: f.split, scaleUint8: f['scale-uint8'] });
  if (!loaded.labels) throw new CliError(`rsmooth train: no labels: pass --labels, or a named data set such as fashion-mnist`);
  checkUint8Domain(loaded, { scaleUint8: f['scale-uint8'], clip: f.clip, command: 'train' });
  const count = Math.min(loaded.count, f.max ?? Infinity);
  const m = await backend.open({ model: f.model!, sigma: f.sigma!, n0: 1, alpha: 0.001, seed: f.seed, clip: f.clip, device: f.device, threads: f.threads });
  try {
    checkDataFitsModel(loaded, m.inputShape, f.model!);
    checkLabels(loaded, m.nbClasses);
    if (!f.quiet) for (const note of m.notes) process.stderr.write(`rsmooth train: ${note}\n`);
    if (!m.fit || !m.save)
      throw new CliError(`rsmooth train: the ${m.backend} backend cannot train this model (no training capability)`, { code: 'RS_CAPABILITY_MISSING' });
    const dim = m.inputShape.reduce((a, b) => a * b, 1);
    const x = loaded.x.subarray(0, count * dim);
    const y = loaded.labels.subarray(0, count);
    if (f.reset) await m.reset!();
    const record: Record<string, unknown> = {
      tool: `rsmooth ${cliVersion()}`,
      command: 'train',
      backend: m.backend,
      device: m.device,
      initialModel: f.model,
      initialModelSha256: m.modelSha256,
      reset: f.reset,
      data: loaded.source,
      dataSha256: loaded.sha256,
      inputs: count,
      sigma: f.sigma,
      epochs: f.epochs,
      batch: f.batch,
      lr: f.lr,
      optimizer: f.optimizer,
      lrSchedule: f['lr-schedule'],
      method: training.method,
      methodSettings: {} as Record<string, unknown>,
      seed: f.seed,
      rng: RNG_ALGORITHM,
      epochLosses: [] as number[],
      epochTerms: {} as Record<string, number[]>,
      started: new Date().toISOString(),
    };
    const batchesPerEpoch = Math.ceil(count / Math.min(f.batch, count));
    const progress = new ProgressReporter({
      label: 'train',
      total: f.epochs * batchesPerEpoch,
      samplesPerInput: Math.min(f.batch, count),
      mode: progressMode(process.stderr, f.quiet),
      unit: 'batches',
    });
    const t0 = performance.now();
    for (let e = 0; e < f.epochs; e++) {
      const { epochLosses, epochTerms, settings } = await m.fit(x, y, {
        ...(training.options as { method: typeof training.method }),
        nbEpochs: 1,
        initialEpoch: e,
        batchSize: f.batch,
        optimizer: f.optimizer,
        learningRate: f.lr,
        learningRateSchedule: training.lrSchedule,
        onProgress: (p) => progress.inputDone(`epoch ${e + 1}/${f.epochs}, loss ${formatLoss(p.loss, p.lossTerms)}`),
      });
      (record.epochLosses as number[]).push(epochLosses[0]!);
      record.methodSettings = settings;
      const terms = record.epochTerms as Record<string, number[]>;
      for (const [k, v] of Object.entries(epochTerms)) terms[k] = [...(terms[k] ?? []), v[0]!];
      await m.save(f.out!);
      record.epochsDone = e + 1;
      record.seconds = (performance.now() - t0) / 1000;
      writeJsonAtomic(`${f.out}.json`, record);
      if (!f.quiet)
        process.stderr.write(
          `${process.stderr.isTTY ? '\n' : ''}rsmooth train: epoch ${e + 1}/${f.epochs} mean loss ${formatLoss(epochLosses[0], Object.fromEntries(Object.entries(epochTerms).map(([k, v]) => [k, v[0]!])))}; saved ${f.out}\n`,
        );
    }
    progress.finish();
    if (f.eval > 0 && loaded.source.startsWith('fashion-mnist')) {
      const test = loadData({ data: 'fashion-mnist', split: 'test', scaleUint8: true });
      const k = Math.min(f.eval, test.count);
      const logits = await m.predictLogits(test.x.subarray(0, k * dim), { batchSize: 500 });
      let hits = 0;
      for (let i = 0; i < k; i++) {
        const row = logits.subarray(i * m.nbClasses, (i + 1) * m.nbClasses);
        if (row.indexOf(Math.max(...row)) === test.labels![i]) hits++;
      }
      record.evaluation = { split: 'test', images: k, cleanAccuracy: hits / k };
      writeJsonAtomic(`${f.out}.json`, record);
      process.stdout.write(`clean accuracy of ${f.out} on the first ${k} test images: ${(hits / k).toFixed(4)}\n`);
    }
    process.stdout.write(
      `trained ${f.epochs} epoch(s) on ${count} inputs in ${((performance.now() - t0) / 1000).toFixed(1)} s; epoch losses ${(record.epochLosses as number[]).map((l) => l.toFixed(4)).join(', ')}; model -> ${f.out}\n`,
    );
    return 0;
  } finally {
    await m.dispose();
  }
}

function writeJsonAtomic(path: string, value: unknown): void {
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  try {
    writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`, { flag: 'wx' });
    renameSync(tmp, path);
  } catch (err) {
    throw new CliError(`rsmooth train: writing ${path} failed: ${(err as Error).message}`, { code: 'RS_WRITE_FAILED', exitCode: 1, cause: err });
  } finally {
    rmSync(tmp, { force: true });
  }
}
