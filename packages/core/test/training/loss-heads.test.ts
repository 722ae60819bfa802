import { describe, expect, it } from 'vitest';
import { consistencyHead, crossEntropyHead, type LossHead, macerHead, normalPpf, smoothMixHead } from '../../src/index.js';
import { uniforms } from '../smoothing/helpers.js';

/** Largest |analytic - central difference| / max(|difference|, 1e-3) over every logit (float64 steps on float32 logits). */
function worstGradientError(head: LossHead, rows: number, c: number, seed: number, spread = 4): number {
  const z = Float32Array.from(uniforms(rows * c, seed), (u) => (u - 0.5) * spread);
  const { gradient } = head.evaluate(z, rows);
  let worst = 0;
  for (let k = 0; k < z.length; k++) {
    const h = 1e-2;
    const plus = z.slice();
    const minus = z.slice();
    plus[k]! += h;
    minus[k]! -= h;
    const numeric = (head.evaluate(plus, rows).loss - head.evaluate(minus, rows).loss) / (plus[k]! - minus[k]!);
    worst = Math.max(worst, Math.abs(numeric - gradient[k]!) / Math.max(Math.abs(numeric), 1e-3));
  }
  return worst;
}

describe('loss heads: gradients agree with central differences of their losses', () => {
  const labels = Int32Array.of(0, 1, 2, 0, 1);
  it('cross-entropy: mean over rows; softmax - onehot over N', () => {
    const head = crossEntropyHead(labels, 3);
    const z = new Float32Array(15);
    const { loss, gradient, terms } = head.evaluate(z, 5);
    expect(loss).toBeCloseTo(Math.log(3), 12);
    expect(terms.classification).toBe(loss);
    expect(gradient[0]).toBeCloseTo((1 / 3 - 1) / 5, 7);
    expect(head.crossEntropyLabels).toBe(labels);
    expect(worstGradientError(head, 5, 3, 1)).toBeLessThan(1e-3);
  });

  it('MACER: the robustness term only where the smoothed top class is right and within the hinge', () => {
    const s = { gaussianSamples: 4, beta: 2, gamma: 8, lambda: 12 };
    const head = macerHead(labels, 3, s, 0.25);
    expect(worstGradientError(head, 20, 3, 2)).toBeLessThan(1e-3);
    // Every copy votes for class 2 with a large margin: input 2 is right (robustness term), the others wrong (none).
    const z = new Float32Array(20 * 3);
    for (let r = 0; r < 20; r++) z[r * 3 + 2] = 1;
    const out = head.evaluate(z, 20);
    expect(out.terms.robustness).toBeGreaterThan(0);
    const q = Math.exp(2) / (Math.exp(2) + 2); // mean softmax(beta z) of class 2, and of each other class:
    const other = 1 / (Math.exp(2) + 2);
    const expected = ((normalPpf(other) - normalPpf(q) + 8) * 0.25) / 2 / 5; // one input of five
    expect(out.terms.robustness).toBeCloseTo(expected, 6);
    // With gamma below the gap, the hinge drops it.
    expect(macerHead(labels, 3, { ...s, gamma: 0.5 }, 0.25).evaluate(z, 20).terms.robustness).toBe(0);
  });

  it('Consistency: with one copy the KL term vanishes and the entropy is the mean prediction’s', () => {
    const head = consistencyHead(labels, 3, { numNoiseVec: 2, lambda: 10, eta: 0.5 });
    expect(worstGradientError(head, 10, 3, 3)).toBeLessThan(1e-3);
    const one = consistencyHead(labels, 3, { numNoiseVec: 1, lambda: 10, eta: 0.5 });
    const z = Float32Array.from(uniforms(15, 4), (u) => u * 3);
    const out = one.evaluate(z, 5);
    expect(out.terms.consistency).toBeCloseTo(0, 14);
    const ce = crossEntropyHead(labels, 3).evaluate(z, 5);
    expect(out.terms.classification).toBeCloseTo(ce.loss, 12);
    expect(out.loss).toBeCloseTo(ce.loss + 0.5 * out.terms.entropy!, 12);
  });

  it('SmoothMix: the mixup term flows into the clean rows through the mean softmax; wrong inputs add nothing', () => {
    const lam = Float64Array.from([0.1, 0.25, 0.4, 0.05, 0.3]);
    const head = smoothMixHead(labels, 3, 2, lam, 2);
    expect(worstGradientError(head, 20, 3, 5, 2)).toBeLessThan(2e-3);
    // All clean rows say class 0: only inputs 0 and 3 are right; the mixed rows of the others get no gradient.
    const z = new Float32Array(20 * 3);
    for (let r = 0; r < 10; r++) z[r * 3] = 3;
    const { gradient } = head.evaluate(z, 20);
    for (const i of [1, 2, 4]) for (let j = 0; j < 2; j++) for (let k = 0; k < 3; k++) expect(gradient[(10 + i * 2 + j) * 3 + k]).toBe(0);
    expect(gradient.slice(30, 36).some((v) => v !== 0)).toBe(true);
  });
});
