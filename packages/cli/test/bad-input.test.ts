import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeNpy } from '@rs/datasets';
import { describe, expect, it } from 'vitest';
import { FIXTURE, MODEL, X, Y, rsmooth, tempDir } from './helpers.js';

const dir = tempDir();
const out = join(dir, 'never.tsv');
const base = ['certify', ...FIXTURE, '--n', '100', '--out', out];

/** Expects a validation failure: exit 2, the message, and no output file. */
function fails(args: string[], message: RegExp, env?: Record<string, string>): void {
  const r = rsmooth(args, { env });
  expect(r.stderr).toMatch(message);
  expect(r.status).toBe(2);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  expect(existsSync(out)).toBe(false);
}

describe('bad input: a clear message and exit status 2 before any work', () => {
  it('unknown command, unknown flag, flag without value', () => {
    fails(['certfy'], /unknown command 'certfy'/);
    fails([...base, '--bogus'], /unknown option '--bogus'/);
    fails(['certify', '--model'], /--model/);
  });

  it('missing model, missing data, missing --sigma, missing labels', () => {
    fails(
      base.map((a) => (a === MODEL ? join(dir, 'nope.onnx') : a)),
      /model file not found: .*nope\.onnx/,
    );
    fails(
      base.map((a) => (a === X ? join(dir, 'nope.npy') : a)),
      /--data file not found: .*nope\.npy/,
    );
    fails(['certify', '--model', MODEL, '--data', X, '--labels', Y, '--out', out], /--sigma is required/);
    fails(['certify', '--model', MODEL, '--data', X, '--sigma', '0.25', '--out', out], /no labels: pass --labels/);
    fails(['certify', '--model', MODEL, '--sigma', '0.25', '--out', out], /--data is required when --model is given/);
  });

  it('data of the wrong shape for the model, labels of the wrong length', () => {
    const wrong = join(dir, 'wrong.npy');
    writeFileSync(wrong, writeNpy({ dtype: 'float32', shape: [3, 10], data: new Float32Array(30) }));
    const three = join(dir, 'three.npy');
    writeFileSync(three, writeNpy({ dtype: 'int32', shape: [3], data: new Int32Array([1, 2, 3]) }));
    fails(
      base.map((a) => (a === X ? wrong : a === Y ? three : a)),
      /has inputs of shape \[10\] \(10 values each\), but the model .* takes inputs of shape \[1, 28, 28\] \(784 values\)/,
    );
    fails(
      base.map((a) => (a === Y ? three : a)),
      /--labels has 3 labels but --data has 20 inputs/,
    );
    const outside = join(dir, 'outside.npy');
    writeFileSync(outside, writeNpy({ dtype: 'float32', shape: [2, 1, 28, 28], data: new Float32Array(2 * 784).fill(255) }));
    const lab = join(dir, 'lab.npy');
    writeFileSync(lab, writeNpy({ dtype: 'int32', shape: [2], data: new Int32Array([1, 2]) }));
    fails(
      base.map((a) => (a === X ? outside : a === Y ? lab : a)),
      /value 255 outside --clip 0:1/,
    );
  });

  it('n or n0 where no certificate / prediction is possible at that alpha', () => {
    fails([...base, '--n', '9'], /--n 9 can never certify at --alpha 0\.001.*use --n >= 10/);
    fails([...base, '--n', '50', '--alpha', '1e-20'], /--n 50 can never certify at --alpha 1e-20.*use --n >= 67/);
    fails(['predict', ...FIXTURE, '--n', '10', '--out', out], /--n 10 always abstains at --alpha 0\.001.*use --n >= 11/);
    fails([...base, '--n0', '0'], /--n0 must be an integer >= 1/);
    fails([...base, '--n', '1.5'], /--n must be an integer >= 1/);
  });

  it('bad numbers and enums', () => {
    fails([...base, '--alpha', '0.7'], /--alpha must be in \(0, 0\.5\)/);
    fails([...base, '--sigma=-1'], /--sigma must be a number > 0/);
    fails([...base, '--shard', '3/3'], /--shard must be i\/N with 0 <= i < N/);
    fails([...base, '--seed=-4'], /--seed must be a decimal integer/);
    fails([...base, '--device', 'tpu'], /--device must be 'cpu' or 'gpu'/);
    fails([...base, '--split', 'val'], /--split must be 'test' or 'train'/);
    fails([...base, '--skip', '0'], /--skip must be an integer >= 1/);
    fails([...base, '--out', join(dir, 'no', 'such', 'dir', 'r.tsv')], /the folder of --out does not exist/);
  });

  it('a model of the wrong kind for the backend, unknown backends', () => {
    fails(
      [...base, '--backend', 'tfjs'],
      /--backend tfjs takes a TF\.js model\.json \(or its folder\), not .*model\.onnx \(an ONNX model: use --backend onnx or webgpu\)/,
    );
    fails([...base, '--backend', 'torch'], /unknown backend 'torch'; available backends: 'auto', 'onnx', 'tfjs', 'webgpu'/);
  });

  it('a named data set that is not installed names the install command', () => {
    fails(
      ['certify', '--model', MODEL, '--data', 'fashion-mnist', '--sigma', '0.25', '--out', out],
      /'fashion-mnist' is not installed .*apt-get install dataset-fashion-mnist/,
      { RSMOOTH_FASHION_MNIST_DIR: join(dir, 'empty') },
    );
  });

  it('train and merge validation', () => {
    fails(['train', '--model', MODEL, '--data', X, '--labels', Y, '--out', join(dir, 't.onnx')], /--sigma is required/);
    fails(
      ['train', '--model', MODEL, '--data', X, '--labels', Y, '--sigma', '0.25', '--optimizer', 'rmsprop', '--out', join(dir, 't.onnx')],
      /--optimizer must be 'adam' or 'sgd'/,
    );
    fails(['merge', 'a.tsv'], /--out is required/);
  });
});
