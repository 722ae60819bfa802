import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CERTIFY_HEADER } from '../src/io/tsv.js';
import { FIXTURE, recordsWithoutTiming, rsmooth, tempDir, withoutTime } from './helpers.js';

const RUN = ['certify', ...FIXTURE, '--n0', '50', '--n', '5000', '--batch', '600', '--seed', '5', '--max', '12', '--quiet', '--sequential'];
const records = (path: string) =>
  readFileSync(`${path}.jsonl`, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l));

describe('rsmooth certify --sequential (fixture CNN)', () => {
  const dir = tempDir();
  const radius = join(dir, 'radius.tsv');

  it('--radius: certify.py rows, samplesUsed and the bound in the log, the settings recorded', () => {
    const r = rsmooth([...RUN, '--radius', '0.5', '--out', radius]);
    expect(r.status).toBe(0);
    const lines = readFileSync(radius, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe(CERTIFY_HEADER);
    expect(lines).toHaveLength(13);
    const log = records(radius);
    expect(log[0].settings.sequential).toEqual({ mode: 'radius', radius: 0.5, tolerance: null, bound: 'clopper-pearson' });
    for (const [i, line] of lines.slice(1).entries()) {
      const f = line.split('\t');
      const c = log[i + 1];
      expect(c).toMatchObject({ type: 'certificate', idx: Number(f[0]), n: 5000, n0: 50, bound: 'clopper-pearson' });
      expect(c.samplesUsed).toBeGreaterThan(0);
      expect(c.samplesUsed).toBeLessThanOrEqual(5000);
      expect(c.estimationCounts.reduce((a: number, b: number) => a + b, 0)).toBe(c.samplesUsed);
      expect(['certified', 'futile', 'budget']).toContain(c.sequential.stopReason);
      // the radius column is the certificate: >= 0.5 exactly when certified at 0.5
      expect(Number(f[3]) >= 0.5 - 5e-4).toBe(c.sequential.stopReason === 'certified');
      expect(c.sequential.pAUpper).toBeGreaterThanOrEqual(c.pALower);
    }
    const used = log.slice(1).reduce((s: number, c: { samplesUsed: number }) => s + c.samplesUsed, 0);
    expect(used).toBeLessThan((12 * 5000) / 3);
  });

  it('resumes after an interruption to the same rows, and refuses other sequential settings', () => {
    const out = join(dir, 'resumed.tsv');
    const full = readFileSync(radius, 'utf8').split('\n');
    const log = readFileSync(`${radius}.jsonl`, 'utf8').split('\n');
    writeFileSync(out, `${full.slice(0, 6).join('\n')}\n`);
    writeFileSync(`${out}.jsonl`, `${log.slice(0, 6).join('\n')}\n`);
    const r = rsmooth([...RUN.filter((a) => a !== '--quiet'), '--radius', '0.5', '--out', out]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/resuming .*resumed\.tsv: 5 of 12 rows already done/);
    expect(withoutTime(out)).toEqual(withoutTime(radius));
    expect(recordsWithoutTiming(`${out}.jsonl`)).toEqual(recordsWithoutTiming(`${radius}.jsonl`));
    const other = rsmooth([...RUN, '--radius', '0.25', '--out', radius]);
    expect(other.status).toBe(2);
    expect(other.stderr).toMatch(/sequential\.radius: 0\.5 -> 0\.25/);
    const fixed = rsmooth([...RUN.filter((a) => a !== '--sequential'), '--out', radius]);
    expect(fixed.status).toBe(2);
    expect(fixed.stderr).toMatch(/sequential\.mode: "radius" -> \(none\)/);
  });

  it('shards merge into the single run, whatever the group and batch', () => {
    const parts = [0, 1, 2].map((i) => join(dir, `part${i}.tsv`));
    parts.forEach((p, i) => {
      const batch333 = RUN.map((a, j) => (RUN[j - 1] === '--batch' ? '333' : a)); // a flag is given once
      const r = rsmooth([...batch333, '--radius', '0.5', '--shard', `${i}/3`, '--group', '2', '--out', p]);
      expect(r.status, r.stderr).toBe(0);
    });
    const merged = join(dir, 'merged.tsv');
    const m = rsmooth(['merge', parts[2]!, parts[0]!, parts[1]!, '--out', merged]);
    expect(m.status, m.stderr).toBe(0);
    expect(withoutTime(merged)).toEqual(withoutTime(radius));
    const strip = (p: string) =>
      recordsWithoutTiming(p).map((record) => {
        const { batch, ...rest } = record;
        void batch; // the batch size is recorded, and differs here on purpose
        return rest;
      });
    expect(strip(`${merged}.jsonl`)).toEqual(strip(`${radius}.jsonl`));
  });

  it('--tolerance with the mixture bound, and analyze reports samples per input and per certified input', () => {
    const budget = join(dir, 'budget.tsv');
    const fixed = join(dir, 'fixed.tsv');
    expect(rsmooth([...RUN, '--tolerance', '0.05', '--bound', 'beta-binomial-mixture', '--out', budget]).status).toBe(0);
    expect(rsmooth([...RUN.filter((a) => a !== '--sequential'), '--out', fixed]).status).toBe(0);
    const log = records(budget);
    expect(log[0].settings.sequential).toEqual({ mode: 'budget', radius: null, tolerance: 0.05, bound: 'beta-binomial-mixture' });
    expect(records(fixed)[1]).toMatchObject({ samplesUsed: 5000, bound: 'clopper-pearson' });
    const a = rsmooth(['analyze', radius, budget, fixed, '--radii', '0:0.5:0.25', '--format', 'csv']);
    expect(a.status).toBe(0);
    const rows = a.stdout.trimEnd().split('\n');
    expect(rows[0]).toMatch(/,samples_per_input,samples_per_certified$/);
    const mean = (p: string, keep: (c: { prediction: number; radius: number }) => boolean) => {
      const cs = records(p)
        .slice(1)
        .filter(keep)
        .map((c: { n0: number; samplesUsed: number }) => c.n0 + c.samplesUsed);
      return cs.reduce((s: number, v: number) => s + v, 0) / cs.length;
    };
    const cells = (i: number) => rows[i]!.split(',').slice(-2).map(Number);
    expect(cells(1)[0]).toBeCloseTo(
      mean(radius, () => true),
      1,
    );
    expect(cells(1)[1]).toBeCloseTo(
      mean(radius, (c) => c.prediction !== -1 && c.radius >= 0.5),
      1,
    );
    expect(cells(2)[0]).toBeCloseTo(
      mean(budget, () => true),
      1,
    );
    expect(cells(3)).toEqual([5050, 5050]);
    const md = rsmooth(['analyze', radius, fixed]);
    expect(md.stdout).toMatch(/\*\*Samples\*\*/);
    expect(md.stdout).toContain('| fixed.tsv | 12 | 5,050 | 5,050 |');
  });

  it('refuses flags that do not go together, and a radius or budget that can never certify, before loading anything', () => {
    const bad = (args: string[], message: RegExp) => {
      const r = rsmooth(['certify', ...FIXTURE, '--max', '2', ...args]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(message);
    };
    bad(['--radius', '0.5'], /--radius 0\.5 \(a radius to decide\) needs --sequential/);
    bad(['--sequential'], /--sequential needs exactly one of --radius R .* or --tolerance T/);
    bad(['--sequential', '--radius', '0.5', '--tolerance', '0.1'], /exactly one of/);
    bad(['--sequential', '--radius=-1'], /--radius must be 'one-sided', 'top-two', or with --sequential a radius R >= 0/);
    bad(['--sequential', '--radius', 'top-two', '--tolerance', '0.1'], /--sequential cannot be combined with --radius top-two/);
    bad(['--sequential', '--tolerance', '0.1', '--bound', 'hoeffding'], /--bound must be clopper-pearson or beta-binomial-mixture/);
    bad(['--sequential', '--radius', '2', '--n', '100000'], /--radius = 2 can never be certified with the budget n = 100000/);
    bad(['--sequential', '--tolerance', '0.1', '--bound', 'beta-binomial-mixture', '--n', '10'], /--n = 10 can never certify .* use n >= \d+/);
  });
});
