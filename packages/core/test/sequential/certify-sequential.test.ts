import { describe, expect, it } from 'vitest';
import {
  AbortError,
  clopperPearsonLower,
  createNoiseGenerator,
  fromFunction,
  normalCdf,
  normalPpf,
  sequentialPlan,
  smooth,
  type Classifier,
  type DeviceSamplingRequest,
  type Progress,
} from '../../src/index.js';
import { binaryLinear, countingClassifier, uniforms } from '../smoothing/helpers.js';

const sigma = 0.5;
// f(x) = [x0 > 0]: pA = Phi(|x0| / sigma), exact radius |x0|.
const line = binaryLinear([1, 0], 0);
const distances = [-1, -0.3, -0.05, 0.02, 0.2, 0.25, 0.4, 0.8, 3];
const x = Float32Array.from(distances.flatMap((d) => [d, 0.1]));

/** A classifier that always answers class 0: pA = 1 for every input. */
function constant(calls: number[] = []): Classifier & { calls: number[] } {
  const f = fromFunction({
    inputShape: [2],
    nbClasses: 3,
    predict: (_x, batch) => {
      calls.push(batch);
      const out = new Float32Array(batch * 3);
      for (let i = 0; i < batch; i++) out[i * 3] = 1;
      return out;
    },
  });
  return Object.assign(f, { calls });
}

describe('sequential certify: reproducible whatever the batches, order or shards', () => {
  for (const sequential of [
    { radius: 0.25 },
    { tolerance: 0.05 },
    { radius: 0.25, bound: 'beta-binomial-mixture' as const },
    { tolerance: 0.05, bound: 'beta-binomial-mixture' as const },
  ]) {
    it(JSON.stringify(sequential), async () => {
      const g = smooth(line, { scale: sigma, alpha: 0.001, seed: 31 });
      const n = 20_000;
      const a = await g.certify(x, { n, batchSize: 4096, sequential });
      const b = await g.certify(x, { n, batchSize: 333, sequential });
      expect(Array.from(b.radius)).toEqual(Array.from(a.radius));
      expect(Array.from(b.sequential!.samplesUsed)).toEqual(Array.from(a.sequential!.samplesUsed));
      expect(Array.from(b.estimationCounts)).toEqual(Array.from(a.estimationCounts));
      // reversed order with the inputs' ids, and a shard of the last 4 inputs
      const order = distances.map((_, i) => distances.length - 1 - i);
      const reversed = Float32Array.from(order.flatMap((i) => [distances[i]!, 0.1]));
      const c = await g.certify(reversed, { n, batchSize: 1000, inputIds: order, sequential });
      order.forEach((src, dst) => {
        expect(c.radius[dst]).toBe(a.radius[src]);
        expect(c.sequential!.samplesUsed[dst]).toBe(a.sequential!.samplesUsed[src]);
      });
      const shard = await g.certify(x.subarray(10), { n, batchSize: 500, indexOffset: 5, sequential });
      expect(Array.from(shard.radius)).toEqual(Array.from(a.radius.subarray(5)));
      // every input stops at a checkpoint, and the counts are those of exactly samplesUsed samples
      a.sequential!.samplesUsed.forEach((t, i) => {
        expect(a.sequential!.checkpoints).toContain(t);
        expect(a.estimationCounts[2 * i]! + a.estimationCounts[2 * i + 1]!).toBe(t);
      });
      expect(a.sequential!.samplesDrawn).toBeGreaterThanOrEqual(a.sequential!.samplesUsed.reduce((s, t) => s + t, 0));
    });
  }

  it('the estimation counts at the stop are the first samplesUsed samples of the fixed-n stream', async () => {
    const g = smooth(line, { scale: sigma, alpha: 0.001, seed: 8 });
    const s = await g.certify(x, { n: 5000, sequential: { tolerance: 0.2 } });
    for (let i = 0; i < distances.length; i++) {
      const t = s.sequential!.samplesUsed[i]!;
      const fixed = await g.certify(x.subarray(2 * i, 2 * i + 2), { n: t, indexOffset: i });
      expect(fixed.countSelected[0]).toBe(s.countSelected[i]);
      expect(fixed.selected[0]).toBe(s.selected[i]);
    }
  });

  it('with a single checkpoint at n it is fixed-n certify (same counts, pALower and radius)', async () => {
    const g = smooth(line, { scale: sigma, alpha: 0.001, seed: 4 });
    const fixed = await g.certify(x, { n: 3000 });
    const seq = await g.certify(x, { n: 3000, sequential: { tolerance: 0.01, checkpoints: [3000] } });
    expect(Array.from(seq.pALower)).toEqual(Array.from(fixed.pALower));
    expect(Array.from(seq.radius)).toEqual(Array.from(fixed.radius));
    expect(Array.from(seq.prediction)).toEqual(Array.from(fixed.prediction));
  });

  it('gives the same result through a device sampler (the Monte Carlo loop run by the backend)', async () => {
    const noise = createNoiseGenerator();
    const device: Classifier = {
      ...line,
      deviceSampling: {
        async countPredictions(req: DeviceSamplingRequest) {
          const counts = new Int32Array(req.jobs.length * 2);
          for (const [i, job] of req.jobs.entries()) {
            const buf = new Float32Array(job.count * req.dim);
            const at = { seed: req.seed, stream: req.stream, inputIndex: job.id, sampleStart: job.sampleStart, sampleCount: job.count, dim: req.dim };
            noise.fillNoisy(buf, 0, at, req.data, job.row * req.dim, req.scale);
            const logits = (await line.forward(buf, job.count)) as Float32Array;
            for (let r = 0; r < job.count; r++) counts[i * 2 + (logits[r * 2 + 1]! > logits[r * 2]! ? 1 : 0)]!++;
          }
          return counts;
        },
      },
    };
    const host = await smooth(line, { scale: sigma, seed: 3 }).certify(x, { n: 10_000, sequential: { radius: 0.3 } });
    const onDevice = await smooth(device, { scale: sigma, seed: 3 }).certify(x, { n: 10_000, sequential: { radius: 0.3 } });
    expect(Array.from(onDevice.radius)).toEqual(Array.from(host.radius));
    expect(Array.from(onDevice.sequential!.samplesUsed)).toEqual(Array.from(host.sequential!.samplesUsed));
  });
});

