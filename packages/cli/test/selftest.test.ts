import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createWasmNoiseGenerator, NOISE_KNOWN_ANSWER_SHA256, type NoiseGenerator } from '@rs/core';
import { describe, expect, it } from 'vitest';
import type { BackendModel } from '../src/backends/registry.js';
import { noiseProvenance } from '../src/commands/noise-provenance.js';
import { FIXTURE, rsmooth, tempDir } from './helpers.js';

describe('rsmooth selftest', () => {
  it('runs the known answers and distribution tests and prints the table (10^6 draws here)', () => {
    const dir = tempDir();
    const json = join(dir, 'report.json');
    const r = rsmooth(['selftest', '--draws', '1000000', '--generators', 'js,wasm,threaded', '--threads', '2', '--json', json, '-q']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Philox4x32-10 Random123 known-answer vectors: 3/3 ok');
    expect(r.stdout).toMatch(/\| wasm-simd x2 threads +\| laplace +\| .* \| equal +\| ok +\| pass +\|/);
    expect(r.stdout).toContain('PASS: every test of 3 generator(s)');
    const report = JSON.parse(readFileSync(json, 'utf8')) as { pass: boolean; rows: unknown[]; digests: Record<string, string> };
    expect(report.pass).toBe(true);
    expect(Object.values(report.digests)).toEqual([NOISE_KNOWN_ANSWER_SHA256, NOISE_KNOWN_ANSWER_SHA256, NOISE_KNOWN_ANSWER_SHA256]);
  });

  it('refuses bad options, naming them', () => {
    const r = rsmooth(['selftest', '--generators', 'js,cuda']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--generators must list some of js, wasm, threaded, webgpu/);
    expect(rsmooth(['selftest', '--draws', '1000']).stderr).toMatch(/--draws must be an integer >= 1000000/);
  });
});

describe('noise provenance of certify runs', () => {
  it('records the generator, its known-answer digest and the Philox counters of each certificate', () => {
    const out = join(tempDir(), 'c.tsv');
    expect(rsmooth(['certify', ...FIXTURE, '--n0', '20', '--n', '500', '--max', '2', '--out', out, '-q']).status).toBe(0);
    const records = readFileSync(`${out}.jsonl`, 'utf8')
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((l) => JSON.parse(l));
    for (const c of records) {
      expect(c.noiseDigest).toBe(NOISE_KNOWN_ANSWER_SHA256);
      expect(c.noiseGenerator).toMatch(/wasm-simd/);
      expect(c.counters).toEqual({
        key: '0',
        c0Block: [0, 195],
        c2Input: c.idx,
        streams: [
          { c3: 0, phase: 'selection', c1Sample: [0, 19] },
          { c3: 1, phase: 'estimation', c1Sample: [0, 499] },
        ],
      });
    }
  });

  it("refuses a generator whose numbers are not the layout's before any sampling", async () => {
    const wasm = createWasmNoiseGenerator();
    const off: NoiseGenerator = {
      ...wasm,
      name: 'off by one seed',
      fillStandard: (out, o, req) => wasm.fillStandard!(out, o, { ...req, seed: req.seed + 1n }),
      fillNoisy: (out, o, req, ...rest) => wasm.fillNoisy(out, o, { ...req, seed: req.seed + 1n }, ...rest),
    };
    const model = { noiseGenerator: off.name, generator: off } as unknown as BackendModel;
    await expect(noiseProvenance(model)).rejects.toThrow(/'off by one seed' failed its known-answer self-test/);
    await expect(noiseProvenance({ noiseGenerator: 'wasm-simd', generator: wasm } as unknown as BackendModel)).resolves.toEqual({
      generator: 'wasm-simd',
      digest: NOISE_KNOWN_ANSWER_SHA256,
    });
  });
});
