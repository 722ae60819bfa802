import { RsRangeError } from '../errors.js';
/**
 * The fixed per-input schedule of sample counts at which sequential certification may stop.
 *
 * Decisions happen only at these checkpoints, and the samples of an input's estimation stream are
 * consumed in index order 0, 1, 2, ..., so an input's decision depends only on (seed, input id,
 * schedule): never on the batch size, the other inputs, a shard split or the backend. The schedule
 * is a function of the options alone (never of the data): the staged Clopper-Pearson bound's union
 * bound needs that.
 */

/**
 * How to build a schedule: explicit sample counts, or a geometric sequence.
 *
 * @example
 * const spec: CheckpointSpec = { first: 100, ratio: 2 };
 */
export type CheckpointSpec = readonly number[] | { readonly first?: number | undefined; readonly ratio?: number | undefined };

/**
 * Default first checkpoint of the geometric schedule.
 */
export const DEFAULT_FIRST_CHECKPOINT = 64;
/**
 * Default growth ratio of the geometric schedule, per bound: each checkpoint costs the staged
 * Clopper-Pearson bound alpha (a sparser schedule), the mixture bound nothing (a denser one).
 */
export const DEFAULT_CHECKPOINT_RATIO = Object.freeze({ 'clopper-pearson': 1.5, 'beta-binomial-mixture': 1.1 } as const);

/**
 * The most checkpoints a schedule may have (a guard against ratios such as 1 + 1e-9).
 */
export const MAX_CHECKPOINTS = 10_000;

/**
 * The checkpoints for budget `n`: strictly increasing sample counts ending at `n`.
 *
 * - An explicit list is checked (strictly increasing integers >= 1, none above `n`) and gets `n`
 *   appended when it does not end there.
 * - `{ first, ratio }` gives `first, ceil(first * ratio), ceil(that * ratio), ...` (each at least
 *   one more than the one before), cut at `n`, then `n` (`first` above `n` gives `[n]`). With an
 *   `anchor` below `n`, the sequence stops before it (dropping a point within sqrt(ratio) of it),
 *   takes the anchor, and grows again from it (radius mode anchors the earliest count at which a
 *   certificate is possible).
 *
 * @example
 * checkpointSchedule(1000, { first: 100, ratio: 2 }); // [100, 200, 400, 800, 1000]
 * checkpointSchedule(1000, [100, 500]);                // [100, 500, 1000]
 */
export function checkpointSchedule(n: number, spec: CheckpointSpec, defaultRatio = 1.5, anchor?: number): number[] {
  if (!Number.isSafeInteger(n) || n < 1) throw new RsRangeError('RS_INVALID_ARG_VALUE', `'n' must be an integer >= 1, got ${n}`);
  if (Array.isArray(spec)) {
    const list = spec as readonly number[];
    list.forEach((t, j) => {
      if (!Number.isSafeInteger(t) || t < 1) throw new RsRangeError('RS_INVALID_ARG_VALUE', `'sequential.checkpoints[${j}]' must be an integer >= 1, got ${t}`);
      if (j > 0 && t <= list[j - 1]!)
        throw new RsRangeError('RS_INVALID_ARG_VALUE', `'sequential.checkpoints' must be strictly increasing, got ${list[j - 1]} then ${t}`);
      if (t > n) throw new RsRangeError('RS_INVALID_ARG_VALUE', `'sequential.checkpoints[${j}]' = ${t} exceeds the budget 'n' = ${n}`);
    });
    const out = [...list];
    if (out[out.length - 1] !== n) out.push(n);
    if (out.length > MAX_CHECKPOINTS)
      throw new RsRangeError('RS_INVALID_ARG_VALUE', `'sequential.checkpoints' has ${out.length} checkpoints; at most ${MAX_CHECKPOINTS}`);
    return out;
  }
  const g = spec as { first?: number | undefined; ratio?: number | undefined };
  const first = g.first ?? DEFAULT_FIRST_CHECKPOINT;
  const ratio = g.ratio ?? defaultRatio;
  if (!Number.isSafeInteger(first) || first < 1)
    throw new RsRangeError('RS_INVALID_ARG_VALUE', `'sequential.checkpoints.first' must be an integer >= 1, got ${first}`);
  if (!(ratio > 1) || !Number.isFinite(ratio))
    throw new RsRangeError('RS_INVALID_ARG_VALUE', `'sequential.checkpoints.ratio' must be a finite number > 1, got ${ratio}`);
  if (anchor !== undefined && !(Number.isSafeInteger(anchor) && anchor >= 1))
    throw new RsRangeError('RS_INVALID_ARG_VALUE', `'anchor' must be an integer >= 1, got ${anchor}`);
  const out: number[] = [];
  const grow = (t: number) => Math.max(t + 1, Math.ceil(t * ratio));
  let t = first;
  if (anchor !== undefined && anchor < n) {
    for (; t < anchor; t = grow(t)) if (t * Math.sqrt(ratio) <= anchor) push(out, t, ratio, n); // none just below the anchor
    t = anchor;
  }
  for (; t < n; t = grow(t)) push(out, t, ratio, n);
  out.push(n);
  return out;
}

function push(out: number[], t: number, ratio: number, n: number): void {
  out.push(t);
  if (out.length >= MAX_CHECKPOINTS)
    throw new RsRangeError('RS_INVALID_ARG_VALUE', `'sequential.checkpoints.ratio' ${ratio} gives more than ${MAX_CHECKPOINTS} checkpoints up to n = ${n}`);
}
