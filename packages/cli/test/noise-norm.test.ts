import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { certifiedRadius } from '@rs/core';
import { describe, expect, it } from 'vitest';
import { FIXTURE, rsmooth, tempDir } from './helpers.js';

const RUN = ['--n0', '50', '--n', '1000', '--batch', '500', '--max', '3'];
const lines = (path: string) =>
  readFileSync(path, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as { settings: Record<string, unknown>; prediction: number; radius: number; pALower: number });

describe('rsmooth certify --noise / --norm, and analyze by norm', () => {
  const dir = tempDir();

  it('certifies with uniform noise in L1, recording the family and the norm', () => {
    const out = join(dir, 'u.tsv');
    const r = rsmooth(['certify', ...FIXTURE, ...RUN, '--noise', 'uniform', '--norm', 'l1', '--out', out, '-q']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const log = lines(`${out}.jsonl`);
    expect(log[0]!.settings).toMatchObject({ noise: 'uniform', norm: 'l1', sigma: 0.25 });
    for (const c of log.slice(1)) {
      expect(c).toMatchObject({ type: 'certificate', noise: 'uniform', norm: 'l1' });
      if (c.prediction >= 0) expect(c.radius).toBe(certifiedRadius(c.pALower, 0.25, { noise: 'uniform', norm: 'l1' }));
    }
    const a = rsmooth(['analyze', out, '--radii', '0:0.5:0.25', '--plot', join(dir, 'u.svg')]);
    expect(a.status).toBe(0);
    expect(a.stdout).toContain('correct with L1 radius >= r');
    expect(readFileSync(join(dir, 'u.svg'), 'utf8')).toContain('radius (L1)');
  });

  it('refuses to analyze files of different norms together, and an unknown family or norm', () => {
    const out = join(dir, 'g.tsv');
    expect(rsmooth(['certify', ...FIXTURE, ...RUN, '--out', out, '-q']).status).toBe(0);
    expect(lines(`${out}.jsonl`)[0]!.settings).toMatchObject({ noise: 'gaussian', norm: 'l2' });
    const a = rsmooth(['analyze', out, join(dir, 'u.tsv')]);
    expect(a.status).toBe(2);
    expect(a.stderr).toMatch(/different norms \(l2, l1\)/);
    const bad = rsmooth(['certify', ...FIXTURE, ...RUN, '--noise', 'cauchy']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--noise must be 'gaussian', 'uniform' or 'laplace'/);
    expect(rsmooth(['certify', ...FIXTURE, ...RUN, '--norm', 'l3']).stderr).toMatch(/--norm must be 'l1', 'l2' or 'linf'/);
  });

  it('certifies with the top-two radius (--radius top-two), recording pB_upper, and refuses it for other noise', () => {
    const out = join(dir, 't.tsv');
    const r = rsmooth(['certify', ...FIXTURE, ...RUN, '--radius', 'top-two', '--out', out, '-q']);
    expect(r.status).toBe(0);
    const log = lines(`${out}.jsonl`);
    expect(log[0]!.settings).toMatchObject({ radiusMethod: 'top-two', noise: 'gaussian', norm: 'l2' });
    for (const c of log.slice(1)) {
      expect(c).toMatchObject({ radiusMethod: 'top-two' });
      expect(typeof (c as unknown as { pBUpper: number }).pBUpper).toBe('number');
    }
    const bad = rsmooth(['certify', ...FIXTURE, ...RUN, '--radius', 'top-two', '--noise', 'laplace']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--radius top-two holds for Gaussian noise/);
  });

  it('certifies in the sound mode (--sound), recording the grid, and refuses data off the grid before sampling', () => {
    const out = join(dir, 's.tsv');
    const r = rsmooth(['certify', ...FIXTURE, ...RUN, '--sound', '--out', out, '-q']);
    expect(r.status).toBe(0);
    const log = lines(`${out}.jsonl`);
    expect(log[0]!.settings).toMatchObject({ sound: { levels: 255 }, noise: 'gaussian' });
    for (const c of log.slice(1)) expect(c).toMatchObject({ sound: { levels: 255, tvBound: expect.any(Number) } });
    const off = rsmooth(['certify', ...FIXTURE, ...RUN, '--sound', '--sound-levels', '100']);
    expect(off.status).toBe(2);
    expect(off.stderr).toMatch(/--sound: data set input 0, feature \d+ = .* is not on the grid m \/ 100/);
    expect(rsmooth(['certify', ...FIXTURE, ...RUN, '--sound', '--noise', 'uniform']).stderr).toMatch(/--sound draws a discretized Gaussian/);
    expect(rsmooth(['certify', ...FIXTURE, ...RUN, '--sound-levels', '100']).stderr).toMatch(/--sound-levels needs --sound/);
  });

  it('resumes a log written before families and norms were recorded (it reads as gaussian, l2)', () => {
    const out = join(dir, 'old.tsv');
    expect(rsmooth(['certify', ...FIXTURE, ...RUN, '--out', out, '-q']).status).toBe(0);
    // an older run, interrupted after 2 of 3 rows: no noise / norm in its settings
    const [head, ...records] = readFileSync(`${out}.jsonl`, 'utf8').trimEnd().split('\n');
    const settingsLine = JSON.parse(head!);
    delete settingsLine.settings.noise;
    delete settingsLine.settings.norm;
    delete settingsLine.settings.radiusMethod;
    delete settingsLine.settings.sound;
    writeFileSync(`${out}.jsonl`, `${[JSON.stringify(settingsLine), ...records.slice(0, 2)].join('\n')}\n`);
    writeFileSync(out, `${readFileSync(out, 'utf8').trimEnd().split('\n').slice(0, 3).join('\n')}\n`);
    const r = rsmooth(['certify', ...FIXTURE, ...RUN, '--out', out, '-q']);
    expect(r.status).toBe(0);
    expect(readFileSync(out, 'utf8').trimEnd().split('\n')).toHaveLength(4);
    const other = rsmooth(['certify', ...FIXTURE, ...RUN, '--noise', 'laplace', '--out', out, '-q']);
    expect(other.status).toBe(2);
    expect(other.stderr).toMatch(/noise: "gaussian" -> "laplace"/);
  });
});
