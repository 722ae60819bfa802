import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MODEL, X, Y, rsmooth, tempDir } from './helpers.js';

describe('rsmooth train', () => {
  it('trains from a reset model, saves after each epoch with a record, and the result certifies', () => {
    const dir = tempDir();
    const out = join(dir, 'trained.onnx');
    const r = rsmooth([
      'train',
      '--model',
      MODEL,
      '--reset',
      '--data',
      X,
      '--labels',
      Y,
      '--sigma',
      '0.25',
      '--epochs',
      '2',
      '--batch',
      '10',
      '--lr',
      '0.002',
      '--seed',
      '1',
      '--threads',
      '1',
      '--out',
      out,
    ]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/train: 4\/4 batches, [\d,]+ samples\/s/);
    expect(r.stderr).toMatch(/epoch 1\/2 mean loss [\d.]+; saved/);
    expect(r.stdout).toMatch(/trained 2 epoch\(s\) on 20 inputs/);
    expect(existsSync(out)).toBe(true);
    const record = JSON.parse(readFileSync(`${out}.json`, 'utf8'));
    expect(record).toMatchObject({ command: 'train', reset: true, sigma: 0.25, epochs: 2, epochsDone: 2, batch: 10, optimizer: 'adam', seed: '1', inputs: 20 });
    expect(record.epochLosses).toHaveLength(2);
    const c = rsmooth(['certify', '--model', out, '--data', X, '--labels', Y, '--sigma', '0.25', '--n', '100', '--max', '2', '--quiet']);
    expect(c.status).toBe(0);
    expect(c.stdout.trimEnd().split('\n')).toHaveLength(3);
  });

  it('trains with --method macer and its flags; the record holds the method, its settings and the loss terms', () => {
    const dir = tempDir();
    const out = join(dir, 'macer.onnx');
    const r = rsmooth([
      'train',
      '--model',
      MODEL,
      '--data',
      X,
      '--labels',
      Y,
      '--sigma',
      '0.25',
      '--method',
      'macer',
      '--gaussian-samples',
      '4',
      '--lambda',
      '6',
      '--epochs',
      '2',
      '--batch',
      '10',
      '--optimizer',
      'sgd',
      '--lr',
      '0.01',
      '--lr-schedule',
      'step:1:0.5',
      '--threads',
      '1',
      '--eval',
      '0',
      '--out',
      out,
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/loss [\d.]+ \(classification [\d.]+, robustness [\d.]+\)/);
    const record = JSON.parse(readFileSync(`${out}.json`, 'utf8'));
    expect(record).toMatchObject({
      method: 'macer',
      methodSettings: { gaussianSamples: 4, beta: 16, gamma: 8, lambda: 6 },
      lrSchedule: 'step:1:0.5',
      epochsDone: 2,
    });
    expect(Object.keys(record.epochTerms)).toEqual(['classification', 'robustness']);
    expect(record.epochTerms.robustness).toHaveLength(2);
  });
});
