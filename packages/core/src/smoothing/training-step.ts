import type { LossHead, LossHeadOutput, TrainingCapability } from '../classifier/classifier.js';
import { ClassifierContractError } from '../errors.js';
import { callFailure, guardedCall } from '../sampling/guarded-call.js';
import type { Progress } from '../sampling/progress.js';
import { learningRateAt, type LearningRateSchedule } from '../training/learning-rate.js';
import { checkMethod, type TrainingMethod } from '../training/method.js';
import type { SmoothingConfig } from './smoothing-config.js';

/** The loss of one step: the head's total and its named terms. */
export interface StepLoss {
  loss: number;
  terms: Readonly<Record<string, number>>;
}

/** The state `fit` and `fitGenerator` share: the method, the seed, the hyper-parameters, the progress clock. */
export interface MethodTrainer {
  readonly method: TrainingMethod;
  /**
   * One optimizer step on `rows` examples: example `r` is `data[dataRow(r)]` with noise id
   * `noiseId(r)`; the method draws its noise (and attacks), the backend runs the step with the
   * method's loss head. Resolves to the loss before the step (checked finite) and its terms.
   */
  step(
    data: Float32Array,
    rows: number,
    dataRow: (r: number) => number,
    noiseId: (r: number) => number,
    labels: Int32Array,
    epoch: number,
    batchIndex: number,
  ): Promise<StepLoss>;
  /** Reports progress after a step (when the caller passed `onProgress`). */
  report(p: Omit<Progress, 'phase' | 'elapsedSeconds' | 'samplesPerSecond'>): void;
}

/** The options a trainer reads. */
export interface TrainerOptions {
  optimizer: 'sgd' | 'adam';
  learningRate: number;
  learningRateSchedule: LearningRateSchedule;
  onProgress?: ((p: Progress) => void) | undefined;
  signal?: AbortSignal | undefined;
  forwardTimeoutMs?: number | undefined;
}

/**
 * Wraps a method's head so that core can check the backend's side of the contract: the head is
 * evaluated once, on `rows` rows of `nbClasses` logits. Records the output.
 */
function trackedHead(head: LossHead, rows: number, nbClasses: number): { head: LossHead; output: () => LossHeadOutput | undefined } {
  let output: LossHeadOutput | undefined;
  const tracked: LossHead = {
    name: head.name,
    ...(head.crossEntropyLabels ? { crossEntropyLabels: head.crossEntropyLabels } : {}),
    evaluate(logits, n) {
      if (output) throw new ClassifierContractError(`training.step evaluated the '${head.name}' loss head twice in one step`);
      if (n !== rows || !(logits instanceof Float32Array) || logits.length !== rows * nbClasses) {
        throw new ClassifierContractError(
          `training.step passed ${logits instanceof Float32Array ? logits.length : typeof logits} logits for ${n} rows to the loss head (expected a Float32Array of ${rows} x ${nbClasses})`,
        );
      }
      output = head.evaluate(logits, n);
      return output;
    },
  };
  return { head: tracked, output: () => output };
}

/**
 * Creates the step of `fit` / `fitGenerator` for one call and one training method: checks the
 * capabilities the method needs, gathers each batch's clean inputs, lets the method build the rows
 * and loss head, applies the learning-rate schedule of the epoch and runs `training.step`.
 */
export function methodTrainer(config: SmoothingConfig, training: TrainingCapability, seed: bigint, method: TrainingMethod, o: TrainerOptions): MethodTrainer {
  checkMethod(method, config, 'fit');
  const { dim } = config;
  const c = config.classifier.nbClasses;
  const started = performance.now();
  return {
    method,
    async step(data, rows, dataRow, noiseId, labels, epoch, batchIndex) {
      const x = new Float32Array(rows * dim);
      const ids = new Uint32Array(rows);
      for (let r = 0; r < rows; r++) {
        x.set(data.subarray(dataRow(r) * dim, (dataRow(r) + 1) * dim), r * dim);
        ids[r] = noiseId(r);
      }
      const prepared = await method.prepare({ config, seed, epoch, x, count: rows, labels, ids, signal: o.signal });
      const tracked = trackedHead(prepared.head, prepared.rows, c);
      const hyper = { optimizer: o.optimizer, learningRate: learningRateAt(o.learningRate, o.learningRateSchedule, epoch) };
      let loss: number;
      try {
        loss = await guardedCall(
          () => training.step(prepared.x, prepared.rows, tracked.head, hyper),
          { signal: o.signal, timeoutMs: o.forwardTimeoutMs },
          { call: 'training.step', batch: batchIndex, rows: prepared.rows, inputIds: Array.from(ids), where: `in epoch ${epoch}` },
        );
      } catch (err) {
        throw callFailure(err, `training.step failed at epoch ${epoch}, batch ${batchIndex}`);
      }
      const output = tracked.output();
      if (!output && !prepared.head.crossEntropyLabels) {
        throw new ClassifierContractError(`training.step did not evaluate the '${prepared.head.name}' loss head (method '${method.name}')`);
      }
      if (typeof loss !== 'number' || !Number.isFinite(loss)) {
        throw new ClassifierContractError(`training diverged: loss ${loss} at epoch ${epoch}, batch ${batchIndex} (lower the learning rate?)`, {
          code: 'RS_TRAINING_DIVERGED',
        });
      }
      return { loss, terms: output?.terms ?? { classification: loss } };
    },
    report(p) {
      if (!o.onProgress) return;
      const elapsedSeconds = (performance.now() - started) / 1000;
      o.onProgress({ phase: 'fit', ...p, elapsedSeconds, samplesPerSecond: elapsedSeconds > 0 ? p.samplesDone / elapsedSeconds : 0 });
    },
  };
}

/**
 * Running sums of a method's loss terms over an epoch, weighted by the examples of each batch.
 */
export class TermSums {
  readonly #sums = new Map<string, number>();
  #weight = 0;
  constructor(names: readonly string[]) {
    for (const n of names) this.#sums.set(n, 0);
  }
  add(terms: Readonly<Record<string, number>>, weight: number): void {
    for (const [k, v] of Object.entries(terms)) this.#sums.set(k, (this.#sums.get(k) ?? 0) + v * weight);
    this.#weight += weight;
  }
  means(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, v] of this.#sums) out[k] = this.#weight > 0 ? v / this.#weight : 0;
    return out;
  }
}

/**
 * Runs `body`, then the training capability's `endFit` (whether `body` succeeded or not); an
 * `endFit` failure after a successful body is reported, one after a failed body is dropped.
 */
export async function withEndFit<T>(training: TrainingCapability, body: () => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await body();
  } catch (err) {
    try {
      await training.endFit?.();
    } catch {
      // The body's error is the one to report.
    }
    throw err;
  }
  await training.endFit?.();
  return result;
}
