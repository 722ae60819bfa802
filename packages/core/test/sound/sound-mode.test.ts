// The sound mode (Voracek & Hein, ICLR 2023): the paper's counterexample rebuilt against this
// library's float mode, its soundness on the linear classifier, and its refusals.
import { describe, expect, it } from 'vitest';
import { ANGLE_STEP, COS_COEFFS, SIN_COEFFS } from '../../src/noise/box-muller.js';
import { fromFunction, OffGridInputError, smooth } from '../../src/index.js';
import { binaryLinear, uniforms } from '../smoothing/helpers.js';

const fr = Math.fround;

/** cos and sin of the generator's angle with top-24-bit index `a` (the float32 code of box-muller.ts). */
function generatorAngle(a: number): [number, number] {
  const x = (a << 8) >>> 0;
  const n = (x + 0x20000000) | 0;
  const t = fr(fr(((x << 2) >> 10) + 0.5) * ANGLE_STEP);
  const z = fr(t * t);
  const sa = fr(t + fr(fr(t * z) * fr(SIN_COEFFS[0] + fr(z * fr(SIN_COEFFS[1] + fr(z * SIN_COEFFS[2]))))));
  const ca = fr(1 + fr(z * fr(-0.5 + fr(z * fr(COS_COEFFS[0] + fr(z * fr(COS_COEFFS[1] + fr(z * COS_COEFFS[2]))))))));
  const swap = (n & 0x40000000) !== 0;
  let c = swap ? sa : ca;
  let s = swap ? ca : sa;
  if ((n ^ (n << 1)) < 0) c = -c;
  if (n < 0) s = -s;
  return [c, s];
}

/** Whether (z0, z1) is exactly a Box-Muller pair of the generator: fl(r cos), fl(r sin) for some float32 r and angle. */
function isGeneratorPair(z0: number, z1: number): boolean {
  const turn = Math.atan2(z1, z0) / (2 * Math.PI);
  const a0 = Math.round((turn < 0 ? turn + 1 : turn) * 2 ** 24 - 0.5);
  for (let da = -2; da <= 2; da++) {
    const a = (a0 + da + 2 ** 24) % 2 ** 24;
    const [c, s] = generatorAngle(a);
    let r = fr(Math.abs(c) > Math.abs(s) ? z0 / c : z1 / s);
    const f32 = new Float32Array(1);
    const i32 = new Int32Array(f32.buffer);
    f32[0] = r;
    for (let dr = -3; dr <= 3; dr++) {
      i32[0] = new Int32Array(Float32Array.of(r).buffer)[0]! + dr;
      const rr = f32[0]!;
      if (rr > 0 && fr(rr * c) === z0 && fr(rr * s) === z1) return true;
    }
    r = 0;
  }
  return false;
}

const d = 16; // 8 Box-Muller pairs: features (4b, 4b + 1) and (4b + 2, 4b + 3)
const sigma = 0.5; // a power of two: 0 + fl(0.5 z) = z / 2 exactly
/**
 * The paper's kind of classifier: it reads the float bits of its input. Class 0 when every feature
 * pair, times 1 / sigma, is exactly a pair the Gaussian generator can output (what the classifier
 * sees at x = 0, where x + noise is the noise itself), class 1 otherwise. A rounding x + noise
 * almost never leaves such a pair.
 */
const floatReader = fromFunction({
  inputShape: [d],
  nbClasses: 2,
  predict: (x, batch) => {
    const out = new Float32Array(batch * 2);
    for (let i = 0; i < batch; i++) {
      let generator = true;
      for (let p = 0; p < d && generator; p += 2) generator = isGeneratorPair(x[i * d + p]! / sigma, x[i * d + p + 1]! / sigma);
      out[i * 2 + (generator ? 0 : 1)] = 1;
    }
    return out;
  },
});

