import { NOISE_KNOWN_ANSWER_SHA256, NOISE_STREAM, noiseSourceOf, sourceDigest } from '@rs/core';
import type { BackendModel } from '../backends/registry.js';
import { CliError } from '../errors.js';

/**
 * Which numbers a run's certificates are made of: the generator, its known-answer digest (see
 * `rsmooth selftest`), and per input the Philox counters it used.
 */
export interface NoiseProvenance {
  generator: string;
  /** SHA-256 known-answer digest of the generator (null when the backend draws noise on its device and exposes no host generator). */
  digest: string | null;
}

/**
 * Runs the known-answer self-test of the model's host noise generator before any sampling and
 * refuses a generator whose numbers differ from the stream layout's (exit status 1).
 */
export async function noiseProvenance(m: BackendModel): Promise<NoiseProvenance> {
  if (!m.generator?.fillStandard) return { generator: m.noiseGenerator, digest: null };
  const digest = await sourceDigest(noiseSourceOf(m.generator));
  if (digest !== NOISE_KNOWN_ANSWER_SHA256)
    throw new CliError(
      `the noise generator '${m.noiseGenerator}' failed its known-answer self-test (digest ${digest}, the layout's is ${NOISE_KNOWN_ANSWER_SHA256}): its numbers are not the documented ones, so no certificate is written; run 'rsmooth selftest'`,
      1,
    );
  return { generator: m.noiseGenerator, digest };
}

/**
 * The Philox4x32-10 counters (c0 block, c1 sample index, c2 input id, c3 stream) and key one input's
 * certificate or prediction used: sample ranges per stream, inclusive.
 */
export function counterRange(o: { seed: string; id: number; dim: number; samples: Partial<Record<'selection' | 'estimation' | 'predict', number>> }) {
  return {
    key: o.seed,
    c0Block: [0, Math.ceil(o.dim / 4) - 1],
    c2Input: o.id,
    streams: Object.entries(o.samples)
      .filter(([, count]) => count !== undefined && count > 0)
      .map(([phase, count]) => ({ c3: NOISE_STREAM[phase as 'selection' | 'estimation' | 'predict'], phase, c1Sample: [0, count! - 1] })),
  };
}
