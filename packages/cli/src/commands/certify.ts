import { checkSequentialBudget, isRsError, sequentialPlan, SEQUENTIAL_BOUNDS, type SequentialOptions } from '@rs/core';
import { z } from 'zod';
import { formatOptions, intFlag, numberFlag, parseCommandArgs } from '../cli/args.js';
import { CliError } from '../errors.js';
import { CERTIFY_HEADER, formatCertifyRow, formatTimedelta } from '../io/tsv.js';
import { RNG_ALGORITHM } from '../io/run-log.js';
import { analyzeTables } from '../analyze/certified-accuracy.js';
import { formatAnalysis } from '../analyze/format.js';
import { parseRadii } from '../analyze/radii.js';
import type { Command } from './command.js';
import { counterRange } from './noise-provenance.js';
import { runInputs, type InputRunner } from './run-inputs.js';
import { MAX_SAMPLES, SMOOTHING_RUN_OPTIONS, smoothingRunShape } from './smoothing-options.js';

/**
 * Default --group with --sequential: inputs per library call the scheduler fills model calls from.
 */
export const SEQUENTIAL_GROUP = 100;

const OPTIONS = {
  ...SMOOTHING_RUN_OPTIONS,
  n0: { type: 'string', help: 'selection samples per input (default 100); alias --N0', arg: 'N0' },
  norm: { type: 'string', help: 'norm of the certified radius: l2 (default), l1 or linf', arg: 'l1|l2|linf' },
  radius: {
    type: 'string',
    help: "certificate: one-sided (default, Cohen et al.'s CERTIFY) or top-two (runner-up bounded too; gaussian); with --sequential: the radius R to decide",
    arg: 'one-sided|top-two|R',
  },
  group: { type: 'string', help: `inputs per library call (default 1: rows stream out one by one; ${SEQUENTIAL_GROUP} with --sequential)`, arg: 'G' },
  sequential: { type: 'boolean', help: 'anytime-valid sequential certification, --n being the budget per input (with --radius R or --tolerance T)' },
  tolerance: {
    type: 'string',
    help: 'sequential budget mode: an input stops once the rest of its budget cannot raise its radius by more than T',
    arg: 'T',
  },
  bound: { type: 'string', help: 'sequential bound: clopper-pearson (default) or beta-binomial-mixture', arg: 'NAME' },
} as const;
const schema = z
  .object({
    ...smoothingRunShape,
    n0: intFlag(1, MAX_SAMPLES).default(100),
    norm: z.enum(['l1', 'l2', 'linf'], { error: "must be 'l1', 'l2' or 'linf'" }).default('l2'),
    // The certificate ('one-sided' | 'top-two'), or with --sequential the radius R to decide (a number).
    radius: z
      .union([z.enum(['one-sided', 'top-two']), numberFlag('a number >= 0', (v) => v >= 0)], {
        error: "must be 'one-sided', 'top-two', or with --sequential a radius R >= 0",
      })
      .optional(),
    // certify's own default: 1 input per library call, 100 with --sequential (its scheduler works across the inputs of a call)
    group: intFlag(1, 10_000).optional(),
    sequential: z.boolean().default(false),
    tolerance: numberFlag('a number > 0', (v) => v > 0).optional(),
    bound: z.enum(SEQUENTIAL_BOUNDS, { error: `must be ${SEQUENTIAL_BOUNDS.join(' or ')}` }).optional(),
  })
  .strict();

/**
 * The sequential options of `--sequential --radius R | --tolerance T [--bound B]`, or null without
 * `--sequential`; a CliError for flags that do not go together (`--radius` given a number is the
 * sequential radius R; `one-sided` / `top-two` name the certificate).
 */
export function sequentialFlags(v: {
  sequential: boolean;
  radius?: number | string | undefined;
  tolerance?: number | undefined;
  bound?: string | undefined;
}): SequentialOptions | null {
  const radius = typeof v.radius === 'number' ? v.radius : undefined;
  if (!v.sequential) {
    const stray = (['tolerance', 'bound'] as const).filter((k) => v[k] !== undefined).map((k) => `--${k}`);
    if (radius !== undefined) stray.unshift(`--radius ${radius} (a radius to decide)`);
    if (stray.length > 0) throw new CliError(`rsmooth certify: ${stray.join(', ')} need${stray.length === 1 ? 's' : ''} --sequential`, { code: 'RS_USAGE' });
    return null;
  }
  if ((radius === undefined) === (v.tolerance === undefined))
    throw new CliError('rsmooth certify: --sequential needs exactly one of --radius R (radius mode) or --tolerance T (budget mode)', { code: 'RS_USAGE' });
  const bound = (v.bound ?? 'clopper-pearson') as SequentialOptions['bound'];
  return radius !== undefined ? { radius, bound } : { tolerance: v.tolerance!, bound };
}

/**
 * The certify runner: Cohen et al.'s CERTIFY per input, a certify.py row and a provenance record
 * (counts, pA lower bound, radius norm, seed, noise id, timing).
 */
