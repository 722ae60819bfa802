/**
 * Index of the largest count among `nbClasses` counts at `offset` (lowest class on ties).
 *
 * @example
 * argmaxCounts(new Int32Array([3, 9, 9]), 0, 3); // 1
 */
export function argmaxCounts(counts: Int32Array, offset: number, nbClasses: number): number {
  let best = 0;
  for (let k = 1; k < nbClasses; k++) if (counts[offset + k]! > counts[offset + best]!) best = k;
  return best;
}

/**
 * The classes with the largest and second-largest counts (lowest class first on ties), as in
 * Cohen et al.'s `counts.argsort()[::-1][:2]` up to tie order.
 *
 * @example
 * topTwo(new Int32Array([5, 1, 7]), 0, 3); // [2, 0]
 */
export function topTwo(counts: Int32Array, offset: number, nbClasses: number): [number, number] {
  const a = argmaxCounts(counts, offset, nbClasses);
  let b = a === 0 ? 1 : 0;
  for (let k = 0; k < nbClasses; k++) if (k !== a && counts[offset + k]! > counts[offset + b]!) b = k;
  return [a, b];
}
