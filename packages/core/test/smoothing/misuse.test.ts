import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fromFunction, smooth } from '../../src/index.js';

// Issue #10, rows 1, 5, 9 and 17: what a hostile user found in the library, each a test that failed
// before the fix. Errors are checked by their stable `code` and `name`, the API programs branch on.

const x = new Float32Array([0.5, 0.1]);
const logits = (batch: number) => {
  const out = new Float32Array(batch * 2);
  for (let i = 0; i < batch; i++) out[2 * i + 1] = 1;
  return out;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Settles `p` and reports how (never throws), with the time it took. */
async function outcome<T>(p: Promise<T>): Promise<{ value?: T; error?: { name: string; code?: string; message: string }; ms: number }> {
  const t0 = performance.now();
  try {
    const value = await p;
    return { value, ms: performance.now() - t0 };
  } catch (err) {
    const e = err as Error & { code?: string };
    return { error: { name: e.name, code: e.code, message: e.message }, ms: performance.now() - t0 };
  }
}

describe('row 1: no promise is left without a handler', () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  beforeEach(() => {
    unhandled.length = 0;
    process.on('unhandledRejection', onUnhandled);
  });
  afterEach(() => {
    process.off('unhandledRejection', onUnhandled);
  });

  it('a forward that rejects after an abort (a disposed session) is handled; certify ends in AbortError', async () => {
    let calls = 0;
    let disposed = false;
    const f = fromFunction({
      inputShape: [2],
      nbClasses: 2,
      // The first batch answers after 30 ms; the abort lands while it runs, so the loop has already
      // started the next forward, which rejects once the model is disposed (as ONNX Runtime's does).
      predict: (_x, batch) =>
        calls++ === 0
          ? sleep(30).then(() => logits(batch))
          : sleep(20).then(() => {
              throw new Error(disposed ? 'Session already disposed' : 'late');
            }),
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 10);
    const r = await outcome(smooth(f, { seed: 1, sampleSize: 10 }).certify(x, { n: 10_000, batchSize: 5, signal: controller.signal }));
    disposed = true;
    await sleep(60);
    expect(r.error).toMatchObject({ name: 'AbortError', code: 'RS_ABORTED' });
    expect(unhandled).toEqual([]);
  });
});

describe('row 5: signal is honoured within one batch, whatever the backend does', () => {
  it('a forward that never settles: AbortSignal.timeout ends certify with AbortError', async () => {
    const f = fromFunction({ inputShape: [2], nbClasses: 2, predict: () => new Promise<Float32Array>(() => {}) });
    const r = await outcome(smooth(f, { seed: 1 }).certify(x, { n: 1000, signal: AbortSignal.timeout(100) }));
    expect(r.error).toMatchObject({ name: 'AbortError', code: 'RS_ABORTED' });
    expect(r.ms).toBeLessThan(2000);
  });

  it('forwardTimeoutMs turns a forward that never settles into a named timeout naming the batch and the input ids', async () => {
    let calls = 0;
    const f = fromFunction({
      inputShape: [2],
      nbClasses: 2,
      predict: (_x, batch) => (calls++ < 2 ? logits(batch) : new Promise<Float32Array>(() => {})),
    });
    const r = await outcome(
      smooth(f, { seed: 1, sampleSize: 10 }).predictClasses(new Float32Array([0.5, 0.1, 0.2, 0.3]), {
        n: 100,
        batchSize: 40,
        inputIds: [7, 9],
        forwardTimeoutMs: 50,
      } as never),
    );
    expect(r.error).toMatchObject({ name: 'ForwardTimeoutError', code: 'RS_FORWARD_TIMEOUT' });
    expect(r.error?.message).toMatch(/forward did not settle within 50 ms .*batch 2 .*input ids 7, 9/);
    expect(r.ms).toBeLessThan(2000);
  });

  it('a synchronous predict cannot be interrupted mid-call, but the loop yields between batches', async () => {
    // 40 M samples of a cheap synchronous model: seconds of work that, without a yield between
    // batches, never lets the timer of AbortSignal.timeout fire.
    const f = fromFunction({ inputShape: [2], nbClasses: 2, predict: (_x, batch) => logits(batch) });
    const r = await outcome(smooth(f, { seed: 1 }).certify(x, { n: 40_000_000, batchSize: 1000, signal: AbortSignal.timeout(150) }));
    expect(r.error).toMatchObject({ name: 'AbortError', code: 'RS_ABORTED' });
    expect(r.ms).toBeLessThan(1500);
  });
});

describe('row 9: counts are wide enough for every accepted n', () => {
  const sentinel = fromFunction({
    inputShape: [2],
    nbClasses: 2,
    predict: () => {
      throw new Error('sampling started');
    },
  });

  it('n >= 2^31 is refused up front with a named error, before any sampling', async () => {
    const g = smooth(sentinel, { seed: 1 });
    for (const n of [2 ** 31, 2 ** 31 + 1000, 2 ** 32 - 1]) {
      const r = await outcome(g.certify(x, { n }));
      expect(r.error).toMatchObject({ name: 'RangeError', code: 'RS_INVALID_ARG_VALUE' });
      expect(r.error?.message).toMatch(/'n' must be an integer in \[1, 2147483647\]/);
    }
    expect((await outcome(g.predictClasses(x, { n: 2 ** 31 }))).error).toMatchObject({ code: 'RS_INVALID_ARG_VALUE' });
    expect(() => smooth(sentinel, { sampleSize: 2 ** 31 })).toThrow(expect.objectContaining({ code: 'RS_INVALID_ARG_VALUE' }));
  });

  it('n = 2^31 - 1 is accepted (it reaches sampling)', async () => {
    const r = await outcome(smooth(sentinel, { seed: 1 }).certify(x, { n: 2 ** 31 - 1 }));
    expect(r.error).toMatchObject({ code: 'RS_CLASSIFIER_FAILED' });
    expect(r.error?.message).toMatch(/sampling started/);
  });
});

describe('row 17: non-finite logits are a contract error, never counted', () => {
  it.each([
    ['[Inf, Inf]', [Infinity, Infinity]],
    ['[Inf, 0]', [Infinity, 0]],
    ['[-Inf, -Inf]', [-Infinity, -Infinity]],
    ['[NaN, 0]', [Number.NaN, 0]],
  ])('%s', async (_name, row) => {
    const f = fromFunction({ inputShape: [2], nbClasses: 2, predict: (_x, batch) => new Float32Array(batch * 2).map((_, i) => row[i % 2]!) });
    const g = smooth(f, { seed: 1, sampleSize: 10 });
    const r = await outcome(g.certify(x, { n: 100 }));
    expect(r.error).toMatchObject({ name: 'ClassifierContractError', code: 'RS_CLASSIFIER_CONTRACT' });
    expect(r.error?.message).toMatch(/forward returned (NaN|Infinity|-Infinity|a row without a finite maximum) at batch row 0/);
    expect((await outcome(g.predictLogits(x))).error).toMatchObject({ code: 'RS_CLASSIFIER_CONTRACT' });
  });

  it('-Infinity beside a finite maximum (the log of probability 0) is a valid logit', async () => {
    const f = fromFunction({ inputShape: [2], nbClasses: 2, predict: (_x, batch) => new Float32Array(batch * 2).map((_, i) => (i % 2 ? 0 : -Infinity)) });
    const r = await smooth(f, { seed: 1, sampleSize: 10 }).certify(x, { n: 100 });
    expect(r.prediction[0]).toBe(1);
  });
});
