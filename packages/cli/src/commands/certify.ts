import { z } from 'zod';
import { formatOptions, intFlag, parseCommandArgs } from '../cli/args.js';
import { CERTIFY_HEADER, formatCertifyRow, formatTimedelta } from '../io/tsv.js';
import { RNG_ALGORITHM } from '../io/run-log.js';
import { analyzeTables } from '../analyze/certified-accuracy.js';
import { formatAnalysis } from '../analyze/format.js';
import { parseRadii } from '../analyze/radii.js';
import { CliError } from '../errors.js';
import type { Command } from './command.js';
import { counterRange } from './noise-provenance.js';
import { runInputs, type InputRunner } from './run-inputs.js';
import { MAX_SAMPLES, SMOOTHING_RUN_OPTIONS, smoothingRunShape } from './smoothing-options.js';

const OPTIONS = {
  ...SMOOTHING_RUN_OPTIONS,
  n0: { type: 'string', help: 'selection samples per input (default 100); alias --N0', arg: 'N0' },
  norm: { type: 'string', help: 'norm of the certified radius: l2 (default), l1 or linf', arg: 'l1|l2|linf' },
  radius: {
    type: 'string',
    help: "certificate: one-sided (default, Cohen et al.'s CERTIFY) or top-two (runner-up bounded too; gaussian)",
    arg: 'one-sided|top-two',
  },
} as const;
const schema = z
  .object({
    ...smoothingRunShape,
    n0: intFlag(1, MAX_SAMPLES).default(100),
    norm: z.enum(['l1', 'l2', 'linf'], { error: "must be 'l1', 'l2' or 'linf'" }).default('l2'),
    radius: z.enum(['one-sided', 'top-two'], { error: "must be 'one-sided' or 'top-two'" }).default('one-sided'),
  })
  .strict();

/**
 * The certify runner: Cohen et al.'s CERTIFY per input, a certify.py row and a provenance record
 * (counts, pA lower bound, radius norm, seed, noise id, timing).
 *
 * @example
 * const runner = certifyRunner(100, 'l2');
 */
export function certifyRunner(n0: number, norm: 'l1' | 'l2' | 'linf' = 'l2', radiusMethod: 'one-sided' | 'top-two' = 'one-sided'): InputRunner {
  return {
    command: 'certify',
    header: CERTIFY_HEADER,
    n0,
    norm,
    radiusMethod,
    formatRow: formatCertifyRow,
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
      });
      const seconds = (performance.now() - t0) / 1000 / ids.length;
      return Array.from(ids, (idx, i) => {
        const predict = r.prediction[i]!;
        const correct = predict === labels[i] ? 1 : 0;
        return {
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
            selectionCounts: Array.from(r.selectionCounts.subarray(i * model.nbClasses, (i + 1) * model.nbClasses)),
            estimationCounts: Array.from(r.estimationCounts.subarray(i * model.nbClasses, (i + 1) * model.nbClasses)),
            alpha: r.alpha,
            sigma: r.sigma,
            seed: r.seed.toString(),
            rng: RNG_ALGORITHM,
            noiseId: r.inputIds[i],
            counters: counterRange({ seed: r.seed.toString(), id: r.inputIds[i]!, dim: ctx.dim, samples: { selection: r.n0, estimation: r.n } }),
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
 *
 * @example
 * process.exitCode = await certifyCommand.run(['--model', 'm.onnx', '--data', 'x.npy', '--labels', 'y.npy', '--sigma', '0.25', '--out', 'r.tsv']);
 */
export const certifyCommand: Command = {
  name: 'certify',
  summary: "certify inputs (Cohen et al.'s CERTIFY), one certify.py row per input",
  options: OPTIONS,
  usage: () => `Usage: rsmooth certify --model M [--backend onnx] --data X [--labels Y] --sigma S [--noise gaussian|uniform|laplace]
                       [--norm l2|l1|linf] [--radius one-sided|top-two] [--n0 100] [--n 100000] [--alpha 0.001] [--batch 1000] [--seed K]
                       [--skip k] [--max m] [--shard i/N] [--out results.tsv]

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
    if (values.radius === 'top-two' && values.noise !== 'gaussian')
      throw new CliError(`rsmooth certify: --radius top-two holds for Gaussian noise (Cohen et al.'s Theorem 1), not --noise ${values.noise}`);
    const summary = await runInputs(values, certifyRunner(values.n0, values.norm, values.radius));
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
