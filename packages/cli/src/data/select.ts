import { CliError } from '../errors.js';

/**
 * Which inputs of a data set a run covers.
 *
 * @example
 * const selection: Selection = { skip: 20, max: 100, shard: { index: 0, count: 4 } };
 * selectIndices(10_000, selection);
 */
export interface Selection {
  /** Take every `skip`-th input: dataset indices 0, skip, 2 skip, ... (Cohen et al.'s `--skip`). */
  skip: number;
  /** At most this many inputs (after `skip`); counts inputs, not dataset indices. */
  max?: number | undefined;
  /** `--shard i/N`: keep the inputs at positions p (in the skipped, capped list) with p mod N = i. */
  shard?: { index: number; count: number } | undefined;
}

/**
 * Dataset indices a run covers, in order.
 *
 * 1. `skip` k: dataset indices i with i mod k = 0 (as in Cohen et al.'s certify.py: `if i % skip != 0: continue`).
 * 2. `max` m: the first m of those. (Cohen's script stops at `i == max`, comparing with the dataset
 *    index, so `--skip 10 --max 100` there certifies 10 inputs; here it certifies 100.)
 * 3. `shard` i/N: positions p of that list with p mod N = i (round-robin, so shards get equal work).
 *
 * @example
 * selectIndices(10, { skip: 2 }); // [0, 2, 4, 6, 8]
 * selectIndices(10, { skip: 2, max: 3, shard: { index: 1, count: 2 } }); // [2]
 */
export function selectIndices(total: number, s: Selection): Uint32Array {
  const all: number[] = [];
  for (let i = 0; i < total && (s.max === undefined || all.length < s.max); i += s.skip) all.push(i);
  const kept = s.shard ? all.filter((_, p) => p % s.shard!.count === s.shard!.index) : all;
  if (kept.length === 0)
    throw new CliError(
      `the selection (skip ${s.skip}${s.max !== undefined ? `, max ${s.max}` : ''}${s.shard ? `, shard ${s.shard.index}/${s.shard.count}` : ''}) of ${total} inputs is empty`,
      { code: 'RS_USAGE' },
    );
  return Uint32Array.from(kept);
}

/**
 * The position of data set index `idx` in the unsharded selection (skip, then max), or -1 when the
 * selection does not contain it. Computed, not listed: a selection of 2^32 inputs costs nothing.
 */
export function selectionPosition(total: number, idx: number, s: Selection): number {
  if (!Number.isInteger(idx) || idx < 0 || idx >= total || idx % s.skip !== 0) return -1;
  const p = idx / s.skip;
  return s.max === undefined || p < s.max ? p : -1;
}

/**
 * How many inputs the unsharded selection (skip, then max) of `total` has.
 */
export function selectionSize(total: number, s: Selection): number {
  const all = Math.ceil(total / s.skip);
  return s.max === undefined ? all : Math.min(all, s.max);
}
