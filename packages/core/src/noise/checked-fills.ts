import { RsRangeError } from '../errors.js';
import { NOISE_FAMILIES } from './families.js';
import { checkNoisyArgs, checkOutput, validateNoiseRequest, type NoiseRequest } from './stream-layout.js';
import type { ClipBounds, NoiseGenerator } from './types.js';

/**
 * What a generator backend does once a request is validated: write `req.sampleCount * req.dim`
 * values at `out[outOffset..]`, noisy copies of `base[baseOffset..]` (clipped when `clip` is given)
 * when `base` is not null, else unit-variance values. `k0`, `k1` are the seed's two key words,
 * `family` the layout id of `req.family` (0 Gaussian, 1 uniform, 2 Laplace).
 */
export type NoiseDraw = (
  out: Float32Array,
  outOffset: number,
  req: NoiseRequest,
  k0: number,
  k1: number,
  base: Float32Array | null,
  baseOffset: number,
  scale: number,
  clip: ClipBounds | undefined,
  family: number,
) => void;

/**
 * The two fill methods of a {@link NoiseGenerator}, validating every argument (the same errors for
 * every backend) before handing the request to the backend's `draw`.
 */
export function checkedFills(
  draw: NoiseDraw,
): Pick<NoiseGenerator, 'fillStandardNormal' | 'fillNoisy' | 'families'> & Required<Pick<NoiseGenerator, 'fillStandard'>> {
  const fillStandard = (out: Float32Array, outOffset: number, req: NoiseRequest): void => {
    const { k0, k1, family } = validateNoiseRequest(req);
    checkOutput(out, outOffset, req.sampleCount * req.dim);
    draw(out, outOffset, req, k0, k1, null, 0, 1, undefined, family);
  };
  return {
    families: NOISE_FAMILIES,
    fillStandard,
    fillStandardNormal(out: Float32Array, outOffset: number, req: NoiseRequest): void {
      if (req !== null && typeof req === 'object' && req.family !== undefined && req.family !== 'gaussian') {
        throw new RsRangeError(
          'RS_INVALID_ARG_VALUE',
          `fillStandardNormal draws Gaussian noise, but the request asks for family '${String(req.family)}': use fillStandard`,
        );
      }
      fillStandard(out, outOffset, req);
    },
    fillNoisy(out: Float32Array, outOffset: number, req: NoiseRequest, base: Float32Array, baseOffset: number, scale: number, clip?: ClipBounds): void {
      const { k0, k1, family } = validateNoiseRequest(req);
      checkOutput(out, outOffset, req.sampleCount * req.dim);
      checkNoisyArgs(base, baseOffset, req.dim, scale, clip);
      draw(out, outOffset, req, k0, k1, base, baseOffset, scale, clip, family);
    },
  };
}
