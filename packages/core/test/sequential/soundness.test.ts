import { describe, expect, it } from 'vitest';
import {
  checkpointSchedule,
  clopperPearsonLower,
  countPredictions,
  NOISE_STREAM,
  normalPpf,
  seedFromNumber,
  smooth,
  type SamplingJob,
} from '../../src/index.js';
import { resolveSmoothingConfig, samplingContext } from '../../src/smoothing/smoothing-config.js';
import { binaryLinear, uniforms } from '../smoothing/helpers.js';

// The exact oracle: f(x) = [x0 > 0] under N(0, sigma^2 I) has pA = Phi(|x0| / sigma) and exact
// robust radius |x0| (the distance to the hyperplane), so a certificate is wrong exactly when its
// radius exceeds |x0| (or it names the wrong class). Inputs sit just below and just above the
// radius r, i.e. pA just below and just above Phi(r / sigma): the hardest place for a
// sequential test, which may look at the data at every checkpoint.
const sigma = 0.5;
const r = 0.25;
const line = binaryLinear([1, 0], 0);

function inputsAroundRadius(trials: number, seed: number): { x: Float32Array; exact: Float64Array } {
  const u = uniforms(trials, seed);
  const x = new Float32Array(trials * 2);
  const exact = new Float64Array(trials);
  for (let i = 0; i < trials; i++) {
    const side = i % 2 === 0 ? -1 : 1; // pA just below / just above Phi(r / sigma)
    const sign = i % 4 < 2 ? 1 : -1; // both classes
    x[2 * i] = sign * (r + side * 0.02 * u[i]!);
    exact[i] = Math.abs(x[2 * i]!); // the float32 point's exact distance
  }
  return { x, exact };
}

/**
 * The binomial error allowed: Bernstein's inequality for V ~ Binomial(N, alpha) (the wrong
 * certificates when each is wrong with probability at most alpha):
 * P(V - N alpha >= s) <= exp(-s^2 / (2 (N alpha (1 - alpha) + s / 3))) = delta = 1e-6 at
 * s = L / 3 + sqrt((L / 3)^2 + 2 N alpha (1 - alpha) L), L = ln(1 / delta).
 */
function allowedViolations(trials: number, alpha: number, delta = 1e-6): number {
  const L = Math.log(1 / delta);
  return trials * alpha + L / 3 + Math.sqrt((L / 3) ** 2 + 2 * trials * alpha * (1 - alpha) * L);
}

function countViolations(prediction: Int32Array, radius: Float64Array, x: Float32Array, exact: Float64Array): number {
  let wrong = 0;
  for (let i = 0; i < exact.length; i++) {
    if (prediction[i] === -1) continue;
    const truth = x[2 * i]! > 0 ? 1 : 0;
    if (prediction[i] !== truth || radius[i]! > exact[i]!) wrong++;
  }
  return wrong;
}

describe('soundness of sequential certification on the exact linear oracle', () => {
  for (const [alpha, trials] of [
    [0.05, 5000],
    [0.001, 2000],
  ] as const) {
    for (const bound of ['clopper-pearson', 'beta-binomial-mixture'] as const) {
      for (const mode of [{ radius: r }, { tolerance: 0.02 }]) {
        it(`alpha ${alpha}, ${trials} trials, ${bound}, ${JSON.stringify(mode)}: wrong certificates <= alpha within binomial error`, async () => {
          const { x, exact } = inputsAroundRadius(trials, alpha === 0.05 ? 3 : 4);
          const g = smooth(line, { scale: sigma, alpha, sampleSize: 32, seed: bound === 'clopper-pearson' ? 11 : 12 });
          const res = await g.certify(x, { n: 2000, batchSize: 16_384, sequential: { ...mode, bound } });
          const wrong = countViolations(res.prediction, res.radius, x, exact);
          const allowed = allowedViolations(trials, alpha);
          const certified = res.prediction.filter((p) => p !== -1).length;
          const used = res.sequential!.samplesUsed.reduce((s, t) => s + t, 0) / trials;
          console.log(
            `soundness ${bound} ${JSON.stringify(mode)} alpha ${alpha}: ${wrong} wrong of ${trials} trials (${certified} certificates; allowed ${allowed.toFixed(1)} = Bernstein, delta 1e-6); mean samples ${used.toFixed(0)} of 2000`,
          );
          expect(certified).toBeGreaterThan(trials / 4);
          expect(wrong).toBeLessThanOrEqual(allowed);
        });
      }
    }
  }

  it('has the power to catch an invalid bound: peeking with fixed-n Clopper-Pearson at every checkpoint exceeds the allowance', async () => {
    const alpha = 0.05;
    const trials = 5000;
    const n = 2000;
    const { x, exact } = inputsAroundRadius(trials, 3);
    const config = resolveSmoothingConfig(line, { scale: sigma, alpha, seed: 13 });
    const ctx = samplingContext(config, seedFromNumber(13));
    const schedule = checkpointSchedule(n, { first: 64, ratio: 1.5 });
    // the counts at every checkpoint of every input, from the same engine certify uses
    const jobs: SamplingJob[] = [];
    for (let i = 0; i < trials; i++) {
      schedule.forEach((t, j) => {
        const start = j === 0 ? 0 : schedule[j - 1]!;
        jobs.push({ row: i, id: i, sampleStart: start, count: t - start });
      });
    }
    const counts = await countPredictions(ctx, x, jobs, { stream: NOISE_STREAM.estimation, batchSize: 16_384, phase: 'estimation' });
    let wrong = 0;
    for (let i = 0; i < trials; i++) {
      const truth = x[2 * i]! > 0 ? 1 : 0; // the class with pA > 1/2 (selection assumed right)
      let k = 0;
      for (let j = 0; j < schedule.length; j++) {
        k += counts[(i * schedule.length + j) * 2 + truth]!;
        const radius = sigma * normalPpf(Math.max(0.5, clopperPearsonLower(k, schedule[j]!, alpha))); // the naive, invalid bound
        if (radius >= r) {
          if (radius > exact[i]!) wrong++;
          break;
        }
      }
    }
    const allowed = allowedViolations(trials, alpha);
    console.log(`negative control (peeking at fixed-n Clopper-Pearson): ${wrong} wrong of ${trials} (allowed ${allowed.toFixed(1)})`);
    expect(wrong).toBeGreaterThan(allowed);
  });
});
