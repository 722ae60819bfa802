import { assertClassifier } from '../classifier/assert-classifier.js';
import type { Classifier } from '../classifier/classifier.js';
import { ClassifierContractError, describeValue, RsError, RsRangeError, RsTypeError } from '../errors.js';
import { argmaxRow, checkLogits } from '../sampling/noisy-batches.js';
import { softmaxRow } from '../smoothing/softmax.js';

/** How {@link ensemble} combines its members' outputs. */
export type EnsembleCombine = 'mean-softmax' | 'mean-logits' | 'vote';

const COMBINES: readonly EnsembleCombine[] = ['mean-softmax', 'mean-logits', 'vote'];

/** Options of {@link ensemble}. */
export interface EnsembleOptions {
  /** Default `'mean-softmax'` (Horvath et al., ICLR 2022). */
  combine?: EnsembleCombine;
}

async function memberLogits(m: Classifier, i: number, x: Float32Array, rows: number): Promise<Float32Array> {
  let out: Float32Array;
  try {
    out = await m.forward(x, rows);
  } catch (err) {
    throw new ClassifierContractError(`ensemble member ${i} failed on a batch of ${rows} inputs: ${(err as Error)?.message ?? String(err)}`, {
      cause: err,
      code: 'RS_CLASSIFIER_FAILED',
    });
  }
  try {
    checkLogits(out, rows, m.nbClasses);
  } catch (err) {
    throw new ClassifierContractError(`ensemble member ${i}: ${(err as Error).message}`);
  }
  return out.slice(); // a backend may reuse its output buffer
}

/**
 * One base classifier from several (Horvath et al., ICLR 2022: smoothing an ensemble raises the
 * certified radii). Every member takes the same input shape and has the same classes; each may be
 * a different backend. The output, per `combine`:
 * - `'mean-softmax'` (default): `log(mean_m softmax(f_m(x)))`, so its softmax is the mean probability;
 * - `'mean-logits'`: the mean of the logits;
 * - `'vote'`: `log(votes / M)` (`-Infinity` for classes no member picks), the argmax of the votes
 *   (ties to the lowest class, as numpy's argmax).
 * Outputs are float32: with `'mean-softmax'`, two mean probabilities closer than float32 resolves
 * in log space tie (lowest class wins).
 *
 * Capabilities: `gradients` when every member has them and `combine` is differentiable (not
 * `'vote'`); `maxBatchSize` is the smallest member's; `dispose` disposes every member. Members run
 * one after another on each batch.
 *
 * @example
 * const f = ensemble([await OnnxClassifier.create({ model: 'a.onnx' }), await OnnxClassifier.create({ model: 'b.onnx' })], { combine: 'mean-softmax' });
 * const g = smooth(f, { scale: 0.25 });
 */
