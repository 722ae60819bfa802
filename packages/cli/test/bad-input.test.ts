import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeNpy } from '@rs/datasets';
import { describe, expect, it } from 'vitest';
import { cli, FIXTURE, MODEL, rsmooth, tempDir, X, Y } from './helpers.js';

const dir = tempDir();
const out = join(dir, 'never.tsv');
const base = ['certify', ...FIXTURE, '--n', '100', '--out', out];
const withFlag = (args: string[], flag: string, value: string) => {
  const i = args.indexOf(flag);
  return i >= 0 ? args.map((a, j) => (j === i + 1 ? value : a)) : [...args, flag, value];
};

/**
 * Expects a validation failure, run in this process through the command objects: exit status 2, the
 * message, the stable code, and no output file.
 */
async function fails(args: string[], message: RegExp, code: string, env?: Record<string, string>): Promise<void> {
  const saved = Object.fromEntries(Object.keys(env ?? {}).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    const r = await cli(args);
    expect(r.error?.message).toMatch(message);
    expect(r.error?.code).toBe(code);
    expect(r.status).toBe(2);
    expect(existsSync(out)).toBe(false);
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

describe('bad input: a clear message, a stable code and exit status 2 before any work', () => {
  it('unknown flag, flag without value', async () => {
    await fails([...base, '--bogus'], /unknown option '--bogus'/, 'RS_USAGE');
    await fails(['certify', '--model'], /--model/, 'RS_USAGE');
  });

  it('missing model, missing data, missing --sigma, missing labels', async () => {
    await fails(
      base.map((a) => (a === MODEL ? join(dir, 'nope.onnx') : a)),
      /model file not found: .*nope\.onnx/,
      'RS_FILE_NOT_FOUND',
    );
    await fails(
      base.map((a) => (a === X ? join(dir, 'nope.npy') : a)),
      /--data file not found: .*nope\.npy/,
      'RS_FILE_NOT_FOUND',
    );
    await fails(['certify', '--model', MODEL, '--data', X, '--labels', Y, '--out', out], /--sigma is required/, 'RS_USAGE');
    await fails(['certify', '--model', MODEL, '--data', X, '--sigma', '0.25', '--out', out], /no labels: pass --labels/, 'RS_USAGE');
    await fails(['certify', '--model', MODEL, '--sigma', '0.25', '--out', out], /--data is required when --model is given/, 'RS_USAGE');
  });

  it('data of the wrong shape for the model, labels of the wrong length, values outside --clip', async () => {
    const wrong = join(dir, 'wrong.npy');
    writeFileSync(wrong, writeNpy({ dtype: 'float32', shape: [3, 10], data: new Float32Array(30) }));
    const three = join(dir, 'three.npy');
    writeFileSync(three, writeNpy({ dtype: 'int32', shape: [3], data: new Int32Array([1, 2, 3]) }));
    await fails(
      base.map((a) => (a === X ? wrong : a === Y ? three : a)),
      /has inputs of shape \[10\] \(10 values each\), but the model .* takes inputs of shape \[1, 28, 28\] \(784 values\)/,
      'RS_INVALID_INPUT',
    );
    await fails(
      base.map((a) => (a === Y ? three : a)),
      /--labels has 3 labels but --data has 20 inputs/,
      'RS_INVALID_INPUT',
    );
    const outside = join(dir, 'outside.npy');
    writeFileSync(outside, writeNpy({ dtype: 'float32', shape: [2, 1, 28, 28], data: new Float32Array(2 * 784).fill(255) }));
    const lab = join(dir, 'lab.npy');
    writeFileSync(lab, writeNpy({ dtype: 'int32', shape: [2], data: new Int32Array([1, 2]) }));
    await fails(
      base.map((a) => (a === X ? outside : a === Y ? lab : a)),
      /value 255 outside --clip 0:1/,
      'RS_INVALID_INPUT',
    );
  });

  it('n or n0 where no certificate / prediction is possible at that alpha, and n too large for 32-bit counts', async () => {
    await fails(withFlag(base, '--n', '9'), /--n 9 can never certify at --alpha 0\.001.*use --n >= 10/, 'RS_SAMPLES_INSUFFICIENT');
    await fails(
      withFlag(withFlag(base, '--n', '50'), '--alpha', '1e-20'),
      /--n 50 can never certify at --alpha 1e-20.*use --n >= 67/,
      'RS_SAMPLES_INSUFFICIENT',
    );
    await fails(['predict', ...FIXTURE, '--n', '10', '--out', out], /--n 10 always abstains at --alpha 0\.001.*use --n >= 11/, 'RS_SAMPLES_INSUFFICIENT');
    await fails([...base, '--n0', '0'], /--n0 must be an integer in \[1, 2147483647\]/, 'RS_USAGE');
    await fails(withFlag(base, '--n', '1.5'), /--n must be an integer in \[1, 2147483647\]/, 'RS_USAGE');
    await fails(withFlag(base, '--n', String(2 ** 31)), /--n must be an integer in \[1, 2147483647\]/, 'RS_USAGE');
  });

  it('bad numbers and enums', async () => {
    await fails([...base, '--alpha', '0.7'], /--alpha must be in \(0, 0\.5\)/, 'RS_USAGE');
    await fails(base.filter((a, i) => a !== '--sigma' && base[i - 1] !== '--sigma').concat('--sigma=-1'), /--sigma must be a number > 0/, 'RS_USAGE');
    await fails([...base, '--shard', '3/3'], /--shard must be i\/N with 0 <= i < N/, 'RS_USAGE');
    await fails([...base, '--seed=-4'], /--seed must be a decimal integer/, 'RS_USAGE');
    await fails([...base, '--device', 'tpu'], /--device must be 'cpu' or 'gpu'/, 'RS_USAGE');
    await fails([...base, '--split', 'val'], /--split must be 'test' or 'train'/, 'RS_USAGE');
    await fails([...base, '--skip', '0'], /--skip must be an integer in \[1, 4294967295\]/, 'RS_USAGE');
    await fails(withFlag(base, '--out', join(dir, 'no', 'such', 'dir', 'r.tsv')), /the folder of --out does not exist/, 'RS_USAGE');
  });

  it('a model of the wrong kind for the backend, unknown backends', async () => {
    await fails(
      [...base, '--backend', 'tfjs'],
      /--backend tfjs takes a TF\.js model\.json \(or its folder\), not .*model\.onnx \(an ONNX model: use --backend onnx or webgpu\)/,
      'RS_USAGE',
    );
    await fails([...base, '--backend', 'torch'], /unknown backend 'torch'; available backends: 'auto', 'onnx', 'tfjs', 'webgpu'/, 'RS_BACKEND_UNAVAILABLE');
    await fails([...base, '--backend', '__proto__'], /unknown backend '__proto__'/, 'RS_BACKEND_UNAVAILABLE');
  });

  it('a named data set that is not installed names the install command', async () => {
    await fails(
      ['certify', '--model', MODEL, '--data', 'fashion-mnist', '--sigma', '0.25', '--out', out],
      /'fashion-mnist' is not installed .*apt-get install dataset-fashion-mnist/,
      'RS_DATASET_MISSING',
      { RSMOOTH_FASHION_MNIST_DIR: join(dir, 'empty') },
    );
  });

  it('train and merge validation', async () => {
    await fails(['train', '--model', MODEL, '--data', X, '--labels', Y, '--out', join(dir, 't.onnx')], /--sigma is required/, 'RS_USAGE');
    await fails(
      ['train', '--model', MODEL, '--data', X, '--labels', Y, '--sigma', '0.25', '--optimizer', 'rmsprop', '--out', join(dir, 't.onnx')],
      /--optimizer must be 'adam' or 'sgd'/,
      'RS_USAGE',
    );
    const train = ['train', '--model', MODEL, '--data', X, '--labels', Y, '--sigma', '0.25', '--out', join(dir, 't.onnx')];
    await fails([...train, '--method', 'mixup'], /--method must be one of gaussian, macer, smoothAdv, smoothMix, consistency/, 'RS_USAGE');
    await fails([...train, '--beta', '8'], /--beta is an option of --method macer, not gaussian/, 'RS_USAGE');
    await fails(
      [...train, '--method', 'consistency', '--num-steps', '3'],
      /--num-steps is an option of --method smoothAdv \/ smoothMix, not consistency/,
      'RS_USAGE',
    );
    await fails([...train, '--method', 'smooth-adv', '--attack', 'fgsm'], /--attack must be 'pgd' or 'ddn'/, 'RS_USAGE');
    await fails([...train, '--method', 'macer', '--gamma=-1'], /--gamma must be a finite number > 0, got -1/, 'RS_USAGE');
    await fails([...train, '--lr-schedule', 'linear'], /--lr-schedule must be 'constant', 'step:SIZE:GAMMA', 'cosine' or 'cosine:MIN'/, 'RS_USAGE');
    await fails(
      ['train', '--model', MODEL, '--data', X, '--labels', Y, '--sigma', '0.25', '--out', MODEL],
      /--out .* is the --model file/,
      'RS_OUTPUT_CONFLICT',
    );
    await fails(['merge', 'a.tsv'], /--out is required/, 'RS_USAGE');
    await fails(['merge', 'a.tsv', '--out', '-'], /--out must be a file/, 'RS_USAGE');
  });
});

describe('through the real executable: one refused command line per command (exit status and message from main)', () => {
  it.each([
    ['certify', [...base, '--bogus'], /error: rsmooth certify: unknown option '--bogus'/],
    ['predict', ['predict', ...FIXTURE, '--n', '10', '--out', out], /error: rsmooth predict: --n 10 always abstains/],
    ['train', ['train', '--model', MODEL, '--data', X, '--labels', Y, '--out', join(dir, 't.onnx')], /error: rsmooth train: --sigma is required/],
    ['analyze', ['analyze'], /error: rsmooth analyze: give at least one results file/],
    ['merge', ['merge', 'a.tsv'], /error: rsmooth merge: --out is required/],
    ['demo', ['demo', '--model', MODEL], /error: rsmooth demo: runs the bundled default/],
    ['(none)', ['certfy'], /error: rsmooth: unknown command 'certfy'/],
  ])('%s', (_name, args, message) => {
    const r = rsmooth(args);
    expect(r.stderr).toMatch(message);
    expect(r.status).toBe(2);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(existsSync(out)).toBe(false);
  });
});
