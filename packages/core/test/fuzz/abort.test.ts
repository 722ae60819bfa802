import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRsError, smooth, type Classifier } from '../../src/index.js';

// Fuzzing cancellation (issue #10): every public method of a smoothed classifier, on models that
// answer synchronously, late, never, with a rejection, or with broken output, aborted at a random
// moment (or timed out by forwardTimeoutMs), the model disposed at a random moment. Each case must
// settle, in a result or an error of the project's own with a stable code, and leave no promise
// without a handler. Seeded, a fixed number of cases.

const SEED = 10_2026;
const CASES = 400;
/** A case that has not settled by then is a hang. */
const HANG_MS = 3000;

type Behaviour = 'sync' | 'async' | 'late' | 'never' | 'reject' | 'rejectAfterDispose' | 'throw' | 'badLength' | 'infinite';
const BEHAVIOURS: Behaviour[] = ['sync', 'async', 'late', 'never', 'reject', 'rejectAfterDispose', 'throw', 'badLength', 'infinite'];
const METHODS = [
  'certify',
  'predict',
  'predictClasses',
  'fit',
  'predictLogits',
  'lossGradient',
  'lossGradientSampled',
  'classGradient',
  'computeLosses',
  'computeLoss',
] as const;

const DIM = 4;
const C = 3;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A linear model whose calls behave as `behaviour` says after `goodCalls` normal calls; disposable. */
function model(behaviour: Behaviour, goodCalls: number): Classifier & { dispose(): Promise<void> } {
  let calls = 0;
  let disposed = false;
  const logits = (x: Float32Array, batch: number) => {
    const out = new Float32Array(batch * C);
    for (let i = 0; i < batch; i++) for (let k = 0; k < C; k++) out[i * C + k] = x[i * DIM + k]! - 0.1 * k;
    return out;
  };
  const call = <T>(ok: () => T): T | Promise<T> => {
    if (calls++ < goodCalls || behaviour === 'sync') return ok();
    switch (behaviour) {
      case 'async':
        return Promise.resolve().then(ok);
      case 'late':
        return sleep(2).then(ok);
      case 'never':
        return new Promise<T>(() => {});
      case 'reject':
        return sleep(1).then(() => Promise.reject(new Error('backend lost')));
      case 'rejectAfterDispose':
        return (async () => {
          while (!disposed) await sleep(1);
          throw new Error('Session already disposed');
        })();
      case 'throw':
        throw new Error('synchronous failure');
      case 'badLength':
        return new Float32Array(1) as T;
      case 'infinite':
        return new Float32Array(100_000).fill(Infinity).subarray(0, (ok() as Float32Array).length) as T;
    }
  };
  return {
    inputShape: [DIM],
    nbClasses: C,
    forward: (x, batch) => call(() => logits(x, batch)),
    gradients: { vjp: (_x, batch) => call(() => new Float32Array(batch * DIM).fill(0.01)) },
    training: {
      step: (x, rows, head) =>
        call(() => {
          head.evaluate(logits(x, rows), rows);
          return 0.5;
        }),
      reset: () => undefined,
    },
    dispose: async () => {
      disposed = true;
    },
  };
}

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
});

describe('fuzz: random abort times on every library method', () => {
  it(`${CASES} cases over ${METHODS.length} methods x ${BEHAVIOURS.length} model behaviours`, async () => {
    const started = performance.now();
    const outcomes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(
        fc
          .record({
            method: fc.constantFrom(...METHODS),
            behaviour: fc.constantFrom(...BEHAVIOURS),
            goodCalls: fc.integer({ min: 0, max: 4 }),
            abortAt: fc.option(fc.integer({ min: 0, max: 12 }), { nil: undefined }),
            disposeAt: fc.option(fc.integer({ min: 0, max: 12 }), { nil: undefined }),
            timeoutMs: fc.option(fc.integer({ min: 1, max: 15 }), { nil: undefined }),
            inputs: fc.integer({ min: 1, max: 3 }),
            batchSize: fc.integer({ min: 1, max: 64 }),
            n: fc.integer({ min: 10, max: 3000 }),
          })
          // A model that never answers ends only through the caller's signal or timeout: give it one.
          .map((c) =>
            (c.behaviour === 'never' && c.abortAt === undefined && c.timeoutMs === undefined) ||
            (c.behaviour === 'rejectAfterDispose' && c.abortAt === undefined && c.timeoutMs === undefined && c.disposeAt === undefined)
              ? { ...c, abortAt: c.n % 13 }
              : c,
          ),
        async (c) => {
          const f = model(c.behaviour, c.goodCalls);
          const g = smooth(f, { scale: 0.5, sampleSize: 8, seed: 3 });
          const x = new Float32Array(c.inputs * DIM).map((_, i) => (i % 5) / 5);
          const y = Array.from({ length: c.inputs }, (_, i) => i % C);
          const controller = new AbortController();
          const timers: ReturnType<typeof setTimeout>[] = [];
          if (c.abortAt !== undefined) timers.push(setTimeout(() => controller.abort(), c.abortAt));
          if (c.disposeAt !== undefined) timers.push(setTimeout(() => void f.dispose(), c.disposeAt));
          const run = { signal: controller.signal, forwardTimeoutMs: c.timeoutMs, batchSize: c.batchSize };
          const call: Record<(typeof METHODS)[number], () => Promise<unknown>> = {
            certify: () => g.certify(x, { ...run, n: c.n }),
            predict: () => g.predict(x, { ...run, n: c.n }),
            predictClasses: () => g.predictClasses(x, { ...run, n: c.n }),
            fit: () => g.fit(x, y, { ...run, nbEpochs: 2 }),
            predictLogits: () => g.predictLogits(x, run),
            lossGradient: () => g.lossGradient(x, y, run),
            lossGradientSampled: () => g.lossGradient(x, y, { ...run, sampling: true }),
            classGradient: () => g.classGradient(x, undefined, run),
            computeLosses: () => g.computeLosses(x, y, run),
            computeLoss: () => g.computeLoss(x, y, { ...run, reduction: 'mean' }),
          };
          let outcome: string;
          let hang: ReturnType<typeof setTimeout> | undefined;
          try {
            await Promise.race([
              call[c.method](),
              new Promise((_, reject) => {
                hang = setTimeout(() => reject(new Error(`hang: ${JSON.stringify(c)} did not settle within ${HANG_MS} ms`)), HANG_MS);
              }),
            ]);
            outcome = 'result';
          } catch (err) {
            if (!isRsError(err)) throw err;
            outcome = err.code;
          } finally {
            clearTimeout(hang);
            for (const t of timers) clearTimeout(t);
            controller.abort();
            await f.dispose();
          }
          outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
        },
      ),
      { seed: SEED, numRuns: CASES },
    );
    await sleep(20); // let late rejections of abandoned calls arrive
    expect(unhandled).toEqual([]);
    console.log(
      `fuzz library abort times (fromFunction-style models): ${CASES} cases, seed ${SEED}, ${Math.round(performance.now() - started)} ms; outcomes ${JSON.stringify(Object.fromEntries([...outcomes].sort()))}`,
    );
    // The generator must reach the interesting outcomes, or the suite proves little.
    for (const code of ['result', 'RS_ABORTED', 'RS_FORWARD_TIMEOUT', 'RS_CLASSIFIER_FAILED', 'RS_CLASSIFIER_CONTRACT'])
      expect(outcomes.get(code) ?? 0).toBeGreaterThan(0);
  });
});
