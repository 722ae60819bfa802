import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { describeDefence, type EnsembleCombine, type Postprocessor, type Preprocessor } from '@rs/core';
import { postprocessorFromRecord, postprocessorFromSpec, preprocessorFromRecord, preprocessorFromSpec } from '@rs/defences';
import { z } from 'zod';
import type { OptionSpec } from '../cli/args.js';
import { CliError } from '../errors.js';

/**
 * The flags that build the base classifier from parts: ART's defences, a denoiser in front,
 * an ensemble. Shared by `certify` and `predict`; spread into their option tables.
 */
export const COMPOSITION_OPTIONS: OptionSpec = {
  'preprocessing-defence': {
    type: 'string',
    multiple: true,
    help: 'ART preprocessing defence applied to the noisy inputs, repeatable, in order (e.g. feature-squeezing:bit=4; see @rs/defences)',
    arg: 'SPEC',
  },
  'postprocessing-defence': {
    type: 'string',
    multiple: true,
    help: 'ART postprocessing defence on the probabilities, repeatable (e.g. rounded:decimals=2)',
    arg: 'SPEC',
  },
  'clip-noisy': { type: 'boolean', help: 'clip the noisy copies to --clip too (needed by jpeg-compression)' },
  denoiser: { type: 'string', help: 'image-to-image model in front of the classifier (denoised smoothing), e.g. denoiser.onnx', arg: 'PATH' },
  ensemble: { type: 'string', help: 'comma-separated models whose combination is the base classifier (instead of --model)', arg: 'A,B,...' },
  combine: { type: 'string', help: 'how --ensemble combines: mean-softmax (default), mean-logits or vote', arg: 'HOW' },
};

/**
 * zod schema of {@link COMPOSITION_OPTIONS}.
 */
export const compositionShape = {
  'preprocessing-defence': z.array(z.string().min(1)).default([]),
  'postprocessing-defence': z.array(z.string().min(1)).default([]),
  'clip-noisy': z.boolean().default(false),
  denoiser: z.string().min(1).optional(),
  ensemble: z
    .string()
    .transform((s) => s.split(',').map((p) => p.trim()))
    .refine((parts) => parts.length >= 2 && parts.every((p) => p.length > 0), { error: 'must list at least two model files, comma-separated' })
    .optional(),
  combine: z.enum(['mean-softmax', 'mean-logits', 'vote'], { error: "must be 'mean-softmax', 'mean-logits' or 'vote'" }).default('mean-softmax'),
};

/** The composition flags, parsed. */
export type CompositionFlags = z.output<z.ZodObject<typeof compositionShape>>;

/** What a backend needs to build the composed base classifier. */
export interface Composition {
  preprocessingDefences: Preprocessor[];
  postprocessingDefences: Postprocessor[];
  clipNoisy: boolean;
  denoiser?: string;
  ensemble?: { models: string[]; combine: EnsembleCombine };
}

function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/**
 * Builds the composition from the flags (defences from their specs, with `--clip` and
 * channels-first as defaults) and the part of the run settings that records it: present only
 * when used, so logs of runs without it are unchanged and resume checks compare it.
 */
export function resolveComposition(
  cmd: string,
  f: CompositionFlags,
  clip: [number, number] | undefined,
): { composition: Composition; settings: Record<string, unknown> } {
  const defaults = { ...(clip ? { clipValues: clip } : {}), channelsFirst: true };
  const build = <T>(specs: string[], flag: string, make: (s: string) => T): T[] =>
    specs.map((s) => {
      try {
        return make(s);
      } catch (err) {
        throw new CliError(`rsmooth ${cmd}: --${flag} ${JSON.stringify(s)}: ${(err as Error).message}`);
      }
    });
  const pre = build(f['preprocessing-defence'], 'preprocessing-defence', (s) => preprocessorFromSpec(s, defaults));
  const post = build(f['postprocessing-defence'], 'postprocessing-defence', (s) => postprocessorFromSpec(s, defaults));
  if (f['clip-noisy'] && !clip) throw new CliError(`rsmooth ${cmd}: --clip-noisy needs --clip (the domain to clip the noisy copies to)`);
  for (const path of [f.denoiser, ...(f.ensemble ?? [])]) {
    if (path !== undefined && !existsSync(path)) throw new CliError(`rsmooth ${cmd}: model file not found: ${path}`);
  }
  const composition: Composition = { preprocessingDefences: pre, postprocessingDefences: post, clipNoisy: f['clip-noisy'] };
  const settings: Record<string, unknown> = {};
  if (pre.length > 0) settings.preprocessingDefences = pre.map(describeDefence);
  if (post.length > 0) settings.postprocessingDefences = post.map(describeDefence);
  if (f['clip-noisy']) settings.clipNoisy = true;
  if (f.denoiser !== undefined) {
    composition.denoiser = f.denoiser;
    settings.denoiserSha256 = sha256File(f.denoiser);
  }
  if (f.ensemble !== undefined) {
    composition.ensemble = { models: f.ensemble, combine: f.combine };
    settings.ensemble = { combine: f.combine, modelSha256: f.ensemble.map(sha256File) };
  }
  return { composition, settings };
}

/**
 * The composition a queued run's settings describe, for a worker: the defences rebuilt from their
 * records, `clipNoisy`. (A denoiser or an ensemble does not go on the queue: its files would have
 * to reach every worker; the submitter refuses them.)
 */
export function compositionFromSettings(settings: {
  preprocessingDefences?: unknown[] | undefined;
  postprocessingDefences?: unknown[] | undefined;
  clipNoisy?: boolean | undefined;
}): Composition {
  return {
    preprocessingDefences: (settings.preprocessingDefences ?? []).map(preprocessorFromRecord),
    postprocessingDefences: (settings.postprocessingDefences ?? []).map(postprocessorFromRecord),
    clipNoisy: settings.clipNoisy === true,
  };
}

/**
 * The smoothing options a composition adds (defences, `clipNoisy`), for a backend's `create`; a
 * denoiser or an ensemble (built by the onnx backend only) is refused with the backend's name.
 */
export function compositionOptions(c: Composition | undefined, backend: string): Record<string, unknown> {
  if (!c) return {};
  if (c.denoiser !== undefined || c.ensemble !== undefined) {
    throw new CliError(`--denoiser and --ensemble run on the onnx backend; --backend ${backend} takes one model`, { code: 'RS_USAGE' });
  }
  return {
    ...(c.clipNoisy ? { clipNoisy: true } : {}),
    ...(c.preprocessingDefences.length > 0 ? { preprocessingDefences: c.preprocessingDefences } : {}),
    ...(c.postprocessingDefences.length > 0 ? { postprocessingDefences: c.postprocessingDefences } : {}),
  };
}
