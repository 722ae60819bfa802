import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isRsError } from '@rs/core';
import { readNpy } from '@rs/datasets';
import { OnnxRandomizedSmoothing } from '@rs/onnx';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASSETS_DIR } from '../../src/assets.js';
import { onnxBackend } from '../../src/backends/onnx.js';
import { clean, count, report, SEED } from './fuzz-helpers.js';

// Fuzzing the ONNX side (issue #10) with the bundled model (packages/cli/assets): mutated model
// bytes through the CLI's model reader, and random abort times (and a dispose at a random moment)
// for every library method on the ONNX backend. Plus the README's own pattern (abort, then
// dispose) under node --unhandled-rejections=strict, in a process of its own.

const BYTE_CASES = 60;
const ABORT_CASES = 40;
const HANG_MS = 20_000;
const root = mkdtempSync(join(tmpdir(), 'rsmooth-fuzz-onnx-'));
const MODEL = join(ASSETS_DIR, 'model.onnx');
const images = readNpy(readFileSync(join(ASSETS_DIR, 'x.npy'))).data as Float32Array;
const labels = Array.from(readNpy(readFileSync(join(ASSETS_DIR, 'y.npy'))).data as ArrayLike<number | bigint>, Number);
const x = images.subarray(0, 2 * 784);
const y = labels.slice(0, 2);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
  clean(root);
});

/** Settles `p` within HANG_MS; returns 'result' or the project error's code (anything else fails). */
async function outcomeOf(p: Promise<unknown>, what: string): Promise<string> {
  let hang: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([p, new Promise((_, reject) => (hang = setTimeout(() => reject(new Error(`hang: ${what}`)), HANG_MS)))]);
    return 'result';
  } catch (err) {
    if (isRsError(err)) return err.code;
    throw new Error(`not a project error from ${what}: ${(err as Error)?.constructor?.name}: ${(err as Error)?.message}`, { cause: err });
  } finally {
    clearTimeout(hang);
  }
}

describe('fuzz: the ONNX backend', () => {
  it(`model bytes: ${BYTE_CASES} mutated copies of the bundled model through the CLI's reader, then a certify`, async () => {
    const started = performance.now();
    const outcomes = new Map<string, number>();
    const base = readFileSync(MODEL);
    const bytes = fc
      .tuple(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), fc.nat(3), fc.nat())
      .map(([writes, region, cut]) => {
        const b = Uint8Array.from(base);
        // A quarter of the edits land in the first 4 KiB (the graph's structure), the rest anywhere.
        for (const [at, v] of writes) b[region === 0 ? at % 4096 : at % b.length] = v;
        return region === 1 ? b.subarray(0, cut % b.length) : b;
      });
    let caseNo = 0;
    await fc.assert(
      fc.asyncProperty(bytes, async (model) => {
        const path = join(root, `m${caseNo++}.onnx`);
        writeFileSync(path, model);
        const opened = await outcomeOf(
          (async () => {
            const m = await onnxBackend.open({ model: path, sigma: 0.25, n0: 10, alpha: 0.001, seed: '0', clip: [0, 1], device: 'cpu', threads: 1 });
            try {
              await m.certify(x.subarray(0, 784), { n: 100, batchSize: 50 });
            } finally {
              await m.dispose();
            }
          })(),
          `model ${path}`,
        );
        count(outcomes, opened);
      }),
      { seed: SEED, numRuns: BYTE_CASES },
    );
    report('ONNX model bytes (onnx backend open + certify)', BYTE_CASES, started, outcomes);
    expect(outcomes.get('RS_MODEL_LOAD_FAILED') ?? 0).toBeGreaterThan(0);
  });

  it(`abort times: ${ABORT_CASES} cases over every library method on the bundled model, disposed at random moments`, async () => {
    const started = performance.now();
    const outcomes = new Map<string, number>();
    const methods = [
      'certify',
      'predict',
      'predictClasses',
      'fit',
      'predictLogits',
      'lossGradient',
      'lossGradientSampled',
      'classGradient',
      'computeLoss',
    ] as const;
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          method: fc.constantFrom(...methods),
          abortAt: fc.option(fc.integer({ min: 0, max: 60 }), { nil: undefined }),
          disposeAt: fc.option(fc.integer({ min: 0, max: 60 }), { nil: undefined }),
          timeoutMs: fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }),
          batchSize: fc.integer({ min: 1, max: 400 }),
        }),
        async (c) => {
          const rs = await OnnxRandomizedSmoothing.create({
            model: MODEL,
            scale: 0.25,
            sampleSize: 8,
            alpha: 0.001,
            seed: 1,
            clipValues: [0, 1],
            intraOpNumThreads: 1,
          });
          const controller = new AbortController();
          const timers = [
            c.abortAt === undefined ? undefined : setTimeout(() => controller.abort(), c.abortAt),
            c.disposeAt === undefined ? undefined : setTimeout(() => void rs.dispose(), c.disposeAt),
          ];
          const run = { signal: controller.signal, forwardTimeoutMs: c.timeoutMs, batchSize: c.batchSize };
          const call = {
            certify: () => rs.certify(x, { ...run, n: 2000 }),
            predict: () => rs.predict(x, { ...run, n: 1000 }),
            predictClasses: () => rs.predictClasses(x, { ...run, n: 1000 }),
            fit: () => rs.fit(x, y, { ...run, nbEpochs: 2, batchSize: 2 }),
            predictLogits: () => rs.predictLogits(x, run),
            lossGradient: () => rs.lossGradient(x, y, run),
            lossGradientSampled: () => rs.lossGradient(x, y, { ...run, sampling: true }),
            classGradient: () => rs.classGradient(x, 1, run),
            computeLoss: () => rs.computeLoss(x, y, { ...run, reduction: 'sum' }),
          }[c.method];
          try {
            count(outcomes, `${c.method}: ${await outcomeOf(call(), JSON.stringify(c))}`);
          } finally {
            for (const t of timers) clearTimeout(t);
            await rs.dispose();
          }
        },
      ),
      { seed: SEED, numRuns: ABORT_CASES },
    );
    await sleep(100); // late rejections of abandoned ONNX Runtime calls
    expect(unhandled).toEqual([]);
    report('abort times on the ONNX backend (OnnxRandomizedSmoothing)', ABORT_CASES, started, outcomes);
  });
});