export function ensemble(members: readonly Classifier[], options: EnsembleOptions = {}): Classifier {
  if (!Array.isArray(members) || members.length === 0)
    throw new RsTypeError('RS_INVALID_ARG_TYPE', `'members' must be a non-empty array of classifiers, got ${describeValue(members)}`);
  for (const [i, m] of members.entries()) assertClassifier(m, `members[${i}]`);
  if (options === null || typeof options !== 'object')
    throw new RsTypeError('RS_INVALID_ARG_TYPE', `'options' must be an object, got ${describeValue(options)}`);
  const combine = options.combine ?? 'mean-softmax';
  if (!COMBINES.includes(combine))
    throw new RsRangeError('RS_INVALID_ARG_VALUE', `'combine' must be one of ${COMBINES.map((c) => `'${c}'`).join(', ')}, got ${describeValue(combine)}`);
  const first = members[0]!;
  const c = first.nbClasses;
  const shape = first.inputShape;
  members.forEach((m, i) => {
    if (m.nbClasses !== c) throw new RsRangeError('RS_INVALID_ARG_VALUE', `'members[${i}]' has ${m.nbClasses} classes, members[0] has ${c}`);
    if (m.inputShape.length !== shape.length || m.inputShape.some((d: number, j: number) => d !== shape[j])) {
      throw new RsRangeError(
        'RS_INVALID_ARG_VALUE',
        `'members[${i}]' takes inputs of shape [${m.inputShape.join(', ')}], members[0] takes [${shape.join(', ')}]`,
      );
    }
  });
  const M = members.length;

  const allLogits = async (x: Float32Array, rows: number): Promise<Float32Array[]> => {
    const out: Float32Array[] = [];
    for (let i = 0; i < M; i++) out.push(await memberLogits(members[i]!, i, x, rows));
    return out;
  };
  /** Per member, its softmax probabilities (float64) and the mean of them. */
  const probabilities = (logits: Float32Array[], rows: number): { p: Float64Array[]; mean: Float64Array } => {
    const p = logits.map((z) => {
      const out = new Float64Array(rows * c);
      for (let r = 0; r < rows; r++) softmaxRow(z, r * c, c, out, r * c);
      return out;
    });
    const mean = new Float64Array(rows * c);
    for (const pm of p) for (let i = 0; i < mean.length; i++) mean[i]! += pm[i]! / M;
    return { p, mean };
  };

  let disposed = false;
  const forward = async (x: Float32Array, rows: number): Promise<Float32Array> => {
    if (disposed) throw new RsError('RS_DISPOSED', 'this ensemble was disposed');
    const logits = await allLogits(x, rows);
    const out = new Float32Array(rows * c);
    if (combine === 'mean-logits') {
      for (let i = 0; i < out.length; i++) {
        let s = 0;
        for (const z of logits) s += z[i]!;
        out[i] = s / M;
      }
    } else if (combine === 'mean-softmax') {
      const { mean } = probabilities(logits, rows);
      for (let i = 0; i < out.length; i++) out[i] = Math.log(mean[i]!);
    } else {
      const votes = new Float64Array(rows * c);
      for (const z of logits) for (let r = 0; r < rows; r++) votes[r * c + argmaxRow(z, r * c, c)]!++;
      for (let i = 0; i < out.length; i++) out[i] = Math.log(votes[i]! / M);
    }
    return out;
  };

  const result: { -readonly [K in keyof Classifier]: Classifier[K] } = { inputShape: Object.freeze([...shape]), nbClasses: c, forward };
  const notes: Record<string, string> = { training: 'train the members on their own' };
  const missing = members.findIndex((m) => !m.gradients);
  if (combine === 'vote') notes.gradients = "'vote' is not differentiable";
  else if (missing >= 0)
    notes.gradients = `ensemble member ${missing} has no gradients${members[missing]!.capabilityNotes?.gradients ? ` (${members[missing]!.capabilityNotes!.gradients})` : ''}`;
  else {
    result.gradients = {
      vjp: async (x, rows, upstream) => {
        if (disposed) throw new RsError('RS_DISPOSED', 'this ensemble was disposed');
        const upstreams: Float32Array[] = [];
        if (combine === 'mean-logits') {
          const u = upstream.map((v) => v / M);
          for (let i = 0; i < M; i++) upstreams.push(u);
        } else {
          // out_k = log P_k, P = mean_m p_m: dL/dz_m = p_m * (g_m - <g_m, p_m>), g_m,k = u_k / (M P_k).
          const { p, mean } = probabilities(await allLogits(x, rows), rows);
          for (const pm of p) {
            const u = new Float32Array(rows * c);
            for (let r = 0; r < rows; r++) {
              let dot = 0;
              for (let k = 0; k < c; k++) dot += (upstream[r * c + k]! / (M * mean[r * c + k]!)) * pm[r * c + k]!;
              for (let k = 0; k < c; k++) u[r * c + k] = pm[r * c + k]! * (upstream[r * c + k]! / (M * mean[r * c + k]!) - dot);
            }
            upstreams.push(u);
          }
        }
        let sum: Float32Array | undefined;
        for (let i = 0; i < M; i++) {
          let g: Float32Array;
          try {
            g = await members[i]!.gradients!.vjp(x, rows, upstreams[i]!);
          } catch (err) {
            throw new ClassifierContractError(`ensemble member ${i}'s vjp failed: ${(err as Error)?.message ?? String(err)}`, {
              cause: err,
              code: 'RS_CLASSIFIER_FAILED',
            });
          }
          if (!(g instanceof Float32Array) || g.length !== x.length)
            throw new ClassifierContractError(`ensemble member ${i}'s vjp returned the wrong number of values`);
          if (sum) for (let j = 0; j < sum.length; j++) sum[j]! += g[j]!;
          else sum = g.slice();
        }
        return sum!;
      },
    };
  }
  const maxBatch = Math.min(...members.map((m) => m.maxBatchSize ?? Infinity));
  if (Number.isFinite(maxBatch)) result.maxBatchSize = maxBatch;
  if (first.hostSampling) result.hostSampling = first.hostSampling;
  result.capabilityNotes = Object.freeze(notes);
  result.dispose = async () => {
    if (disposed) return;
    disposed = true;
    for (const m of members) await m.dispose?.();
  };
  return result;
}
