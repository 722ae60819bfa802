import { RsError, RsRangeError } from '../errors.js';
import { toInputBatch } from '../input/input-batch.js';
import type { ParsedCertifyOptions, ParsedSequentialOptions } from '../options/run-options.js';
import { argmaxCounts, countPredictions, NOISE_STREAM, type SamplingJob } from '../sampling/index.js';
import type { Progress } from '../sampling/progress.js';
import type { CertifyResult } from '../smoothing/certify.js';
import { certifySettings } from '../smoothing/certify-settings.js';
import { callSeed, inputIdsFor, samplingContext, type SmoothingConfig } from '../smoothing/smoothing-config.js';
import { checkSequentialBudget, sequentialPlan } from './sequential-plan.js';
import { planRound, type ScheduledInput } from './round-scheduler.js';
import type { SequentialBoundName } from './sequential-bound.js';
import { soundSampling } from '../sound/sound-sampling.js';
import { checkpointStep, type RunningBounds, sequentialCertificateFromCounts, stoppingRuleOf } from './sequential-certificate.js';
import type { SequentialRadiusSettings } from './sequential-radius.js';
import type { StopReason } from './stopping-rule.js';

/**
 * What sequential certification adds to certify's result (`result.sequential`).
 *
 * @example
 * const { samplesUsed, stopReason } = (await g.certify(x, { n: 100_000, sequential: { radius: 0.5 } })).sequential!;
 */
export interface SequentialCertifyInfo {
  mode: 'radius' | 'budget';
  /** Radius mode: the radius decided (an input is certified at it iff `radius[i] >= radius`). */
  radius: number | null;
  /** Budget mode: the tolerance. */
  tolerance: number | null;
  bound: SequentialBoundName;
  /** The checkpoints (sample counts) at which inputs could stop; the last is the budget `n`. */
  checkpoints: number[];
  /** Estimation samples each input used: the checkpoint it stopped at. */
  samplesUsed: Int32Array;
  /** Upper confidence bound of pA at the stop (running minimum over the checkpoints). */
  pAUpper: Float64Array;
  /** Why each input stopped. */
  stopReason: StopReason[];
  /**
   * Per input, the hits of the selected class at each checkpoint it passed (the last: where it
   * stopped): the evidence `sequentialCertificateFromCounts` recomputes the certificate from.
   */
  checkpointHits: number[][];
  /** Estimation samples evaluated in all: the sum of `samplesUsed` plus lookahead samples dropped. */
  samplesDrawn: number;
  /** Scheduler rounds, and batches (model calls on the host path) they made. */
  rounds: number;
  batches: number;
}

/**
 * Anytime-valid sequential certification (`certify(x, { n, sequential })`): Cohen et al.'s
 * selection with `sampleSize` (n0) samples, then estimation samples of the selected class drawn in
 * rounds across all still-active inputs, each input stopping at the first of its checkpoints where
 * the stopping rule (`stopping-rule.ts`) says so, `n` being its budget. The certificate is
 * `sigma * Phi^-1(pALower)` with pALower the sequential bound's (`sequential-bound.ts`) running
 * maximum at the stop, abstaining below 1/2: P(radius > the true robust radius) <= alpha per input.
 * Every noise family and norm (the radius by `certifiedRadius`) and the sound mode (pALower lowered
 * by the sampler's total-variation bound) work as in fixed-n certify (`sequential-radius.ts`);
 * `radius: 'top-two'` is refused (`RS_SEQUENTIAL_UNSUPPORTED`): the bounds cover pA alone. Each
 * certificate is computed from its recorded evidence (`checkpointHits`) by
 * `sequentialCertificateFromCounts`, the function a reader of a run log recomputes it with.
 *
 * @example
 * // What smoothed.certify(x, { n: 100_000, sequential: { radius: 0.5 } }) runs, after validating its options:
 * const o = parseOptions(certifyOptionsSchema, { n: 100_000, sequential: { radius: 0.5 } }, 'certify options');
 * const r = await certifySequential(config, x, o as Parameters<typeof certifySequential>[2]);
 * r.sequential.samplesUsed; // per input
 */
