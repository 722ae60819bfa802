/**
 * The declared input grid of the sound mode: values m / levels for integers m, each given as the
 * float32 nearest to m / levels (what `uint8 / 255` in float32 gives for levels 255).
 */

/**
 * An input value that is not on the sound mode's grid. A certificate of the sound mode holds for
 * grid points only, so such an input is refused rather than rounded.
 *
 * @example
 * try { await g.certify(x, { n }); } catch (err) { if (err instanceof OffGridInputError) console.log(err.input, err.feature, err.value); }
 */
export class OffGridInputError extends RangeError {
  override readonly name = 'OffGridInputError';
  constructor(
    /** Index of the input in the batch. */
    readonly input: number,
    /** Feature index within the input. */
    readonly feature: number,
    readonly value: number,
    readonly levels: number,
  ) {
    const m = Math.round(value * levels);
    super(
      `input ${input}, feature ${feature}: ${value} is not on the sound mode's grid m / ${levels} (nearest grid value ${Math.fround(m / levels)} = ${m}/${levels}); ` +
        `quantize inputs to the grid (e.g. uint8 / ${levels}) or configure another 'sound.levels'`,
    );
  }
}

/**
 * The integer grid coordinates m of `count` inputs of `dim` features (x = float32(m / levels)
 * exactly), or an {@link OffGridInputError} naming the first value off the grid.
 *
 * @example
 * gridCoordinates(Float32Array.of(0, Math.fround(3 / 255), 1), 3, 255); // Int32Array [0, 3, 255]
 */
export function gridCoordinates(data: Float32Array, dim: number, levels: number): Int32Array {
  const m = new Int32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    const k = Math.round(v * levels);
    if (!(Math.abs(k) < 2 ** 30) || Math.fround(k / levels) !== v) throw new OffGridInputError(Math.floor(i / dim), i % dim, v, levels);
    m[i] = k;
  }
  return m;
}
