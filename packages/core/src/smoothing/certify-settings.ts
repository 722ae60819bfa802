import type { ParsedCertifyOptions } from '../options/run-options.js';
import type { SamplingContext } from '../sampling/noisy-batches.js';
import type { CertifyResult } from './certify.js';
import type { SmoothingConfig } from './smoothing-config.js';

/** The settings a {@link CertifyResult} records beside its certificates. */
export type CertifySettings = Pick<CertifyResult, 'n' | 'n0' | 'alpha' | 'sigma' | 'noise' | 'norm' | 'radiusMethod' | 'sound' | 'seed' | 'inputIds'>;

/**
 * The settings every certify result records, fixed n and sequential alike (one place, so that both
 * record the same evidence and a reader can recompute either).
 */
export function certifySettings(config: SmoothingConfig, o: ParsedCertifyOptions, ctx: SamplingContext, seed: bigint, inputIds: Uint32Array): CertifySettings {
  const { alpha, sampleSize: n0, scale: sigma, noise } = config.options;
  return {
    n: o.n,
    n0,
    alpha,
    sigma,
    noise,
    norm: o.norm,
    radiusMethod: o.radius,
    sound: ctx.sound ? { levels: ctx.sound.table.levels, tvBound: config.dim * ctx.sound.table.tv } : null,
    seed,
    inputIds,
  };
}
