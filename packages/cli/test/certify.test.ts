import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { CERTIFY_HEADER, PREDICT_HEADER } from '../src/io/tsv.js';
import { main } from '../src/cli/main.js';
import { cli, FIXTURE, rsmooth, tempDir } from './helpers.js';

const TIME = /^\d+:\d\d:\d\d(\.\d{6})?$/;

describe('rsmooth certify / predict end to end (fixture CNN, 20 images)', () => {
  const dir = tempDir();

  it('certify writes certify.py rows and a provenance log', () => {
    const out = join(dir, 'c.tsv');
    const r = rsmooth(['certify', ...FIXTURE, '--n0', '50', '--n', '1000', '--batch', '500', '--seed', '3', '--skip', '2', '--max', '6', '--out', out]);
    expect(r.stderr).toMatch(/certify: 6\/6 inputs, [\d,]+ samples\/s/); // plain progress lines when not a TTY
    expect(r.status).toBe(0);
    const lines = readFileSync(out, 'utf8').split('\n');
    expect(lines[0]).toBe(CERTIFY_HEADER);
    expect(lines.at(-1)).toBe('');
    const rows = lines.slice(1, -1).map((l) => l.split('\t'));
    expect(rows.map((f) => Number(f[0]))).toEqual([0, 2, 4, 6, 8, 10]); // --skip 2 then --max 6 inputs
    for (const f of rows) {
      expect(f).toHaveLength(6);
      expect(f[3]).toMatch(/^\d+\.\d{3}$/);
      expect(f[4]).toBe(f[2] === f[1] ? '1' : '0');
      expect(f[5]).toMatch(TIME);
    }
    const log = readFileSync(`${out}.jsonl`, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(log[0].type).toBe('settings');
    expect(log[0].settings).toMatchObject({
      command: 'certify',
      backend: 'onnx',
      sigma: 0.25,
      n0: 50,
      n: 1000,
      alpha: 0.001,
      seed: '3',
      rng: 'philox4x32-10',
      noiseIds: 'dataset-index',
      selection: { skip: 2, max: 6, shard: null },
    });
    expect(log[0].settings.modelSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(log).toHaveLength(7);
    rows.forEach((f, i) => {
      const c = log[i + 1];
      expect(c).toMatchObject({
        type: 'certificate',
        idx: Number(f[0]),
        noiseId: Number(f[0]),
        n: 1000,
        n0: 50,
        alpha: 0.001,
        sigma: 0.25,
        seed: '3',
        rng: 'philox4x32-10',
        backend: 'onnx',
        device: 'onnxruntime cpu',
      });
      expect(c.modelSha256).toBe(log[0].settings.modelSha256);
      expect(c.radius.toFixed(3)).toBe(f[3]);
      expect(c.nA).toBeGreaterThanOrEqual(0);
      expect(c.nA).toBeLessThanOrEqual(1000);
      expect(c.pALower).toBeGreaterThan(0);
      expect(c.seconds).toBeGreaterThan(0);
      const sum = (v: number[]) => v.reduce((t, k) => t + k, 0);
      expect(c.selectionCounts).toHaveLength(10);
      expect(sum(c.selectionCounts)).toBe(50);
      expect(sum(c.estimationCounts)).toBe(1000);
      expect(c.estimationCounts[c.selected]).toBe(c.nA);
    });
  });

  it('certify without --out prints rows to stdout', async () => {
    const r = await cli(['certify', ...FIXTURE, '--n', '200', '--max', '2', '--quiet']);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(CERTIFY_HEADER);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(3);
    expect(r.stderr).toBe('');
  });

  it('predict writes predict.py rows and class counts', () => {
    const out = join(dir, 'p.tsv');
    const r = rsmooth(['predict', ...FIXTURE, '--n', '500', '--max', '4', '--out', out, '--quiet']);
    expect(r.status).toBe(0);
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe(PREDICT_HEADER);
    expect(lines).toHaveLength(5);
    for (const l of lines.slice(1)) expect(l.split('\t')[4]).toMatch(TIME);
    const rec = JSON.parse(readFileSync(`${out}.jsonl`, 'utf8').split('\n')[1]!);
    expect(rec.type).toBe('prediction');
    expect(rec.counts).toHaveLength(10);
    expect(rec.counts.reduce((a: number, b: number) => a + b, 0)).toBe(500);
  });

  it('the bundled default (rsmooth demo) runs offline and prints rows and the table', () => {
    const r = rsmooth(['demo', '--max', '5', '--n', '1000', '--quiet']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(CERTIFY_HEADER);
    expect(r.stdout).toMatch(/\| bundled default \| 5 \|/);
    expect(r.stdout).toContain('High-probability certified accuracy');
  });

  it('--help prints usage for the program (through the executable) and each command (in this process, through main)', async () => {
    const top = rsmooth(['--help']);
    expect(top.status).toBe(0);
    for (const c of ['certify', 'predict', 'train', 'analyze', 'merge', 'demo']) {
      expect(top.stdout).toContain(c);
      let stdout = '';
      const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
        stdout += String(chunk);
        return true;
      });
      try {
        expect(await main([c, '--help'])).toBe(0);
      } finally {
        spy.mockRestore();
      }
      expect(stdout).toMatch(new RegExp(`^Usage: rsmooth ${c}`));
    }
  });
});
