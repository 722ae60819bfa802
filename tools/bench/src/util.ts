/** Numeric command-line flag `--name value`, or the fallback. */
export function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? Number(process.argv[i + 1]) : fallback;
}

/** Median of a list of numbers. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Samples/s of `forward` on `batch` rows of `input`: one untimed call, then the median of `repeats` timed calls. */
export async function forwardRate(
  forward: (x: Float32Array, b: number) => Float32Array | Promise<Float32Array>,
  input: Float32Array,
  batch: number,
  repeats: number,
): Promise<number> {
  await forward(input, batch);
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    await forward(input, batch);
    times.push(performance.now() - t0);
  }
  return batch / (median(times) / 1000);
}
