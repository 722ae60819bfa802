import { RsRangeError, RsTypeError } from '../errors.js';
/**
 * The noise self-test (`rsmooth selftest`): known answers and distribution tests of every noise
 * source, so that a certificate can say which numbers produced it (Dahiya, Shumailov & Anderson 2024
 * shifted radii 81x with a generator that passed NIST's tests; a known answer catches that, the
 * distribution tests catch a broken transform).
 */
import { NOISE_FAMILIES, type NoiseFamily } from '../noise/families.js';
import type { NoiseRequest } from '../noise/stream-layout.js';
import type { NoiseGenerator } from '../noise/types.js';
import { familyCdf, familyMoments } from './family-distributions.js';
import { type KnownAnswerFill, knownAnswerDigest, NOISE_KNOWN_ANSWER_SHA256, PHILOX_KAT, philoxKnownAnswers } from './known-answer.js';
import { chiSquarePValue, kolmogorovPValue, normalTwoSidedPValue } from './test-statistics.js';

/**
 * A source of noise to test: the unit-variance values of `req.family` (a core generator's
 * `fillStandard`, or a device kernel), and, for the known-answer digest, fused noisy copies.
 *
 * @example
 * const source = noiseSourceOf(createWasmNoiseGenerator());
 */
export interface NoiseSource {
  readonly name: string;
  fill(out: Float32Array, req: NoiseRequest): void | Promise<void>;
  /** Noisy copies as `NoiseGenerator.fillNoisy` makes them (offset 0); absent: the digest covers only `fill`'s requests, with the noisy ones left as zeros. */
  fillNoisy?(out: Float32Array, req: NoiseRequest, base: Float32Array, scale: number, clip: { min: Float32Array; max: Float32Array }): void | Promise<void>;
}

/**
 * A core {@link NoiseGenerator} as a {@link NoiseSource}.
 *
 * @example
 * await runNoiseSelfTest([noiseSourceOf(createJsNoiseGenerator()), noiseSourceOf(createWasmNoiseGenerator())]);
 */
export function noiseSourceOf(gen: NoiseGenerator): NoiseSource {
  if (!gen.fillStandard)
    throw new RsTypeError('RS_INVALID_ARG_TYPE', `the noise generator '${gen.name}' has no fillStandard: it cannot be self-tested per family`);
  return {
    name: gen.name,
    fill: (out, req) => gen.fillStandard!(out, 0, req),
    fillNoisy: (out, req, base, scale, clip) => gen.fillNoisy(out, 0, req, base, 0, scale, clip),
  };
}

/** The known-answer digest of a source (see `knownAnswerDigest`). @example await sourceDigest(noiseSourceOf(gen)) === NOISE_KNOWN_ANSWER_SHA256 */
export function sourceDigest(source: NoiseSource): Promise<string> {
  const fill: KnownAnswerFill = (out, req, noisy) =>
    noisy ? (source.fillNoisy ? source.fillNoisy(out, req, noisy.base, noisy.scale, noisy.clip) : undefined) : source.fill(out, req);
  return knownAnswerDigest(fill);
}

/** Options of {@link runNoiseSelfTest}. */
export interface NoiseSelfTestOptions {
  /** Draws per family and source (default 10^7). */
  draws?: number;
  /** Families to test (default all). */
  families?: readonly NoiseFamily[];
  /** Philox key of the distribution tests (default 20241117). */
  seed?: bigint;
  /** A test fails when its p-value is below this (default 1e-5). */
  threshold?: number;
  onProgress?: (p: { source: string; family: NoiseFamily; drawsDone: number; draws: number }) => void;
}

/** One line of the report. */
export interface NoiseSelfTestRow {
  /** Source name ('philox4x32' for the generator-independent Philox vectors). */
  source: string;
  family: NoiseFamily | null;
  test: string;
  /** The statistic, as text. */
  value: string;
  pValue: number | null;
  pass: boolean;
}

/** What {@link runNoiseSelfTest} found. */
export interface NoiseSelfTestReport {
  pass: boolean;
  rows: NoiseSelfTestRow[];
  /** Known-answer digest per source (equal to NOISE_KNOWN_ANSWER_SHA256 when it follows the layout). */
  digests: Record<string, string>;
  draws: number;
  threshold: number;
  seed: bigint;
}