export async function certifySequential(
  config: SmoothingConfig,
  x: unknown,
  o: ParsedCertifyOptions & { sequential: ParsedSequentialOptions },
): Promise<CertifyResult & { sequential: SequentialCertifyInfo }> {
  const { alpha, sampleSize: n0, scale: sigma } = config.options;
  if (o.radius === 'top-two')
    throw new RsRangeError(
      'RS_SEQUENTIAL_UNSUPPORTED',
      "'sequential' cannot be combined with 'radius' 'top-two': the sequential bounds cover pA alone, not the runner-up's pB (use the one-sided certificate)",
    );
  const batch = toInputBatch(x, config.classifier.inputShape, { domain: config.domain });
  const seed = callSeed(config);
  const ctx = samplingContext(config, seed);
  ctx.sound = soundSampling(config, batch.data);
  const radiusSettings: SequentialRadiusSettings = {
    sigma,
    noise: config.options.noise,
    norm: o.norm,
    dim: config.dim,
    soundTv: ctx.sound?.table.tv,
  };
  const plan = sequentialPlan(o.n, alpha, radiusSettings, o.sequential);
  checkSequentialBudget(plan, radiusSettings);
  const { schedule } = plan;
  const count = batch.count;
  const ids = inputIdsFor(count, o);
  const c = config.classifier.nbClasses;
  const batchSize = Math.min(o.batchSize, config.classifier.maxBatchSize ?? Infinity);
  const selectionJobs: SamplingJob[] = Array.from({ length: count }, (_, i) => ({ row: i, id: ids[i]!, sampleStart: 0, count: n0 }));
  const selection = await countPredictions(ctx, batch.data, selectionJobs, {
    batchSize: o.batchSize,
    onProgress: o.onProgress,
    signal: o.signal,
    stream: NOISE_STREAM.selection,
    phase: 'selection',
  });

  const rule = stoppingRuleOf(plan, radiusSettings);
  const selected = Int32Array.from({ length: count }, (_, i) => argmaxCounts(selection, i * c, c));
  const estimation = new Int32Array(count * c);
  const running: RunningBounds[] = Array.from({ length: count }, () => ({ lower: 0, upper: 1 }));
  const checkpointHits: number[][] = Array.from({ length: count }, () => []);
  const states: ScheduledInput[] = Array.from({ length: count }, (_, i) => ({ row: i, id: ids[i]!, pos: 0, next: 0 }));
  let active = states.map((_, i) => i);
  let samplesDrawn = 0;
  let rounds = 0;
  let batches = 0;
  const started = performance.now();

  while (active.length > 0) {
    const round = planRound(
      active.map((i) => states[i]!),
      schedule,
      batchSize,
    );
    const before = samplesDrawn;
    const stillToDo = active.reduce((s, i) => s + (o.n - states[i]!.pos), 0);
    const report = o.onProgress;
    const onProgress = report
      ? (p: Progress) => {
          const elapsedSeconds = (performance.now() - started) / 1000;
          const samplesDone = before + p.samplesDone;
          report({
            phase: 'estimation',
            inputsDone: count - active.length,
            inputsTotal: count,
            samplesDone,
            samplesTotal: before + stillToDo,
            elapsedSeconds,
            samplesPerSecond: elapsedSeconds > 0 ? samplesDone / elapsedSeconds : 0,
          });
        }
      : undefined;
    const counts = await countPredictions(ctx, batch.data, round.jobs, {
      batchSize: o.batchSize,
      onProgress,
      signal: o.signal,
      stream: NOISE_STREAM.estimation,
      phase: 'estimation',
    });
    samplesDrawn += round.samples;
    rounds++;
    batches += Math.ceil(round.samples / batchSize);
    const stopped = new Set<number>();
    round.jobs.forEach((job, j) => {
      const i = active[round.owners[j]!]!;
      if (stopped.has(i)) return; // lookahead samples of an input that stopped earlier in this round
      const s = states[i]!;
      for (let k = 0; k < c; k++) estimation[i * c + k]! += counts[j * c + k]!;
      s.pos += job.count;
      const t = schedule[s.next]!;
      if (s.pos < t) return;
      const hits = estimation[i * c + selected[i]!]!;
      checkpointHits[i]!.push(hits);
      if (checkpointStep(running[i]!, hits, t, plan, rule)) stopped.add(i);
      else s.next++;
    });
    active = active.filter((i) => !stopped.has(i));
  }

  // Every certificate from its recorded evidence, by the function a reader of a run log recomputes it with.
  const prediction = new Int32Array(count);
  const radius = new Float64Array(count);
  const pALower = new Float64Array(count);
  const pAUpper = new Float64Array(count);
  const samplesUsed = new Int32Array(count);
  const stopReason: StopReason[] = [];
  const countSelected = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const cert = sequentialCertificateFromCounts(
      { selected: selected[i]!, checkpointHits: checkpointHits[i]!, n: o.n, alpha, sequential: o.sequential, radius: radiusSettings },
      plan,
    );
    if (cert.pAUpper !== running[i]!.upper) throw new RsError('RS_INTERNAL', `sequential certify: the replay of input ${i} differs from the run`);
    countSelected[i] = estimation[i * c + selected[i]!]!;
    prediction[i] = cert.prediction;
    radius[i] = cert.radius;
    pALower[i] = cert.pALower;
    pAUpper[i] = cert.pAUpper;
    samplesUsed[i] = cert.samplesUsed;
    stopReason.push(cert.stopReason);
  }
  return {
    prediction,
    radius,
    pALower,
    selected,
    countSelected,
    selectionCounts: selection,
    estimationCounts: estimation,
    ...certifySettings(config, o, ctx, seed, ids),
    sequential: {
      mode: plan.mode,
      radius: plan.mode === 'radius' ? plan.target : null,
      tolerance: plan.mode === 'budget' ? plan.target : null,
      bound: plan.bound.name,
      checkpoints: [...schedule],
      samplesUsed,
      pAUpper,
      stopReason,
      checkpointHits,
      samplesDrawn,
      rounds,
      batches,
    },
  };
}