describe('sequential certify: the scheduler keeps model calls full', () => {
  it('every call has batchSize rows except at most one per run, and memory stays one batch', async () => {
    const f = countingClassifier(4);
    const many = Float32Array.from(uniforms(300 * 4, 9), (u) => u - 0.6);
    const r = await smooth(f, { scale: 0.3, seed: 2, sampleSize: 32 }).certify(many, { n: 5000, batchSize: 256, sequential: { radius: 0.1 } });
    const estimation = f.calls.slice(Math.ceil((300 * 32) / 256));
    expect(Math.max(...f.calls)).toBeLessThanOrEqual(256);
    const partial = estimation.filter((rows) => rows !== 256);
    expect(partial.length).toBeLessThanOrEqual(1);
    expect(estimation.reduce((s, v) => s + v, 0)).toBe(r.sequential!.samplesDrawn);
    expect(r.sequential!.batches).toBe(estimation.length);
    const used = r.sequential!.samplesUsed.reduce((s, t) => s + t, 0);
    console.log(
      `scheduler: 300 inputs, ${estimation.length} calls (${partial.length} partial), ${used} samples used of ${r.sequential!.samplesDrawn} drawn (fixed n: ${300 * 5000}), ${r.sequential!.rounds} rounds`,
    );
  });

  it('reports progress across rounds and stops on abort with an AbortError', async () => {
    const g = smooth(line, { scale: sigma, seed: 1 });
    const reports: Progress[] = [];
    await g.certify(x, { n: 20_000, batchSize: 500, onProgress: (p) => reports.push(p), sequential: { radius: 0.25 } });
    const estimation = reports.filter((p) => p.phase === 'estimation');
    expect(estimation.length).toBeGreaterThan(3);
    for (let i = 1; i < estimation.length; i++) expect(estimation[i]!.samplesDone).toBeGreaterThan(estimation[i - 1]!.samplesDone);
    expect(estimation.every((p) => p.samplesDone <= p.samplesTotal && p.inputsTotal === distances.length)).toBe(true);
    const controller = new AbortController();
    let calls = 0;
    const run = g.certify(x, {
      n: 100_000,
      batchSize: 100,
      signal: controller.signal,
      onProgress: () => {
        if (++calls === 5) controller.abort();
      },
      sequential: { tolerance: 0.001 },
    });
    await expect(run).rejects.toThrow(AbortError);
  });
});

