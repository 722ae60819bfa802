/**
 * Softmax cross-entropy loss head appended to a classifier's logits.
 */
import type { GraphBuilder } from './builder.js';
import { dtypeToCode, type DType } from './dtype.js';
import { UnsupportedOpError } from './errors.js';
import type { Dim } from './ir.js';

/**
 * Options of the softmax-cross-entropy head.
 *
 * - `labels: 'int64'` (default): class indices, int64 `[batch]`.
 * - `labels: 'probabilities'`: float `[batch, C]` one-hot rows or probability rows (soft labels).
 * @example
 * ```ts
 * buildGradientModel(model, { loss: { type: 'softmax-cross-entropy', labels: 'probabilities' } });
 * ```
 */
export interface SoftmaxCrossEntropyOptions {
  type: 'softmax-cross-entropy';
  labels?: 'int64' | 'probabilities';
  /** Name of the labels input (default 'labels'). */
  labelsName?: string;
  /** Name of the per-sample loss output (default 'loss'). */
  lossName?: string;
}

/**
 * What {@link appendSoftmaxCrossEntropy} added.
 */
export interface LossHead {
  labels: string;
  loss: string;
  /** Gradient of sum_i loss_i with respect to the logits. */
  gradLogits: string;
}

/**
 * Appends per-sample softmax cross-entropy `loss_i = -sum_c t_ic * log_softmax(logits)_ic`
 * (t = one-hot(labels) or the given probabilities) to a builder, adds the labels input and
 * the loss output `[batch]`, and returns the gradient of the SUM of the per-sample losses
 * w.r.t. the logits: `softmax(logits) * sum_c t_ic - t` (= softmax - onehot for hard labels).
 */
export function appendSoftmaxCrossEntropy(b: GraphBuilder, logits: string, dtype: DType, shape: Dim[] | undefined, opts: SoftmaxCrossEntropyOptions): LossHead {
  if (shape?.length !== 2) {
    throw new UnsupportedOpError(
      'SoftmaxCrossEntropy',
      logits,
      `the loss head needs logits of rank 2 [batch, classes], got ${shape ? `rank ${shape.length}` : 'an unknown shape'}`,
    );
  }
  const [batch, classes] = [shape[0]!, shape[1]!]; // rank 2, checked above
  const hard = (opts.labels ?? 'int64') === 'int64';
  const labels = b.input(b.uniqueName(opts.labelsName ?? 'labels'), hard ? 'int64' : dtype, hard ? [batch] : [batch, classes]);
  const name = (op: string) => ({ name: `loss/${op}` });
  const logp = b.node('LogSoftmax', [logits], { axis: 1 }, name('LogSoftmax'));
  let target: string;
  if (hard) {
    if (typeof classes !== 'number') {
      throw new UnsupportedOpError('SoftmaxCrossEntropy', logits, 'the number of classes (dim 1 of the logits) must be static');
    }
    const range = b.constant(
      BigInt64Array.from({ length: classes }, (_, i) => BigInt(i)),
      [1, classes],
      'loss_class_ids',
    );
    const lab = b.node('Unsqueeze', [labels, b.int64s([1])], {}, name('Unsqueeze'));
    const eq = b.node('Equal', [lab, range], {}, name('Equal'));
    target = b.node('Cast', [eq], { to: dtypeToCode(dtype) }, name('Cast'));
  } else {
    target = labels;
  }
  const prod = b.node('Mul', [target, logp], {}, name('Mul'));
  const sum = b.node('ReduceSum', [prod, b.int64s([1])], { keepdims: 0 }, name('ReduceSum'));
  const lossName = b.uniqueName(opts.lossName ?? 'loss');
  b.node('Neg', [sum], {}, { name: 'loss/Neg', outputs: [lossName] });
  b.output(lossName, dtype, [batch]);
  const probs = b.node('Exp', [logp], {}, name('Exp'));
  let gradLogits: string;
  if (hard) {
    gradLogits = b.node('Sub', [probs, target], {}, name('grad'));
  } else {
    const mass = b.node('ReduceSum', [target, b.int64s([1])], { keepdims: 1 }, name('mass'));
    gradLogits = b.node('Sub', [b.node('Mul', [probs, mass], {}, name('grad_scale')), target], {}, name('grad'));
  }
  return { labels, loss: lossName, gradLogits };
}
