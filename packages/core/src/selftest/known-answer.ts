import { RsError } from '../errors.js';
/**
 * Known answers of the noise: Random123's Philox4x32-10 vectors, and a digest of what a generator
 * draws for a fixed set of requests in every family (standard values and fused noisy copies), which
 * any generator that follows the layout reproduces bit for bit.
 */
import { NOISE_FAMILIES } from '../noise/families.js';
import { philox4x32 } from '../noise/philox.js';
import type { NoiseRequest } from '../noise/stream-layout.js';

/**
 * Philox4x32-10 known-answer vectors (counter c0..c3, key k0 k1 -> x0..x3) from the Random123 1.14
 * distribution (tests/kat_vectors; Salmon et al., SC 2011); the same lines as
 * test/noise/philox4x32-10.kat.json.
 */
export const PHILOX_KAT: ReadonlyArray<{ counter: readonly number[]; key: readonly number[]; expected: readonly number[] }> = Object.freeze([
  { counter: [0, 0, 0, 0], key: [0, 0], expected: [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8] },
  {
    counter: [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff],
    key: [0xffffffff, 0xffffffff],
    expected: [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd],
  },
  {
    counter: [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344],
    key: [0xa4093822, 0x299f31d0],
    expected: [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1],
  },
]);

/**
 * How many Random123 vectors `philox4x32` reproduces (all of them: PHILOX_KAT.length).
 *
 * @example
 * philoxKnownAnswers() === PHILOX_KAT.length;
 */
export function philoxKnownAnswers(): number {
  let ok = 0;
  for (const v of PHILOX_KAT) {
    const got = philox4x32([...v.counter], [...v.key]);
    if (v.expected.every((w, i) => got[i] === w)) ok++;
  }
  return ok;
}

/** What a noise source must do for the known-answer digest: fill `out` with `req`'s values, noisy copies when `noisy` is given. */
export type KnownAnswerFill = (
  out: Float32Array,
  req: NoiseRequest,
  noisy?: { base: Float32Array; scale: number; clip: { min: Float32Array; max: Float32Array } },
) => void | Promise<void>;

const KAT_DIM = 787; // not a multiple of 4: exercises the truncated last block
const KAT_ROWS = 128; // 100,736 values per request: large enough to be split over 3 worker threads

/**
 * The requests of the known-answer digest, in order: for each family, the standard values of one
 * request, then fused noisy copies (base a ramp in [0, 1], scale 0.3, clipped to [0.05, 0.95]).
 *
 * @example
 * knownAnswerRequests().length; // 6
 */
export function knownAnswerRequests(): Array<{ req: NoiseRequest; noisy: boolean }> {
  return NOISE_FAMILIES.flatMap((family, i) => [
    { req: { seed: 0x0123456789abcdefn, stream: 1, inputIndex: 7 + i, sampleStart: 5, sampleCount: KAT_ROWS, dim: KAT_DIM, family }, noisy: false },
    { req: { seed: 0xfedcba9876543210n, stream: 4, inputIndex: 70_000 + i, sampleStart: 1_000_000, sampleCount: KAT_ROWS, dim: KAT_DIM, family }, noisy: true },
  ]);
}

/**
 * SHA-256 (hex) of the float32 bytes a noise source draws for {@link knownAnswerRequests}: the
 * source's self-test digest. Every source that follows the stream layout gives
 * {@link NOISE_KNOWN_ANSWER_SHA256}; a different digest means different numbers.
 *
 * @example
 * const digest = await knownAnswerDigest((out, req, noisy) => noisy
 *   ? gen.fillNoisy(out, 0, req, noisy.base, 0, noisy.scale, noisy.clip) : gen.fillStandard(out, 0, req));
 */
export async function knownAnswerDigest(fill: KnownAnswerFill): Promise<string> {
  const requests = knownAnswerRequests();
  const per = KAT_ROWS * KAT_DIM;
  const all = new Float32Array(requests.length * per);
  const base = Float32Array.from({ length: KAT_DIM }, (_, f) => f / (KAT_DIM - 1));
  const clip = { min: new Float32Array(KAT_DIM).fill(0.05), max: new Float32Array(KAT_DIM).fill(0.95) };
  for (let r = 0; r < requests.length; r++) {
    const out = all.subarray(r * per, (r + 1) * per);
    await fill(out, requests[r]!.req, requests[r]!.noisy ? { base, scale: 0.3, clip } : undefined);
  }
  const subtle = (globalThis as unknown as { crypto?: { subtle?: { digest(alg: string, data: Uint8Array): Promise<ArrayBuffer> } } }).crypto?.subtle;
  if (!subtle) throw new RsError('RS_UNSUPPORTED_RUNTIME', 'knownAnswerDigest needs WebCrypto (globalThis.crypto.subtle: Node >= 19 or a browser)');
  const hash = new Uint8Array(await subtle.digest('SHA-256', new Uint8Array(all.buffer)));
  return Array.from(hash, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The known-answer digest of the stream layout (JS reference, WASM, threaded and WGSL generators
 * alike); it changes only when the layout does.
 */
export const NOISE_KNOWN_ANSWER_SHA256 = '2cdf0756c507581b9d31d8941eef19249baa2182770a63b90f63667f4e56221c';