const DIM = 1000;
const ROWS = 1000;
const FINE_BINS = 1 << 20;
const CHI_BINS = 1024;
const LAGS = [1, 2, 3, 4, DIM];

/** Streaming statistics of one (source, family). */
class Accumulator {
  readonly hist = new Uint32Array(FINE_BINS);
  readonly power = new Float64Array(5); // sums of x^k, k = 1..4
  readonly lag = new Float64Array(LAGS.length);
  readonly lagPairs = new Float64Array(LAGS.length);
  cross = 0;
  crossPairs = 0;
  n = 0;
  h1 = 0x811c9dc5;
  h2 = 0x01000193;
  private prev: Float32Array | null = null;

  constructor(private readonly cdf: (x: number) => number) {}

  add(x: Float32Array): void {
    const { hist, power } = this;
    const cdf = this.cdf;
    const bits = new Uint32Array(x.buffer, x.byteOffset, x.length);
    let h1 = this.h1;
    let h2 = this.h2;
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      const u = cdf(v);
      const b = Math.floor(u * FINE_BINS);
      hist[b < 0 ? 0 : b >= FINE_BINS ? FINE_BINS - 1 : b]!++;
      const v2 = v * v;
      power[1]! += v;
      power[2]! += v2;
      power[3]! += v2 * v;
      power[4]! += v2 * v2;
      const w = bits[i]!;
      h1 = Math.imul(h1 ^ w, 0x01000193);
      h2 = Math.imul(h2 ^ (w >>> 16) ^ (w << 16), 0x5bd1e995) ^ (h2 >>> 13);
    }
    this.h1 = h1;
    this.h2 = h2;
    LAGS.forEach((lag, j) => {
      let s = 0;
      for (let i = 0; i + lag < x.length; i++) s += x[i]! * x[i + lag]!;
      this.lag[j]! += s;
      this.lagPairs[j]! += x.length - lag;
    });
    if (this.prev) {
      let s = 0;
      for (let i = 0; i < x.length; i++) s += x[i]! * this.prev[i]!;
      this.cross += s;
      this.crossPairs += x.length;
    }
    this.prev = x.slice();
    this.n += x.length;
  }

  /** Kolmogorov-Smirnov D over the fine bins (within 1 / 2^20 of the exact D). */
  ks(): number {
    let c = 0;
    let d = 0;
    for (let j = 0; j < FINE_BINS; j++) {
      c += this.hist[j]!;
      d = Math.max(d, Math.abs(c / this.n - (j + 1) / FINE_BINS));
    }
    return d;
  }

  chiSquare(): number {
    const per = FINE_BINS / CHI_BINS;
    const expected = this.n / CHI_BINS;
    let stat = 0;
    for (let k = 0; k < CHI_BINS; k++) {
      let c = 0;
      for (let j = k * per; j < (k + 1) * per; j++) c += this.hist[j]!;
      stat += (c - expected) ** 2 / expected;
    }
    return stat;
  }

  hash(): string {
    return `${(this.h1 >>> 0).toString(16).padStart(8, '0')}${(this.h2 >>> 0).toString(16).padStart(8, '0')}`;
  }
}

/**
 * Runs the noise self-test on each source: Random123's Philox known-answer vectors (once), each
 * source's known-answer digest (must equal NOISE_KNOWN_ANSWER_SHA256), and per family, on `draws`
 * values (rows of 1000 from consecutive input ids): Kolmogorov-Smirnov and chi-square (1024
 * equiprobable bins) against the family's exact CDF, the first four raw moments (z-scores with the
 * family's exact variances), correlations at lags 1-4 (within and across Box-Muller pairs and
 * Philox blocks), at lag 1000 (the next sample index) and between consecutive input ids, and that
 * the values are bitwise those of the first source. A test fails when its p-value is below
 * `threshold`; `pass` is false when any test fails.
 *
 * @example
 * const report = await runNoiseSelfTest([noiseSourceOf(createJsNoiseGenerator()), noiseSourceOf(createWasmNoiseGenerator())], { draws: 1e6 });
 * if (!report.pass) process.exitCode = 1;
 */
