import { z } from 'zod';
import { formatOptions, parseCommandArgs } from '../cli/args.js';
import { RNG_ALGORITHM } from '../io/run-log.js';
import { PREDICT_HEADER, formatPredictRow, formatTimedelta } from '../io/tsv.js';
import type { Command } from './command.js';
import { counterRange } from './noise-provenance.js';
import { runInputs, type InputRunner } from './run-inputs.js';
import { SMOOTHING_RUN_OPTIONS, smoothingRunShape } from './smoothing-options.js';

const schema = z.object(smoothingRunShape).strict();

/**
 * The predict runner: Cohen et al.'s PREDICT per input (abstains when a two-sided binomial test
 * of the top two counts has p-value > alpha), a predict.py row and a record with all class counts.
 */
export function predictRunner(): InputRunner {
  return {
    command: 'predict',
    header: PREDICT_HEADER,
    n0: null,
    formatRow: formatPredictRow,
    async run(model, x, ids, labels, ctx) {
      const t0 = performance.now();
      const startedAt = new Date().toISOString();
      const r = await model.predictClasses(x, {
        n: ctx.n,
        batchSize: ctx.batch,
        inputIds: ids,
        signal: ctx.signal,
        onProgress: (p) => ctx.onSamples(p.samplesDone),
      });
      const seconds = (performance.now() - t0) / 1000 / ids.length;
      const c = r.counts.length / ids.length;
      return Array.from(ids, (idx, i) => {
        const predict = r.prediction[i]!;
        const correct = predict === labels[i] ? 1 : 0;
        return {
          row: { idx, label: labels[i]!, predict, correct, time: formatTimedelta(seconds) },
          record: {
            type: 'prediction',
            idx,
            label: labels[i],
            prediction: predict,
            correct,
            counts: Array.from(r.counts.subarray(i * c, (i + 1) * c)),
            pValue: r.pValue[i],
            n: r.n,
            alpha: ctx.alpha,
            sigma: ctx.sigma,
            seed: r.seed.toString(),
            rng: RNG_ALGORITHM,
            noiseId: idx,
            counters: counterRange({ seed: r.seed.toString(), id: idx, dim: ctx.dim, samples: { predict: r.n } }),
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
 * `rsmooth predict`: predict.py's TSV (idx, label, predict, correct, time), resumable and shardable.
 */
export const predictCommand: Command = {
  name: 'predict',
  summary: "predict with the smoothed classifier (Cohen et al.'s PREDICT), one predict.py row per input",
  options: SMOOTHING_RUN_OPTIONS,
  usage: () => `Usage: rsmooth predict --model M [--backend onnx] --data X [--labels Y] --sigma S [--n 100000] [--alpha 0.001]
                       [--batch 1000] [--seed K] [--skip k] [--max m] [--shard i/N] [--out predictions.tsv]

Runs Cohen et al.'s PREDICT on each selected input (n noisy samples; abstains, predict -1, when a
two-sided binomial test of the top two counts has p-value > alpha) and appends predict.py rows
(idx, label, predict, correct, time) to --out, with every class count in the log OUT.jsonl.
At alpha 0.001 predict always abstains for n <= 10: such an n is refused.
Resuming, sharding, input selection and the bundled default work as in 'rsmooth certify'.

Options:
${formatOptions(SMOOTHING_RUN_OPTIONS)}`,
  async run(argv) {
    const { values } = parseCommandArgs('predict', argv, SMOOTHING_RUN_OPTIONS, schema);
    if (values.help) {
      process.stdout.write(`${predictCommand.usage()}\n`);
      return 0;
    }
    const summary = await runInputs(values, predictRunner());
    if (!values.quiet)
      process.stderr.write(
        `rsmooth predict: ${summary.rows.length - summary.resumedRows} inputs predicted in ${summary.seconds.toFixed(1)} s${summary.out ? ` -> ${summary.out}` : ''}\n`,
      );
    return 0;
  },
};
