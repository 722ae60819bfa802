// npm install @rs/core
import { certifiedRadius, clopperPearsonLower, fromFunction, smooth } from '@rs/core';

// Any model as a plain function: batch inputs back to back in, batch x nbClasses logits out.
// Here a linear model, logit_1 = x0 + x1 - 1, whose exact certified radius is known.
const f = fromFunction({
  inputShape: [2],
  nbClasses: 2,
  predict: (x, batch) => {
    const logits = new Float32Array(batch * 2);
    for (let i = 0; i < batch; i++) logits[2 * i + 1] = x[2 * i]! + x[2 * i + 1]! - 1;
    return logits;
  },
});
const g = smooth(f, { scale: 0.5, alpha: 0.001, sampleSize: 100, seed: 7 });
const { prediction, radius, pALower } = await g.certify(new Float32Array([1.5, 1.5]), { n: 100_000, batchSize: 10_000 });
console.log(`class ${prediction[0]}, certified radius ${radius[0]!.toFixed(3)} (exact: ${(2 / Math.SQRT2).toFixed(3)}), pA >= ${pALower[0]!.toFixed(5)}`);

// The statistics alone: = statsmodels' proportion_confint(9990, 10000, alpha=0.002, method='beta')[0]
const pA = clopperPearsonLower(9_990, 10_000, 0.001);
console.log(`pA >= ${pA.toFixed(6)}, radius at sigma 0.25: ${certifiedRadius(pA, 0.25).toFixed(4)}`);
