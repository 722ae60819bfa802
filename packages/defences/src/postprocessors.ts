import { createNoiseGenerator, NOISE_STREAM, seedFromNumber, seedSchema, type Postprocessor } from '@rs/core';
import { z } from 'zod';
import { expf, logf, pairwiseSum, rintEven } from './numpy-float32.js';
import { checkBatch, intIn, parseDefenceOptions, positive } from './options.js';

const f32 = Math.fround;

/** `[batch, classes]` of a postprocessor's input, checked. */
function rowsOf(name: string, data: Float32Array, shape: readonly number[]): [number, number] {
  checkBatch(name, data, shape, [2], 'classifier outputs [batch, nbClasses]');
  return [shape[0]!, shape[1]!];
}

/**
 * ART's `ClassLabels`: one-hot rows of the top class (a 1-column output: 1 where above 0.5).
 * ART 1.20.1 marks in every row the top class of every row of the batch
 * (`class_labels[:, index_labels] = 1`), so its output depends on what else is in the batch;
 * here each row gets its own top class, which is ART's output for a batch of one row, and keeps
 * the smoothed classifier independent of the batch size. Gradient: BPDA.
 *
 * @example
 * (await classLabels().apply(new Float32Array([0.2, 0.8]), [1, 2])).data; // [0, 1]
 */
export function classLabels(): Postprocessor {
  return {
    name: 'ClassLabels',
    params: {},
    gradient: 'bpda',
    apply(data, shape) {
      const [rows, c] = rowsOf('ClassLabels', data, shape);
      const out = new Float32Array(data.length);
      for (let r = 0; r < rows; r++) {
        if (c === 1) {
          out[r] = data[r]! > 0.5 ? 1 : 0;
          continue;
        }
        let best = 0;
        for (let k = 1; k < c; k++) if (data[r * c + k]! > data[r * c + best]!) best = k;
        out[r * c + best] = 1;
      }
      return { data: out, shape: [...shape] };
    },
  };
}

const cutoffSchema = z.object({ cutoff: positive().default(0.25) }).strict();

/**
 * ART's `HighConfidence(cutoff=0.25)`: probabilities below `cutoff` become 0. Gradient: BPDA.
 *
 * @example
 * (await highConfidence({ cutoff: 0.3 }).apply(new Float32Array([0.2, 0.8]), [1, 2])).data; // [0, 0.8]
 */
export function highConfidence(options: z.input<typeof cutoffSchema> = {}): Postprocessor {
  const o = parseDefenceOptions(cutoffSchema, options, 'HighConfidence');
  const cutoff = f32(o.cutoff);
  return {
    name: 'HighConfidence',
    params: { cutoff: o.cutoff },
    gradient: 'bpda',
    apply(data, shape) {
      rowsOf('HighConfidence', data, shape);
      return { data: data.map((v) => (v < cutoff ? 0 : v)), shape: [...shape] };
    },
  };
}

const roundedSchema = z.object({ decimals: intIn(1, 30).default(3) }).strict();

/**
 * ART's `Rounded(decimals=3)`: `np.around(p, decimals)` in float32 (half to even). Gradient: BPDA.
 *
 * @example
 * (await rounded({ decimals: 2 }).apply(new Float32Array([0.123, 0.877]), [1, 2])).data; // ≈ [0.12, 0.88]
 */
export function rounded(options: z.input<typeof roundedSchema> = {}): Postprocessor {
  const o = parseDefenceOptions(roundedSchema, options, 'Rounded');
  const scale = f32(10 ** o.decimals);
  return {
    name: 'Rounded',
    params: { decimals: o.decimals },
    gradient: 'bpda',
    apply(data, shape) {
      rowsOf('Rounded', data, shape);
      return { data: data.map((v) => f32(rintEven(f32(v * scale)) / scale)), shape: [...shape] };
    },
  };
}

const reverseSigmoidSchema = z.object({ beta: positive().default(1), gamma: positive().default(0.1) }).strict();

/**
 * ART's `ReverseSigmoid(beta=1.0, gamma=0.1)` (Lee et al. 2019), in float32 with numpy's own
 * `exp` / `log` and pairwise row sums, as ART computes it:
 * `p - beta * (sigmoid(-gamma * log((1 - p') / p')) - 1/2)` (p' = p clipped to [1e-9, 1 - 1e-9]),
 * clipped to [0, 1] and renormalized (the binary form for one column). Gradient: BPDA (ART applies
 * no postprocessing in its gradients).
 *
 * @example
 * reverseSigmoid({ beta: 1, gamma: 0.1 }).apply(probs, [20, 10]);
 */