export function certifyRunner(
  n0: number,
  norm: 'l1' | 'l2' | 'linf' = 'l2',
  radiusMethod: 'one-sided' | 'top-two' = 'one-sided',
  sequential: SequentialOptions | null = null,
): InputRunner {
  return {
    command: 'certify',
    header: CERTIFY_HEADER,
    n0,
    norm,
    radiusMethod,
    formatRow: formatCertifyRow,
    ...(sequential
      ? {
          settings: {
            sequential: {
              mode: sequential.radius !== undefined ? 'radius' : 'budget',
              radius: sequential.radius ?? null,
              tolerance: sequential.tolerance ?? null,
              bound: sequential.bound ?? 'clopper-pearson',
            },
          },
          validate({ n, sigma, alpha, noise }) {
            // The radii that need the features per input (dim) are checked by core once the model is open.
            if (norm !== 'l1' && !(noise === 'gaussian' && norm === 'l2')) return;
            try {
              checkSequentialBudget(sequentialPlan(n, alpha, { sigma, noise, norm }, sequential), { sigma, noise, norm });
            } catch (err) {
              const msg = (err as Error).message.replace("'n'", '--n').replace("'sequential.radius'", '--radius');
              throw new CliError(`rsmooth certify --sequential: ${msg}`, { code: isRsError(err) ? err.code : 'RS_INVALID_ARG_VALUE', cause: err });
            }
          },
        }
      : {}),
    async run(model, x, ids, labels, ctx) {
      const t0 = performance.now();
      const startedAt = new Date().toISOString();
      const r = await model.certify(x, {
        n: ctx.n,
        norm,
        radius: radiusMethod,
        batchSize: ctx.batch,
        inputIds: ids,
        signal: ctx.signal,
        onProgress: (p) => ctx.onSamples((p.phase === 'estimation' ? ids.length * n0 : 0) + p.samplesDone),
        ...(sequential ? { sequential } : {}),
      });
      const seq = r.sequential;
      const seconds = (performance.now() - t0) / 1000 / ids.length;
      return Array.from(ids, (idx, i) => {
        const predict = r.prediction[i]!;
        const correct = predict === labels[i] ? 1 : 0;
        const samplesUsed = seq ? seq.samplesUsed[i]! : r.n;
        return {
          samples: n0 + samplesUsed,
          row: { idx, label: labels[i]!, predict, radius: r.radius[i]!, correct, time: formatTimedelta(seconds) },
          record: {
            type: 'certificate',
            idx,
            label: labels[i],
            prediction: predict,
            correct,
            radius: r.radius[i],
            norm: r.norm,
            radiusMethod: r.radiusMethod,
            dim: ctx.dim,
            ...(r.sound ? { sound: r.sound } : {}),
            pALower: r.pALower[i],
            ...(r.pBUpper ? { pBUpper: r.pBUpper[i] } : {}),
            selected: r.selected[i],
            nA: r.countSelected[i],
            n: r.n,
            n0: r.n0,
            samplesUsed,
            bound: seq ? seq.bound : 'clopper-pearson',
            ...(seq
              ? {
                  sequential: {
                    mode: seq.mode,
                    radius: seq.radius,
                    tolerance: seq.tolerance,
                    stopReason: seq.stopReason[i],
                    pAUpper: seq.pAUpper[i],
                    checkpointHits: seq.checkpointHits[i],
                  },
                }
              : {}),
            selectionCounts: Array.from(r.selectionCounts.subarray(i * model.nbClasses, (i + 1) * model.nbClasses)),
            estimationCounts: Array.from(r.estimationCounts.subarray(i * model.nbClasses, (i + 1) * model.nbClasses)),
            alpha: r.alpha,
            sigma: r.sigma,
            seed: r.seed.toString(),
            rng: RNG_ALGORITHM,
            noiseId: r.inputIds[i],
            counters: counterRange({ seed: r.seed.toString(), id: r.inputIds[i]!, dim: ctx.dim, samples: { selection: r.n0, estimation: samplesUsed } }),
            backend: ctx.backend,
            batch: ctx.batch,
            startedAt,
            seconds,
          },
        };
      });
    },
  };
}

/**
 * `rsmooth certify`: certify.py's TSV, resumable and shardable, with a JSON Lines provenance log.
 * With neither --model nor --data it runs the bundled default and prints the accuracy table.
 */
