import { type DeviceDefence, RsRangeError } from '@rs/core';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** A float32 as an integer that orders like the floats (-0 and +0 alike). */
function key(v: number): number {
  f32[0] = Math.abs(v);
  return v < 0 ? -u32[0]! : u32[0]!;
}

function fromKey(k: number): number {
  u32[0] = Math.abs(k);
  return k < 0 ? -f32[0]! : f32[0]!;
}

/**
 * The {@link DeviceDefence} `'step'` table of a monotone (non-decreasing) elementwise function of
 * float32 values, exact on `[lo, hi]`: `level(v)` is the integer step `v` falls on and
 * `output(k)` the value of step `k`. Each threshold is the smallest float32 reaching its step
 * (binary search over the float32 values), so the table reproduces the function bit for bit;
 * inputs outside `[lo, hi]` map to NaN.
 */
export function stepTable(lo: number, hi: number, level: (v: number) => number, output: (k: number) => number): DeviceDefence {
  const a = Math.fround(lo);
  const b = Math.fround(hi);
  if (!(a <= b)) throw new RsRangeError('RS_INVALID_ARG_VALUE', `step table: empty range [${lo}, ${hi}]`);
  const kA = level(a);
  const kB = level(b);
  if (kB - kA > 1 << 22) throw new RsRangeError('RS_INVALID_ARG_VALUE', `step table: ${kB - kA} steps over [${lo}, ${hi}] is too many for a device table`);
  const thresholds = new Float32Array(kB - kA + 2);
  const values = new Float32Array(kB - kA + 3);
  thresholds[0] = a;
  values[0] = Number.NaN;
  values[1] = output(kA);
  let low = key(a);
  for (let k = kA + 1; k <= kB; k++) {
    // Smallest float32 v in (previous threshold, b] with level(v) >= k.
    let high = key(b);
    while (low < high) {
      const mid = Math.floor((low + high) / 2);
      if (level(fromKey(mid)) >= k) high = mid;
      else low = mid + 1;
    }
    thresholds[k - kA] = fromKey(low);
    values[k - kA + 1] = output(k);
  }
  thresholds[thresholds.length - 1] = fromKey(key(b) + 1);
  values[values.length - 1] = Number.NaN;
  return { kind: 'step', thresholds, values };
}