describe('sound mode', () => {
  it("rebuilds Voracek & Hein's counterexample: float mode certifies a radius an adversarial example inside it breaks; sound mode does not", async () => {
    const x = new Float32Array(d); // on the grid (m = 0)
    const shift = fr(13 / 255); // x' = x + 13/255 in every feature: on the grid, at distance 0.204
    const xAdv = new Float32Array(d).fill(shift);
    const distance = Math.hypot(...xAdv);
    const opts = { scale: sigma, alpha: 0.001, sampleSize: 100, seed: 11 };
    const float = smooth(floatReader, opts);
    const cert = await float.certify(x, { n: 10_000 });
    const adv = await float.predictClasses(xAdv, { n: 1000 });
    console.log(
      `float mode: certified class ${cert.prediction[0]} radius ${cert.radius[0]!.toFixed(3)} at x = 0; at x' (distance ${distance.toFixed(3)}) the smoothed classifier predicts ${adv.prediction[0]} (counts ${Array.from(adv.counts)})`,
    );
    expect(cert.prediction[0]).toBe(0);
    expect(cert.radius[0]!).toBeGreaterThan(distance);
    expect(adv.prediction[0]).toBe(1); // broken: a certified radius of 1.6 and another class at 0.2

    const sound = smooth(floatReader, { ...opts, sound: true });
    const sCert = await sound.certify(x, { n: 10_000 });
    const sAdv = await sound.predictClasses(xAdv, { n: 1000 });
    console.log(
      `sound mode: class ${sCert.prediction[0]} radius ${sCert.radius[0]!.toFixed(3)} at x = 0 (pA_lower ${sCert.pALower[0]!.toFixed(5)}, d tv ${sCert.sound!.tvBound.toExponential(1)}); at x' it predicts ${sAdv.prediction[0]}`,
    );
    expect(sCert.sound).toEqual({ levels: 255, tvBound: expect.any(Number) });
    // the sound certificate (here: class 1, the generator's raw output never reaches the classifier) holds at the adversarial grid point
    expect(sCert.radius[0]!).toBeGreaterThan(distance);
    expect(sAdv.prediction[0]).toBe(sCert.prediction[0]);
  });

  it('is sound on the linear classifier at grid points (radius above the exact distance in at most about alpha)', async () => {
    const w = Array.from(uniforms(8, 5), (u) => u * 2 - 1);
    const norm = Math.hypot(...w);
    const count = 200;
    const x = Float32Array.from(uniforms(count * 8, 6), (u) => fr(Math.round(u * 255) / 255));
    const alpha = 0.05;
    const g = smooth(binaryLinear(w, -0.3), { scale: 0.25, alpha, sampleSize: 64, seed: 4, sound: true });
    const r = await g.certify(x, { n: 2000, batchSize: 4096 });
    let certified = 0;
    let violations = 0;
    for (let i = 0; i < count; i++) {
      if (r.prediction[i] === -1) continue;
      certified++;
      const margin = x.subarray(i * 8, (i + 1) * 8).reduce((a, v, f) => a + v * w[f]!, 0) - 0.3;
      if (r.prediction[i] !== (margin > 0 ? 1 : 0) || r.radius[i]! > Math.abs(margin) / norm) violations++;
    }
    console.log(`sound mode, linear classifier: ${violations} of ${certified} certificates above the exact distance (alpha ${alpha})`);
    expect(certified).toBeGreaterThan(count / 2);
    expect(violations).toBeLessThanOrEqual(alpha * certified + 3 * Math.sqrt(certified * alpha * (1 - alpha)));
  });

  it('refuses inputs off the declared grid with a named error, and non-Gaussian noise', async () => {
    const g = smooth(binaryLinear([1, 1], 0), { scale: 0.25, sound: { levels: 100 } });
    const err = await g.certify(Float32Array.of(0.5, 0.333), { n: 100 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OffGridInputError);
    expect(err).toMatchObject({ name: 'OffGridInputError', input: 0, feature: 1, levels: 100 });
    await expect(g.predictClasses(Float32Array.of(0.5, 0.34, 0.2, 0.201), { n: 100 })).rejects.toThrow(
      /input 1, feature 1: .* is not on the sound mode's grid m \/ 100/,
    );
    await expect(g.certify(Float32Array.of(0.5, 0.34), { n: 100 })).resolves.toBeDefined();
    expect(() => smooth(binaryLinear([1, 1], 0), { scale: 0.25, sound: true, noise: 'laplace' })).toThrow(/'sound' needs Gaussian noise/);
    expect(() => smooth(binaryLinear([1, 1], 0), { scale: 0.25, sound: { levels: 0 } })).toThrow(/'sound.levels' must be an integer in \[1, 65535\]/);
  });
});
