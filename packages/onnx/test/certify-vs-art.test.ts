import { artCertifyReference } from '@rs/fixtures';
import { clopperPearsonLower, normalCdf } from '@rs/core';
import { describe, expect, it } from 'vitest';
import { OnnxRandomizedSmoothing } from '../src/index.js';
import { fixture } from './helpers.js';

const f = fixture();
const art = artCertifyReference();

describe('certify on the fixture agrees with ART up to sampling noise', () => {
  it('same predictions on confident inputs, radii within the sampling spread', async () => {
    const rs = await OnnxRandomizedSmoothing.create({ model: f.model, scale: 0.25, sampleSize: 100, alpha: 0.001, seed: 2024, intraOpNumThreads: 2 });
    const ours = await rs.certify(f.x, { n: art.n, batchSize: art.batch });
    await rs.dispose();
    // How the comparison is judged: both runs estimate the same pA from n = 10,000 samples.
    // ART's radius r gives its lower bound pL = Phi(r / sigma) (0.79964 is the cap: all n hits).
    // Where ART certified with pL >= 0.9 ("confident"), the prediction must agree. Radii must agree
    // within what two independent Clopper-Pearson bounds of the same pA can differ by: with
    // n = 10,000 the binomial standard deviation of the hit rate is at most 0.005, so we allow the
    // radius change of a 5-standard-deviation shift of pL, computed per input.
    const rows: string[] = [];
    for (let i = 0; i < 20; i++) {
      const artR = art.radius[i]!;
      const artPred = art.pred[i]!;
      const pL = artR > 0 ? normalCdf(artR / 0.25) : 0.5;
      const sd = Math.sqrt(Math.max(pL * (1 - pL), 1 / art.n) / art.n);
      const lo = Math.max(0.5, pL - 5 * sd);
      const hi = Math.min(clopperPearsonLower(art.n, art.n, 0.001), pL + 5 * sd);
      const rLo = lo <= 0.5 ? 0 : 0.25 * inverse(lo);
      const rHi = 0.25 * inverse(hi);
      rows.push(
        `${i}: ART ${artPred} r=${artR.toFixed(4)} | ours ${ours.prediction[i]} r=${ours.radius[i]!.toFixed(4)} (allowed [${rLo.toFixed(4)}, ${rHi.toFixed(4)}])`,
      );
      if (pL >= 0.9) expect(ours.prediction[i], `input ${i}`).toBe(artPred);
      if (ours.prediction[i] === artPred) {
        expect(ours.radius[i]!, `input ${i}`).toBeGreaterThanOrEqual(rLo - 1e-9);
        expect(ours.radius[i]!, `input ${i}`).toBeLessThanOrEqual(rHi + 1e-9);
      }
    }
    console.log(rows.join('\n'));
  });
});

function inverse(p: number): number {
  // Phi^-1 via bisection on the library's normalCdf (keeps this test independent of normalPpf).
  let lo = -10;
  let hi = 10;
  for (let k = 0; k < 200; k++) {
    const mid = (lo + hi) / 2;
    if (normalCdf(mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