describe('sequential certify: edge cases', () => {
  it('pA = 1: stops at the anchor checkpoint with the Clopper-Pearson bound at alpha / 2', async () => {
    for (const alpha of [0.001, 0.05]) {
      for (const r of [0.25, 1]) {
        const f = constant();
        const g = smooth(f, { scale: sigma, alpha, seed: 1, sampleSize: 10 });
        const res = await g.certify(new Float32Array([0, 0, 1, 1]), { n: 100_000, sequential: { radius: r } });
        const pStar = normalCdf(r / sigma);
        // the smallest t with t hits out of t certifying r at alpha / 2, found here by a plain scan
        let t = 1;
        while (!(clopperPearsonLower(t, t, alpha / 2) >= pStar && sigma * normalPpf(clopperPearsonLower(t, t, alpha / 2)) >= r)) t++;
        expect(Array.from(res.sequential!.samplesUsed)).toEqual([t, t]);
        expect(res.sequential!.stopReason).toEqual(['certified', 'certified']);
        expect(res.pALower[0]).toBe(clopperPearsonLower(t, t, alpha / 2));
        expect(res.radius[0]).toBeGreaterThanOrEqual(r);
        expect(Array.from(res.prediction)).toEqual([0, 0]);
      }
    }
  });

  it('pA = 1 in budget mode: stops once the best radius the budget can still give is within the tolerance', async () => {
    const n = 50_000;
    const tolerance = 0.05;
    const res = await smooth(constant(), { scale: sigma, alpha: 0.001, seed: 1 }).certify(new Float32Array([0, 0]), { n, sequential: { tolerance } });
    const plan = sequentialPlan(n, 0.001, sigma, { tolerance });
    const best = sigma * normalPpf(plan.bound.lower(n, n));
    const stop = plan.schedule.find((t) => best - sigma * normalPpf(plan.bound.lower(t, t)) <= tolerance)!;
    expect(res.sequential!.samplesUsed[0]).toBe(stop);
    expect(res.sequential!.stopReason[0]).toBe('converged');
    expect(best - res.radius[0]!).toBeLessThanOrEqual(tolerance);
  });

  it('pA exactly at the threshold: the certified radius never exceeds the exact one (alpha 0.05, 600 inputs)', async () => {
    const r = 0.3;
    const count = 600;
    const at = new Float32Array(count * 2).fill(r); // x0 = 0.3: pA = Phi(0.3 / sigma) exactly (x0 and r the same float)
    for (let i = 0; i < count; i++) at[2 * i + 1] = 0;
    const res = await smooth(line, { scale: sigma, alpha: 0.05, seed: 77 }).certify(at, { n: 4000, batchSize: 8192, sequential: { radius: r } });
    const exact = Math.fround(r);
    let over = 0;
    for (let i = 0; i < count; i++) if (res.radius[i]! > exact) over++;
    console.log(`pA at the threshold: ${over} of ${count} radii above the exact ${exact} (alpha 0.05)`);
    expect(over).toBeLessThanOrEqual(0.05 * count + 3 * Math.sqrt(count * 0.05 * 0.95));
  });

  it('n = the minimum budget certifies pA = 1; one less is refused before sampling', async () => {
    const f = constant();
    const g = smooth(f, { scale: sigma, alpha: 0.001, seed: 1 });
    const res = await g.certify(new Float32Array([0, 0]), { n: 10, sequential: { tolerance: 0.1 } });
    expect(res.prediction[0]).toBe(0);
    expect(res.sequential!.samplesUsed[0]).toBe(10);
    f.calls.length = 0;
    await expect(g.certify(new Float32Array([0, 0]), { n: 9, sequential: { tolerance: 0.1 } })).rejects.toThrow(/'n' = 9 can never certify .* use n >= 10/);
    const mixture = g.certify(new Float32Array([0, 0]), { n: 9, sequential: { tolerance: 0.1, bound: 'beta-binomial-mixture' } });
    await expect(mixture).rejects.toThrow(/beta-binomial-mixture bound .* use n >= \d+/);
    expect(f.calls).toEqual([]);
  });

  it('refuses a radius no budget-n certificate can reach, and bad sequential options, naming them', async () => {
    const g = smooth(line, { scale: 0.25, alpha: 0.001, seed: 1 });
    await expect(g.certify(x, { n: 100_000, sequential: { radius: 2 } })).rejects.toThrow(/'sequential.radius' = 2 can never be certified .* is 0\.95/);
    await expect(g.certify(x, { n: 100, sequential: {} })).rejects.toThrow(/needs exactly one of 'radius'/);
    await expect(g.certify(x, { n: 100, sequential: { radius: 0.1, tolerance: 0.1 } })).rejects.toThrow(/exactly one/);
    await expect(g.certify(x, { n: 100, sequential: { radius: -1 } })).rejects.toThrow(/'sequential.radius' must be a finite number >= 0/);
    await expect(g.certify(x, { n: 100, sequential: { tolerance: 0 } })).rejects.toThrow(/'sequential.tolerance'/);
    await expect(g.certify(x, { n: 100, sequential: { tolerance: 1, bound: 'wald' as never } })).rejects.toThrow(/'sequential.bound'/);
    await expect(g.certify(x, { n: 100, sequential: { tolerance: 1, checkpoints: [50, 40] } })).rejects.toThrow(/strictly increasing/);
    await expect(g.certify(x, { n: 100, sequential: { tolerance: 1, checkpoints: { ratio: 0.5 } } })).rejects.toThrow(
      /'sequential.checkpoints.ratio' must be in \(1, 1000\]/,
    );
    await expect(g.certify(x, { n: 100, sequential: { tolerance: 1, prior: { a: 1, b: 1 } } })).rejects.toThrow(/'prior' applies/);
    await expect(g.certify(x, { n: 100, sequential: { tolerance: 1, extra: 1 } as never })).rejects.toThrow(/unknown option 'extra'/);
  });
});