export async function runNoiseSelfTest(sources: readonly NoiseSource[], options: NoiseSelfTestOptions = {}): Promise<NoiseSelfTestReport> {
  const draws = options.draws ?? 10_000_000;
  const threshold = options.threshold ?? 1e-5;
  const seed = options.seed ?? 20241117n;
  const families = options.families ?? NOISE_FAMILIES;
  if (!Number.isInteger(draws) || draws < ROWS * DIM)
    throw new RsRangeError('RS_INVALID_ARG_VALUE', `'draws' must be an integer >= ${ROWS * DIM}, got ${draws}`);
  if (!(threshold > 0 && threshold < 1)) throw new RsRangeError('RS_INVALID_ARG_VALUE', `'threshold' must be in (0, 1), got ${threshold}`);
  if (sources.length === 0) throw new RsRangeError('RS_INVALID_ARG_VALUE', 'give at least one noise source');
  const rows: NoiseSelfTestRow[] = [];
  const katOk = philoxKnownAnswers();
  rows.push({
    source: 'philox4x32',
    family: null,
    test: 'Random123 known-answer vectors',
    value: `${katOk}/${PHILOX_KAT.length}`,
    pValue: null,
    pass: katOk === PHILOX_KAT.length,
  });
  const digests: Record<string, string> = {};
  const reference: Partial<Record<NoiseFamily, string>> = {};
  const chunks = Math.ceil(draws / (ROWS * DIM));
  for (const source of sources) {
    const digest = await sourceDigest(source);
    digests[source.name] = digest;
    rows.push({
      source: source.name,
      family: null,
      test: 'known-answer digest (SHA-256)',
      value: digest.slice(0, 16),
      pValue: null,
      pass: digest === NOISE_KNOWN_ANSWER_SHA256,
    });
    for (const family of families) {
      const acc = new Accumulator(familyCdf(family));
      const out = new Float32Array(ROWS * DIM);
      for (let c = 0; c < chunks; c++) {
        await source.fill(out, { seed, stream: 1, inputIndex: c, sampleStart: 0, sampleCount: ROWS, dim: DIM, family });
        acc.add(out);
        options.onProgress?.({ source: source.name, family, drawsDone: (c + 1) * ROWS * DIM, draws: chunks * ROWS * DIM });
      }
      const add = (test: string, value: string, pValue: number | null, pass = pValue === null || pValue >= threshold) =>
        rows.push({ source: source.name, family, test, value, pValue, pass });
      const n = acc.n;
      const d = acc.ks();
      add(`Kolmogorov-Smirnov (${n.toExponential(0)} draws)`, `D = ${d.toExponential(3)}`, kolmogorovPValue(d, n));
      const chi = acc.chiSquare();
      add(`chi-square (${CHI_BINS} bins, ${CHI_BINS - 1} df)`, chi.toFixed(1), chiSquarePValue(chi, CHI_BINS - 1));
      const mu = familyMoments(family);
      for (let k = 1; k <= 4; k++) {
        const mean = acc.power[k]! / n;
        const se = Math.sqrt((mu[2 * k]! - mu[k]! ** 2) / n);
        add(`E[x^${k}] (exact ${mu[k]})`, mean.toFixed(6), normalTwoSidedPValue((mean - mu[k]!) / se));
      }
      LAGS.forEach((lag, j) => {
        const r = acc.lag[j]! / acc.lagPairs[j]!;
        add(
          lag === DIM ? 'correlation, next sample index' : `correlation, lag ${lag}`,
          r.toExponential(2),
          normalTwoSidedPValue(r * Math.sqrt(acc.lagPairs[j]!)),
        );
      });
      if (acc.crossPairs > 0) {
        const r = acc.cross / acc.crossPairs;
        add('correlation, next input id', r.toExponential(2), normalTwoSidedPValue(r * Math.sqrt(acc.crossPairs)));
      }
      const hash = acc.hash();
      reference[family] ??= hash;
      add(`bitwise equal to ${sources[0]!.name}`, hash, null, hash === reference[family]);
    }
  }
  return { pass: rows.every((r) => r.pass), rows, digests, draws: chunks * ROWS * DIM, threshold, seed };
}