describe('row 1, as the README writes it: abort, then dispose, under node --unhandled-rejections=strict', () => {
  const script = (body: string) => `
    import { OnnxRandomizedSmoothing } from '@rs/onnx';
    import { fromFunction, smooth } from '@rs/core';
    const rs = await OnnxRandomizedSmoothing.create({ model: ${JSON.stringify(MODEL)}, scale: 0.25, sampleSize: 100, alpha: 0.001, clipValues: [0, 1], seed: 0, intraOpNumThreads: 1 });
    ${body}
    await new Promise((r) => setTimeout(r, 500));
    console.log('settled');
  `;
  const run = (body: string) =>
    spawnSync(process.execPath, ['--unhandled-rejections=strict', '--input-type=module', '-e', script(body)], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      encoding: 'utf8',
      timeout: 60_000,
    });

  it('certify with AbortSignal.timeout, catch, dispose: a named error and exit 0', () => {
    const r = run(`
      try { await rs.certify(new Float32Array(784).fill(0.5), { n: 100000, batchSize: 1000, signal: AbortSignal.timeout(300) }); console.log('finished'); }
      catch (err) { console.log('caught', err.name, err.code); }
      await rs.dispose();
    `);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/caught AbortError RS_ABORTED\nsettled/);
  });

  it('a fromFunction model whose predict rejects after the abort: a named error and exit 0', () => {
    const r = run(`
      await rs.dispose();
      let calls = 0, disposed = false;
      const f = fromFunction({ inputShape: [2], nbClasses: 2, predict: (_x, b) => calls++ === 0
        ? new Promise((res) => setTimeout(() => res(new Float32Array(b * 2).fill(1).map((v, i) => i % 2)), 30))
        : new Promise((_, rej) => setTimeout(() => rej(new Error(disposed ? 'Session already disposed' : 'late')), 20)) });
      const c = new AbortController(); setTimeout(() => c.abort(), 10);
      try { await smooth(f, { seed: 1, sampleSize: 10 }).certify(new Float32Array([0.5, 0.1]), { n: 10000, batchSize: 5, signal: c.signal }); }
      catch (err) { console.log('caught', err.name, err.code); disposed = true; }
    `);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/caught AbortError RS_ABORTED\nsettled/);
  });
});