export function reverseSigmoid(options: z.input<typeof reverseSigmoidSchema> = {}): Postprocessor {
  const o = parseDefenceOptions(reverseSigmoidSchema, options, 'ReverseSigmoid');
  const beta = f32(o.beta);
  const negGamma = f32(-o.gamma);
  const clipMin = f32(1e-9);
  const clipMax = f32(1 - 1e-9);
  /** beta * (sigmoid(-gamma * log((1 - q) / q)) - 0.5) for a clipped probability q. */
  const perturbation = (q: number): number => {
    const z = f32(negGamma * logf(f32(f32(1 - q) / q)));
    const sigmoid = f32(1 / f32(1 + expf(-z)));
    return f32(beta * f32(sigmoid - 0.5));
  };
  const clip01 = (v: number) => Math.min(Math.max(v, 0), 1);
  return {
    name: 'ReverseSigmoid',
    params: { beta: o.beta, gamma: o.gamma },
    gradient: 'bpda',
    apply(data, shape) {
      const [rows, c] = rowsOf('ReverseSigmoid', data, shape);
      const out = new Float32Array(data.length);
      if (c === 1) {
        for (let r = 0; r < rows; r++) {
          const p = data[r]!;
          const q = Math.min(Math.max(p, clipMin), clipMax);
          const p1 = clip01(f32(p - perturbation(q)));
          const p2 = clip01(f32(f32(1 - p) - perturbation(f32(1 - q))));
          out[r] = f32(f32(1 / f32(p1 + p2)) * p1);
        }
        return { data: out, shape: [...shape] };
      }
      const perturbed = new Float32Array(c);
      for (let r = 0; r < rows; r++) {
        for (let k = 0; k < c; k++) {
          const p = data[r * c + k]!;
          perturbed[k] = clip01(f32(p - perturbation(Math.min(Math.max(p, clipMin), clipMax))));
        }
        const alpha = f32(1 / pairwiseSum(perturbed, 0, c));
        for (let k = 0; k < c; k++) out[r * c + k] = f32(alpha * perturbed[k]!);
      }
      return { data: out, shape: [...shape] };
    },
  };
}

const gaussianSchema = z.object({ scale: positive().default(0.2), seed: seedSchema.default(0) }).strict();

/** FNV-1a over the bits of a row, two 32-bit words: the row's noise id. */
function rowHash(data: Float32Array, start: number, n: number): [number, number] {
  const words = new Uint32Array(data.buffer, data.byteOffset + start * 4, n);
  let a = 0x811c9dc5;
  let b = 0x9e3779b9;
  for (let i = 0; i < n; i++) {
    a = Math.imul(a ^ words[i]!, 0x01000193) >>> 0;
    b = Math.imul(b ^ words[i]!, 0x5bd1e995) >>> 0;
    b = (b ^ (b >>> 15)) >>> 0;
  }
  return [a, b];
}

/** numpy's `is_probability` (art.utils): sums to 1 (rel. tol. 1e-3), all values in [0, 1]. */
function isProbability(data: Float32Array, start: number, n: number): boolean {
  const sum = pairwiseSum(data, start, n);
  let min = Infinity;
  let max = -Infinity;
  for (let k = 0; k < n; k++) {
    min = Math.min(min, data[start + k]!);
    max = Math.max(max, data[start + k]!);
  }
  return Math.abs(sum - 1) <= 1e-3 * Math.max(Math.abs(sum), 1) && max <= 1 && min >= 0;
}

/**
 * ART's `GaussianNoise(scale=0.2)`: adds N(0, scale^2) noise to the outputs; when every row is a
 * probability vector, negative values become 0 and rows are renormalized (one column: negatives
 * become 0), as ART. ART draws from numpy's global generator; here the noise of a row is Philox
 * noise keyed by `seed` and counted by a hash of the row's bits (stream `NOISE_STREAM.gaussianNoise`),
 * so the postprocessed classifier is a fixed function of its input and every run reproducible.
 * Same distribution as ART, not the same numbers. Gradient: BPDA.
 *
 * @example
 * gaussianNoise({ scale: 0.1, seed: 7 }).apply(probs, [20, 10]);
 */
export function gaussianNoise(options: z.input<typeof gaussianSchema> = {}): Postprocessor {
  const o = parseDefenceOptions(gaussianSchema, options, 'GaussianNoise');
  const seed = seedFromNumber(o.seed);
  const noise = createNoiseGenerator();
  return {
    name: 'GaussianNoise',
    params: { scale: o.scale, seed: String(o.seed) },
    gradient: 'bpda',
    apply(data, shape) {
      const [rows, c] = rowsOf('GaussianNoise', data, shape);
      const z = new Float32Array(data.length);
      for (let r = 0; r < rows; r++) {
        const [id, start] = rowHash(data, r * c, c);
        noise.fillStandardNormal(z, r * c, { seed, stream: NOISE_STREAM.gaussianNoise, inputIndex: id, sampleStart: start, sampleCount: 1, dim: c });
      }
      const out = data.map((v, i) => f32(v + o.scale * z[i]!));
      let probabilities = c > 1;
      for (let r = 0; r < rows && probabilities; r++) probabilities = isProbability(data, r * c, c);
      if (c === 1 || probabilities) for (let i = 0; i < out.length; i++) if (out[i]! < 0) out[i] = 0;
      if (probabilities) {
        for (let r = 0; r < rows; r++) {
          const sum = pairwiseSum(out, r * c, c);
          for (let k = 0; k < c; k++) out[r * c + k] = f32(out[r * c + k]! / sum);
        }
      }
      return { data: out, shape: [...shape] };
    },
  };
}
