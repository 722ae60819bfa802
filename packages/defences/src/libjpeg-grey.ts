/**
 * The lossy half of a baseline greyscale JPEG round trip exactly as libjpeg(-turbo) computes it
 * with its default "islow" integer DCT (what Pillow, and so ART's `JpegCompression`, uses): edge
 * replication to whole 8 x 8 blocks, level shift, `jfdctint.c`'s forward DCT, `jcdctmgr.c`'s
 * rounding quantization with the Annex K luminance table scaled by `jpeg_set_quality`, then
 * dequantization, `jidctint.c`'s inverse DCT and the range limit. Huffman coding is lossless and
 * left out: the pixels are those of a decode of the JPEG file libjpeg would write.
 */

const CONST_BITS = 13;
const PASS1_BITS = 2;
const FIX_0_298631336 = 2446;
const FIX_0_390180644 = 3196;
const FIX_0_541196100 = 4433;
const FIX_0_765366865 = 6270;
const FIX_0_899976223 = 7373;
const FIX_1_175875602 = 9633;
const FIX_1_501321110 = 12299;
const FIX_1_847759065 = 15137;
const FIX_1_961570560 = 16069;
const FIX_2_053119869 = 16819;
const FIX_2_562915447 = 20995;
const FIX_3_072711026 = 25172;

/** Annex K luminance quantization table, natural (row-major) order, as libjpeg's jcparam.c. */
const STD_LUMINANCE = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103,
  77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];

/** `DESCALE(x, n)`: round-half-up arithmetic right shift. */
function descale(x: number, n: number): number {
  return Math.floor((x + 2 ** (n - 1)) / 2 ** n);
}

/**
 * The luminance table libjpeg uses at `quality` (`jpeg_set_quality(cinfo, quality, TRUE)`).
 */
export function luminanceTable(quality: number): Int32Array {
  const q = Math.min(100, Math.max(1, quality));
  const scale = q < 50 ? Math.floor(5000 / q) : 200 - q * 2;
  return Int32Array.from(STD_LUMINANCE, (b) => Math.min(255, Math.max(1, Math.floor((b * scale + 50) / 100))));
}

/** The 1-D islow butterfly shared by both DCT passes: even outputs from `tmp0..3`, odd from `tmp4..7`. */
function fdct1d(d: Float64Array | Int32Array, o: number, s: number, evenShift: number, shift: number, final: boolean): void {
  const d0 = d[o]!;
  const d1 = d[o + s]!;
  const d2 = d[o + 2 * s]!;
  const d3 = d[o + 3 * s]!;
  const d4 = d[o + 4 * s]!;
  const d5 = d[o + 5 * s]!;
  const d6 = d[o + 6 * s]!;
  const d7 = d[o + 7 * s]!;
  const tmp0 = d0 + d7;
  let tmp7 = d0 - d7;
  const tmp1 = d1 + d6;
  let tmp6 = d1 - d6;
  const tmp2 = d2 + d5;
  let tmp5 = d2 - d5;
  const tmp3 = d3 + d4;
  let tmp4 = d3 - d4;
  const tmp10 = tmp0 + tmp3;
  const tmp13 = tmp0 - tmp3;
  const tmp11 = tmp1 + tmp2;
  const tmp12 = tmp1 - tmp2;
  d[o] = final ? descale(tmp10 + tmp11, evenShift) : (tmp10 + tmp11) * 2 ** evenShift;
  d[o + 4 * s] = final ? descale(tmp10 - tmp11, evenShift) : (tmp10 - tmp11) * 2 ** evenShift;
  let z1 = (tmp12 + tmp13) * FIX_0_541196100;
  d[o + 2 * s] = descale(z1 + tmp13 * FIX_0_765366865, shift);
  d[o + 6 * s] = descale(z1 - tmp12 * FIX_1_847759065, shift);
  z1 = tmp4 + tmp7;
  let z2 = tmp5 + tmp6;
  let z3 = tmp4 + tmp6;
  let z4 = tmp5 + tmp7;
  const z5 = (z3 + z4) * FIX_1_175875602;
  tmp4 *= FIX_0_298631336;
  tmp5 *= FIX_2_053119869;
  tmp6 *= FIX_3_072711026;
  tmp7 *= FIX_1_501321110;
  z1 *= -FIX_0_899976223;
  z2 *= -FIX_2_562915447;
  z3 = z3 * -FIX_1_961570560 + z5;
  z4 = z4 * -FIX_0_390180644 + z5;
  d[o + 7 * s] = descale(tmp4 + z1 + z3, shift);
  d[o + 5 * s] = descale(tmp5 + z2 + z4, shift);
  d[o + 3 * s] = descale(tmp6 + z2 + z3, shift);
  d[o + s] = descale(tmp7 + z1 + z4, shift);
}

