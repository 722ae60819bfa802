// runNoiseSelfTest: passes core's generators (10^6 draws here; `rsmooth selftest` runs 10^7), and
// fails a source with a wrong known answer, a wrong distribution or a planted correlation.
import { afterAll, describe, expect, it } from 'vitest';
import {
  createJsNoiseGenerator,
  createWasmNoiseGenerator,
  NOISE_KNOWN_ANSWER_SHA256,
  noiseSourceOf,
  runNoiseSelfTest,
  sourceDigest,
  type NoiseSource,
} from '../../src/index.js';
import { createThreadedNoiseGenerator } from '../../src/node/index.js';

const threaded = createThreadedNoiseGenerator({ threads: 2 });
afterAll(() => threaded.dispose());
const wasm = noiseSourceOf(createWasmNoiseGenerator());

/** The WASM source with its values changed by `tamper` (same name as the original otherwise). */
function tampered(name: string, tamper: (out: Float32Array) => void): NoiseSource {
  return {
    name,
    fill: (out, req) => {
      wasm.fill(out, req);
      tamper(out);
    },
    fillNoisy: wasm.fillNoisy!,
  };
}

describe('runNoiseSelfTest', () => {
  it('every core generator has the known-answer digest of the layout', async () => {
    for (const g of [createJsNoiseGenerator(), createWasmNoiseGenerator(), threaded])
      expect(await sourceDigest(noiseSourceOf(g))).toBe(NOISE_KNOWN_ANSWER_SHA256);
  });

  it('passes the JS, WASM and threaded generators, bitwise equal (10^6 draws per family)', async () => {
    const report = await runNoiseSelfTest([createJsNoiseGenerator(), createWasmNoiseGenerator(), threaded].map(noiseSourceOf), { draws: 1e6 });
    expect(report.rows.filter((r) => !r.pass)).toEqual([]);
    expect(report.pass).toBe(true);
    expect(report.rows.filter((r) => r.test.startsWith('bitwise equal'))).toHaveLength(9);
    expect(report.rows.find((r) => r.test === 'Random123 known-answer vectors')?.value).toBe('3/3');
  });

  it('fails a source whose values are 1% too large, shifted, or correlated, naming the tests', async () => {
    const failed = async (source: NoiseSource) => {
      const report = await runNoiseSelfTest([wasm, source], { draws: 1e6, families: ['gaussian'] });
      expect(report.pass).toBe(false);
      return report.rows.filter((r) => !r.pass && r.source === source.name).map((r) => r.test);
    };
    const scaled = await failed(tampered('scaled', (o) => o.set(o.map((v) => v * 1.01))));
    expect(scaled).toContain('E[x^2] (exact 1)');
    expect(scaled).toContain('bitwise equal to wasm-simd');
    const shifted = await failed(tampered('shifted', (o) => o.set(o.map((v) => v + 0.01))));
    expect(shifted).toContain('E[x^1] (exact 0)');
    expect(shifted.some((t) => t.startsWith('Kolmogorov-Smirnov'))).toBe(true);
    const correlated = await failed(
      tampered('correlated', (o) => {
        for (let i = o.length - 1; i > 0; i--) o[i] = 0.995 * o[i]! + 0.1 * o[i - 1]!;
      }),
    );
    expect(correlated).toContain('correlation, lag 1');
  });

  it('fails a source with the right distribution but other numbers (the known answer)', async () => {
    const other: NoiseSource = { name: 'other seed', fill: (out, req) => wasm.fill(out, { ...req, seed: req.seed + 1n }), fillNoisy: wasm.fillNoisy! };
    const report = await runNoiseSelfTest([other], { draws: 1e6, families: ['uniform'] });
    const failing = report.rows.filter((r) => !r.pass).map((r) => r.test);
    expect(failing).toEqual(['known-answer digest (SHA-256)']);
    expect(report.digests['other seed']).not.toBe(NOISE_KNOWN_ANSWER_SHA256);
  });

  it('validates its options', async () => {
    await expect(runNoiseSelfTest([wasm], { draws: 10 })).rejects.toThrow(/'draws' must be an integer >= 1000000/);
    await expect(runNoiseSelfTest([], {})).rejects.toThrow(/at least one/);
  });
});