export const certifyCommand: Command = {
  name: 'certify',
  summary: "certify inputs (Cohen et al.'s CERTIFY), one certify.py row per input",
  options: OPTIONS,
  usage: () => `Usage: rsmooth certify --model M [--backend onnx] --data X [--labels Y] --sigma S [--noise gaussian|uniform|laplace]
                       [--norm l2|l1|linf] [--radius one-sided|top-two] [--n0 100] [--n 100000] [--alpha 0.001] [--batch 1000] [--seed K]
                       [--skip k] [--max m] [--shard i/N] [--out results.tsv]
                       [--sequential --radius R | --tolerance T [--bound clopper-pearson|beta-binomial-mixture]]

Certifies each selected input with Cohen et al.'s CERTIFY and appends one row per input to --out
(certify.py's format: idx, label, predict, radius, correct, time; radius 0 and predict -1 on abstain),
with each certificate's provenance (nA, n, n0, alpha, sigma, noise family, radius norm, pA lower
bound, seed, RNG, noise id, backend, device, model SHA-256, timing) in the JSON Lines log OUT.jsonl,
whose first line holds the run's settings.

Noise and norm (Yang et al. 2020, rs4a): --noise picks the family (sigma is its per-coordinate
standard deviation), --norm the threat model of the radius column: gaussian l2 sigma Phi^-1(pA),
uniform l1 2 sqrt(3) sigma (pA - 1/2), laplace l1 -(sigma / sqrt 2) ln(2 (1 - pA)), and the
conversions between norms of @rs/core's certifiedRadius. --radius top-two (Gaussian) bounds the
runner-up class too, alpha split in half between the two bounds: radius
sigma / 2 (Phi^-1(pA_lower) - Phi^-1(pB_upper)) (@rs/core's topTwoBounds states the theorem).
--sound (Voracek & Hein 2023): inputs must lie on the grid m / L (--sound-levels, default 255; data
off it are refused), noise is a discretized Gaussian drawn exactly from 64-bit integers and added in
integers, and pA_lower is lowered by the sampler's total-variation bound: certificates that hold in
floating point, for perturbations on the grid (@rs/core's src/sound/sound-radius.ts).

Resumable: rows are written and fsync'd as each input finishes; run the same command again and it
continues after the last complete row (a partial last line is dropped; other settings are refused).
Shardable: noise of input i comes from (seed, i), i its index in the data set, so --shard i/N runs
give exactly the rows of a single run (except the time column); join them with 'rsmooth merge'.

Input selection: --skip k keeps dataset indices 0, k, 2k, ... (certify.py's --skip); --max m keeps
the first m of those (counts inputs; certify.py compares --max with the dataset index instead);
--shard i/N keeps positions p (0-based, in that list) with p mod N = i.

Sequential (--sequential, anytime-valid): --n is the budget per input; each input's estimation
samples are drawn in rounds and it stops at the first checkpoint (a fixed sample-count schedule)
where the answer is known. --radius R: decide certification at R (certify once the lower bound of
pA gives radius >= R, give up once the upper bound cannot). --tolerance T: stop once abstaining is
certain or the rest of the budget cannot raise the radius by more than T. The radius column keeps
its meaning (sigma * Phi^-1 of the lower bound at the stop, valid with probability 1 - alpha
despite the data-dependent stopping); the log adds samplesUsed, the bound and why the input
stopped. --bound clopper-pearson (staged exact test, default) or beta-binomial-mixture (confidence
sequence). --group defaults to ${SEQUENTIAL_GROUP} inputs per call so model calls stay full.

With neither --model nor --data: the bundled default (a CNN trained by 'rsmooth train', 50
Fashion-MNIST test images; sigma 0.25, n 10000, clip 0:1), rows to stdout and the table after.

Options:
${formatOptions(OPTIONS)}`,
  async run(argv) {
    const { values } = parseCommandArgs('certify', argv, OPTIONS, schema);
    if (values.help) {
      process.stdout.write(`${certifyCommand.usage()}\n`);
      return 0;
    }
    const radiusMethod = typeof values.radius === 'string' ? values.radius : 'one-sided';
    if (radiusMethod === 'top-two' && values.noise !== 'gaussian')
      throw new CliError(`rsmooth certify: --radius top-two holds for Gaussian noise (Cohen et al.'s Theorem 1), not --noise ${values.noise}`);
    const sequential = sequentialFlags(values);
    if (radiusMethod === 'top-two' && sequential)
      throw new CliError(
        'rsmooth certify: --sequential cannot be combined with --radius top-two: the sequential bounds cover pA alone, not the runner-up (use the one-sided certificate)',
        { code: 'RS_SEQUENTIAL_UNSUPPORTED' },
      );
    const group = values.group ?? (sequential ? SEQUENTIAL_GROUP : 1);
    const summary = await runInputs({ ...values, group }, certifyRunner(values.n0, values.norm, radiusMethod, sequential));
    if (values.model === undefined && values.data === undefined) {
      const analysis = analyzeTables([{ name: 'bundled default', kind: 'certify', rows: summary.rows }], {
        radii: parseRadii('0:1:0.25'),
        alpha: values.alpha,
        rho: 0.001,
      });
      process.stdout.write(`\n${formatAnalysis(analysis, 'md')}\n`);
    }
    if (!values.quiet)
      process.stderr.write(
        `rsmooth certify: ${summary.rows.length - summary.resumedRows} inputs certified in ${summary.seconds.toFixed(1)} s${summary.out ? ` -> ${summary.out}` : ''}\n`,
      );
    return 0;
  },
};