/** jidctint.c's 1-D pass: `out[k * so]` from `inp[k * si]`, descaled by `shift`. */
function idct1d(inp: Float64Array, io: number, si: number, out: Float64Array, oo: number, so: number, shift: number): void {
  let z2 = inp[io + 2 * si]!;
  let z3 = inp[io + 6 * si]!;
  let z1 = (z2 + z3) * FIX_0_541196100;
  const tmp2e = z1 - z3 * FIX_1_847759065;
  const tmp3e = z1 + z2 * FIX_0_765366865;
  z2 = inp[io]!;
  z3 = inp[io + 4 * si]!;
  const tmp0e = (z2 + z3) * 2 ** CONST_BITS;
  const tmp1e = (z2 - z3) * 2 ** CONST_BITS;
  const tmp10 = tmp0e + tmp3e;
  const tmp13 = tmp0e - tmp3e;
  const tmp11 = tmp1e + tmp2e;
  const tmp12 = tmp1e - tmp2e;
  let tmp0 = inp[io + 7 * si]!;
  let tmp1 = inp[io + 5 * si]!;
  let tmp2 = inp[io + 3 * si]!;
  let tmp3 = inp[io + si]!;
  z1 = tmp0 + tmp3;
  z2 = tmp1 + tmp2;
  z3 = tmp0 + tmp2;
  let z4 = tmp1 + tmp3;
  const z5 = (z3 + z4) * FIX_1_175875602;
  tmp0 *= FIX_0_298631336;
  tmp1 *= FIX_2_053119869;
  tmp2 *= FIX_3_072711026;
  tmp3 *= FIX_1_501321110;
  z1 *= -FIX_0_899976223;
  z2 *= -FIX_2_562915447;
  z3 = z3 * -FIX_1_961570560 + z5;
  z4 = z4 * -FIX_0_390180644 + z5;
  tmp0 += z1 + z3;
  tmp1 += z2 + z4;
  tmp2 += z2 + z3;
  tmp3 += z1 + z4;
  out[oo] = descale(tmp10 + tmp3, shift);
  out[oo + 7 * so] = descale(tmp10 - tmp3, shift);
  out[oo + so] = descale(tmp11 + tmp2, shift);
  out[oo + 6 * so] = descale(tmp11 - tmp2, shift);
  out[oo + 2 * so] = descale(tmp12 + tmp1, shift);
  out[oo + 5 * so] = descale(tmp12 - tmp1, shift);
  out[oo + 3 * so] = descale(tmp13 + tmp0, shift);
  out[oo + 4 * so] = descale(tmp13 - tmp0, shift);
}

/** libjpeg's post-IDCT range limit: `sample_range_limit + CENTERJSAMPLE` indexed by `x & 1023`. */
function rangeLimit(x: number): number {
  const i = x & 1023;
  if (i < 128) return i + 128;
  if (i < 512) return 255;
  if (i < 896) return 0;
  return i - 896;
}

/**
 * A greyscale JPEG encode + decode of a `width` x `height` 8-bit image at `quality`, in place, bit
 * for bit as libjpeg-turbo (islow DCT, default settings, baseline tables).
 */
export function libjpegGreyRoundTrip(pixels: Uint8Array, width: number, height: number, quality: number): void {
  const table = luminanceTable(quality);
  const block = new Float64Array(64);
  const work = new Float64Array(64);
  const out = new Float64Array(64);
  for (let by = 0; by < height; by += 8) {
    for (let bx = 0; bx < width; bx += 8) {
      // Edge replication (jcprepct.c / jcsample.c) and level shift.
      for (let y = 0; y < 8; y++) {
        const sy = Math.min(by + y, height - 1);
        for (let x = 0; x < 8; x++) block[y * 8 + x] = pixels[sy * width + Math.min(bx + x, width - 1)]! - 128;
      }
      for (let r = 0; r < 8; r++) fdct1d(block, r * 8, 1, PASS1_BITS, CONST_BITS - PASS1_BITS, false);
      for (let c = 0; c < 8; c++) fdct1d(block, c, 8, PASS1_BITS, CONST_BITS + PASS1_BITS, true);
      // Quantize (jcdctmgr.c: divisor = 8 * quantval, rounding half away from zero), dequantize.
      for (let i = 0; i < 64; i++) {
        const qval = table[i]! * 8;
        let t = Math.abs(block[i]!) + (qval >> 1);
        t = t >= qval ? Math.floor(t / qval) : 0;
        block[i] = (block[i]! < 0 ? -t : t) * table[i]!;
      }
      for (let c = 0; c < 8; c++) idct1d(block, c, 8, work, c, 8, CONST_BITS - PASS1_BITS);
      for (let r = 0; r < 8; r++) idct1d(work, r * 8, 1, out, r * 8, 1, CONST_BITS + PASS1_BITS + 3);
      for (let y = 0; y < 8 && by + y < height; y++) {
        for (let x = 0; x < 8 && bx + x < width; x++) pixels[(by + y) * width + bx + x] = rangeLimit(out[y * 8 + x]!);
      }
    }
  }
}
