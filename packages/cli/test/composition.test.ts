import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GraphBuilder } from '@rs/onnx-graph';
import { describe, expect, it } from 'vitest';
import { FIXTURE, MODEL, rsmooth, tempDir, withoutTime } from './helpers.js';

const RUN = ['--n0', '20', '--n', '200', '--batch', '200', '--seed', '4', '--max', '3'];

function settingsOf(out: string): Record<string, unknown> {
  return JSON.parse(readFileSync(`${out}.jsonl`, 'utf8').split('\n')[0]!).settings;
}

describe('rsmooth: defences, a denoiser, an ensemble', () => {
  const dir = tempDir();

  it('--preprocessing-defence (repeatable, in order) and --postprocessing-defence are applied and recorded', () => {
    const out = join(dir, 'defended.tsv');
    const r = rsmooth([
      'certify',
      ...FIXTURE,
      ...RUN,
      '--preprocessing-defence',
      'feature-squeezing:bit=4',
      '--preprocessing-defence',
      'spatial-smoothing:window-size=2',
      '--postprocessing-defence',
      'rounded:decimals=2',
      '--out',
      out,
    ]);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    expect(settingsOf(out)).toMatchObject({
      preprocessingDefences: [
        { name: 'FeatureSqueezing', params: { clipValues: [0, 1], bitDepth: 4 } },
        { name: 'SpatialSmoothing', params: { windowSize: 2, channelsFirst: true } },
      ],
      postprocessingDefences: [{ name: 'Rounded', params: { decimals: 2 } }],
    });
    // Resuming with other defences is refused, naming what changed.
    const again = rsmooth(['certify', ...FIXTURE, ...RUN, '--preprocessing-defence', 'feature-squeezing:bit=5', '--out', out]);
    expect(again.status).not.toBe(0);
    expect(again.stderr).toMatch(/preprocessingDefences/);
    // A run without defences does not record them (older logs stay comparable).
    const plain = join(dir, 'plain.tsv');
    expect(rsmooth(['certify', ...FIXTURE, ...RUN, '--out', plain]).status).toBe(0);
    expect(settingsOf(plain)).not.toHaveProperty('preprocessingDefences');
  });

  it('an ensemble of one model twice (mean-logits) gives the rows of the model alone; a denoiser that is the identity too', () => {
    const plain = join(dir, 'plain2.tsv');
    expect(rsmooth(['certify', ...FIXTURE, ...RUN, '--out', plain]).status).toBe(0);
    const fixtureWithoutModel = FIXTURE.filter((_, i) => i !== FIXTURE.indexOf('--model') && i !== FIXTURE.indexOf('--model') + 1);
    const ens = join(dir, 'ensemble.tsv');
    const r = rsmooth(['certify', ...fixtureWithoutModel, ...RUN, '--ensemble', `${MODEL},${MODEL}`, '--combine', 'mean-logits', '--out', ens]);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    expect(withoutTime(ens)).toEqual(withoutTime(plain));
    expect(settingsOf(ens)).toMatchObject({ ensemble: { combine: 'mean-logits' } });
    expect((settingsOf(ens).ensemble as { modelSha256: string[] }).modelSha256).toHaveLength(2);

    const b = new GraphBuilder({ opset: 13 });
    b.output(b.node('Identity', [b.input('input', 'float32', ['batch', 1, 28, 28])], {}, { outputs: ['out'] }), 'float32', ['batch', 1, 28, 28]);
    const denoiser = join(dir, 'identity.onnx');
    writeFileSync(denoiser, b.toBytes());
    const den = join(dir, 'denoised.tsv');
    expect(rsmooth(['certify', ...FIXTURE, ...RUN, '--denoiser', denoiser, '--out', den]).status).toBe(0);
    expect(withoutTime(den)).toEqual(withoutTime(plain));
    expect(settingsOf(den).denoiserSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('bad composition flags are refused, naming the flag', () => {
    const bad = rsmooth(['certify', ...FIXTURE, ...RUN, '--preprocessing-defence', 'median:window=3']);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/--preprocessing-defence "median:window=3": unknown preprocessing defence 'median'/);
    const both = rsmooth(['certify', ...FIXTURE, ...RUN, '--ensemble', `${MODEL},${MODEL}`]);
    expect(both.stderr).toMatch(/give --model or --ensemble, not both/);
    const one = rsmooth(['certify', ...FIXTURE, ...RUN, '--ensemble', MODEL]);
    expect(one.stderr).toMatch(/--ensemble must list at least two model files/);
  });
});
