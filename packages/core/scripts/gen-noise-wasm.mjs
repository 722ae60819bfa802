#!/usr/bin/env node
// Generates the WebAssembly SIMD noise kernel of @rs/core:
//   src/noise/philox-normal.wat         (readable text, generated from buildWat() below)
//   src/noise/wasm-bytes.generated.ts   (the assembled binary, base64, imported at runtime)
// Usage: node scripts/gen-noise-wasm.mjs          (regenerate both files)
//        node scripts/gen-noise-wasm.mjs --check  (exit 1 if they are stale)
// Needs the devDependency `wabt` (the JS port of the WebAssembly Binary Toolkit).
// test/noise/wasm-generated.test.ts checks that the committed files are up to date.
//
// The kernel performs exactly the float32 operations of src/noise/box-muller.ts
// (see the layout comment in src/noise/stream-layout.ts), in the same order and
// without fused multiply-add, so its output is bitwise identical to the JS reference.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const WAT_PATH = resolve(here, '../src/noise/philox-normal.wat');
export const TS_PATH = resolve(here, '../src/noise/wasm-bytes.generated.ts');

/** Exact hex literal of a float32 value (normal numbers only). */
function f32(x) {
  if (x === 0) return '0x0p+0';
  const dv = new DataView(new ArrayBuffer(4));
  dv.setFloat32(0, x);
  if (dv.getFloat32(0) !== x) throw new Error(`${x} is not a float32`);
  const b = dv.getUint32(0);
  const sign = b >>> 31 ? '-' : '';
  const exp = ((b >>> 23) & 0xff) - 127;
  const mant = ((b & 0x7fffff) << 1).toString(16).padStart(6, '0'); // 23 bits -> 24 = 6 hex digits
  return `${sign}0x1.${mant}p${exp >= 0 ? '+' : ''}${exp}`;
}
const splat = (x) => `(v128.const f32x4 ${f32(x)} ${f32(x)} ${f32(x)} ${f32(x)})`;
const isplat = (x) => `(v128.const i32x4 ${x} ${x} ${x} ${x})`;
/** i8x16.shuffle lane list from 32-bit word indices (0-3 first operand, 4-7 second). */
const words = (...w) => w.map((k) => [0, 1, 2, 3].map((i) => 4 * k + i).join(' ')).join(' ');

const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;
const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;

// Same float32 constants as src/noise/box-muller.ts.
const fr = Math.fround;
const U_MAX = 1 - 2 ** -24;
const LN2_HI = 0xb17180 * 2 ** -24;
const LN2_LO = fr(9.05800061445916e-6);
const LG = [0xaaaaaa * 2 ** -24, 0xccce13 * 2 ** -25, 0x91e9ee * 2 ** -25, 0xf89e26 * 2 ** -26];
const SIN_S = [fr(-1.6666654611e-1), fr(8.3321608736e-3), fr(-1.9515295891e-4)];
const COS_C = [fr(4.166664568298827e-2), fr(-1.388731625493765e-3), fr(2.443315711809948e-5)];
const ANGLE_STEP = fr(Math.PI) * 2 ** -23;
// Same float32 constants as src/noise/families.ts.
const UNIFORM_STEP = fr(Math.sqrt(3) * 2 ** -23);
const LAPLACE_FACTOR = fr(-Math.SQRT1_2);

/** Horner: c0 + x (c1 + x (c2 + ...)), innermost last, as (f32x4) WAT. */
function horner(x, coeffs) {
  let e = splat(coeffs[coeffs.length - 1]);
  for (let i = coeffs.length - 2; i >= 0; i--) {
    e = `(f32x4.add ${splat(coeffs[i])} (f32x4.mul (local.get ${x}) ${e}))`;
  }
  return e;
}

/**
 * Box-Muller of 4 lanes in float32: xe / xo are i32x4 expressions (the even / odd Philox
 * words of 4 blocks); writes r cos 2 pi u_odd to zc and r sin 2 pi u_odd to zs.
 */
/** ln u (musl logf) of the f32x4 in $u: sets $ix $kf $f $s $z $w $hf; returns the expression of ln u. */
function logOfU() {
  const setup = `
    ;; ln u (musl logf): u = 2^k (1 + f)
    (local.set $ix (i32x4.sub (local.get $u) ${isplat(0x3f3504f3)}))
    (local.set $kf (f32x4.convert_i32x4_s (i32x4.shr_s (local.get $ix) (i32.const 23))))
    (local.set $f (f32x4.sub (i32x4.add (v128.and (local.get $ix) ${isplat(0x7fffff)}) ${isplat(0x3f3504f3)}) ${splat(1)}))
    (local.set $s (f32x4.div (local.get $f) (f32x4.add ${splat(2)} (local.get $f))))
    (local.set $z (f32x4.mul (local.get $s) (local.get $s)))
    (local.set $w (f32x4.mul (local.get $z) (local.get $z)))
    (local.set $hf (f32x4.mul (f32x4.mul ${splat(0.5)} (local.get $f)) (local.get $f)))`;
  const value = `(f32x4.add
        (f32x4.add
          (f32x4.sub
            (f32x4.add
              (f32x4.mul (local.get $s) (f32x4.add (local.get $hf)
                (f32x4.add
                  (f32x4.mul (local.get $z) (f32x4.add ${splat(LG[0])} (f32x4.mul (local.get $w) ${splat(LG[2])})))
                  (f32x4.mul (local.get $w) (f32x4.add ${splat(LG[1])} (f32x4.mul (local.get $w) ${splat(LG[3])}))))))
              (f32x4.mul (local.get $kf) ${splat(LN2_LO)}))
            (local.get $hf))
          (local.get $f))
        (f32x4.mul (local.get $kf) ${splat(LN2_HI)}))`;
  return { setup, value };
}

function boxMuller(xe, xo, zc, zs) {
  const ln = logOfU();
  return `
    ;; ---- Box-Muller (float32), 4 lanes -> ${zc} (cos), ${zs} (sin)
    ;; radius uniform u = min((x >>> 8) 2^-24 + ((x & 255) + 0.5) 2^-32, 1 - 2^-24)
    (local.set $u (f32x4.pmin
      (f32x4.add
        (f32x4.mul (f32x4.convert_i32x4_s (i32x4.shr_u ${xe} (i32.const 8))) ${splat(2 ** -24)})
        (f32x4.mul (f32x4.add (f32x4.convert_i32x4_s (v128.and ${xe} ${isplat(255)})) ${splat(0.5)}) ${splat(2 ** -32)}))
      ${splat(U_MAX)}))${ln.setup}
    (local.set $r (f32x4.sqrt (f32x4.mul
      ${ln.value}
      ${splat(-2)})))
    ;; angle: 2 pi u_odd = q pi/2 + a, q = (x + 2^29) >>> 30, a = (((x << 2) >> 10) + 0.5) step
    (local.set $n (i32x4.add ${xo} ${isplat(0x20000000)}))
    (local.set $n1 (i32x4.shl (local.get $n) (i32.const 1)))
    (local.set $a (f32x4.mul
      (f32x4.add (f32x4.convert_i32x4_s (i32x4.shr_s (i32x4.shl ${xo} (i32.const 2)) (i32.const 10))) ${splat(0.5)})
      ${splat(ANGLE_STEP)}))
    (local.set $t (f32x4.mul (local.get $a) (local.get $a)))
    (local.set $sa (f32x4.add (local.get $a) (f32x4.mul (f32x4.mul (local.get $a) (local.get $t)) ${horner('$t', SIN_S)})))
    (local.set $ca (f32x4.add ${splat(1)} (f32x4.mul (local.get $t) ${horner('$t', [-0.5, ...COS_C])})))
    (local.set $swap (i32x4.shr_s (local.get $n1) (i32.const 31)))
    (local.set ${zc} (f32x4.mul (local.get $r)
      (v128.xor (v128.bitselect (local.get $sa) (local.get $ca) (local.get $swap))
                (v128.and (v128.xor (local.get $n) (local.get $n1)) ${isplat(0x80000000)}))))
    (local.set ${zs} (f32x4.mul (local.get $r)
      (v128.xor (v128.bitselect (local.get $ca) (local.get $sa) (local.get $swap))
                (v128.and (local.get $n) ${isplat(0x80000000)}))))`;
}

/** Groups of 4 lanes (blocks) per loop iteration. 2 (interleaved chains) measured no faster than 1 on Zen 5 / Node 20, so 1. */
const GROUPS = 1;
const LANES = 4 * GROUPS;
/** Name of Philox word w (0..3) of group g: $x0..$x3 for group 0, $y0..$y3 for group 1, ... */
const xv = (g, w) => `$${'xyvw'[g]}${w}`;

function laneSetup(L) {
  const g = L >> 2;
  const l = L & 3;
  return `
      ;; lane ${L}: block b of sample jj
      (local.set $a${L} (i32.add (local.get $row) (i32.shl (local.get $b) (i32.const 4))))
      (local.set $f${L} (i32.shl (local.get $b) (i32.const 4)))
      (local.set ${xv(g, 0)} (i32x4.replace_lane ${l} (local.get ${xv(g, 0)}) (local.get $b)))
      (local.set ${xv(g, 1)} (i32x4.replace_lane ${l} (local.get ${xv(g, 1)}) (local.get $jj)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (if (i32.eq (local.get $b) (local.get $nb))
        (then
          (local.set $b (i32.const 0))
          (local.set $jj (i32.add (local.get $jj) (i32.const 1)))
          (local.set $row (i32.add (local.get $row) (local.get $rowBytes)))))`;
}

function philoxRound(r, g) {
  const K0 = 32 * r;
  const K1 = 32 * r + 16;
  const [x0, x1, x2, x3] = [0, 1, 2, 3].map((w) => xv(g, w));
  return `
      ;; Philox round ${r}, group ${g}
      (local.set $h0 (i8x16.shuffle ${words(1, 3, 5, 7)}
        (i64x2.extmul_low_i32x4_u (local.get ${x0}) (local.get $m0))
        (i64x2.extmul_high_i32x4_u (local.get ${x0}) (local.get $m0))))
      (local.set $l0 (i32x4.mul (local.get ${x0}) (local.get $m0)))
      (local.set $h1 (i8x16.shuffle ${words(1, 3, 5, 7)}
        (i64x2.extmul_low_i32x4_u (local.get ${x2}) (local.get $m1))
        (i64x2.extmul_high_i32x4_u (local.get ${x2}) (local.get $m1))))
      (local.set ${x0} (v128.xor (local.get $h1) (v128.xor (local.get ${x1}) (v128.load offset=${K0} (i32.const 0)))))
      (local.set ${x1} (i32x4.mul (local.get ${x2}) (local.get $m1)))
      (local.set ${x2} (v128.xor (local.get $h0) (v128.xor (local.get ${x3}) (v128.load offset=${K1} (i32.const 0)))))
      (local.set ${x3} (local.get $l0))`;
}

/** Box-Muller of group g and the 4x4 transpose into $z(4g) .. $z(4g+3) (lane L's 4 normals). */
function groupNormals(g) {
  const z = (l) => `$z${4 * g + l}`;
  return `${boxMuller(`(local.get ${xv(g, 0)})`, `(local.get ${xv(g, 1)})`, '$zc0', '$zs0')}
${boxMuller(`(local.get ${xv(g, 2)})`, `(local.get ${xv(g, 3)})`, '$zc1', '$zs1')}
      ;; transpose: z_L = (zc0, zs0, zc1, zs1)[L] = the 4 normals of lane L's block
      (local.set $t0 (i8x16.shuffle ${words(0, 4, 1, 5)} (local.get $zc0) (local.get $zs0)))
      (local.set $t1 (i8x16.shuffle ${words(2, 6, 3, 7)} (local.get $zc0) (local.get $zs0)))
      (local.set $t2 (i8x16.shuffle ${words(0, 4, 1, 5)} (local.get $zc1) (local.get $zs1)))
      (local.set $t3 (i8x16.shuffle ${words(2, 6, 3, 7)} (local.get $zc1) (local.get $zs1)))
      (local.set ${z(0)} (i8x16.shuffle ${words(0, 1, 4, 5)} (local.get $t0) (local.get $t2)))
      (local.set ${z(1)} (i8x16.shuffle ${words(2, 3, 6, 7)} (local.get $t0) (local.get $t2)))
      (local.set ${z(2)} (i8x16.shuffle ${words(0, 1, 4, 5)} (local.get $t1) (local.get $t3)))
      (local.set ${z(3)} (i8x16.shuffle ${words(2, 3, 6, 7)} (local.get $t1) (local.get $t3)))`;
}

/** Uniform family: fl(f32((x >> 8) | 1) * US) of the i32x4 expression x into local `dst`. */
function uniformUnits(x, dst) {
  return `
    ;; ---- uniform (float32), 4 lanes -> ${dst}: fl(f32((x >> 8) | 1) * float32(sqrt(3) 2^-23))
    (local.set ${dst} (f32x4.mul
      (f32x4.convert_i32x4_s (v128.or (i32x4.shr_s ${x} (i32.const 8)) ${isplat(1)}))
      ${splat(UNIFORM_STEP)}))`;
}

/** Laplace family: sign of x times fl(ln u * float32(-1/sqrt 2)), u from the low 31 bits, into local `dst`. */
function laplaceUnits(x, dst) {
  const ln = logOfU();
  return `
    ;; ---- Laplace (float32), 4 lanes -> ${dst}
    ;; u = min(((x << 1) >>> 8) 2^-24 + ((x & 127) + 0.5) 2^-31, 1 - 2^-24)
    (local.set $u (f32x4.pmin
      (f32x4.add
        (f32x4.mul (f32x4.convert_i32x4_s (i32x4.shr_u (i32x4.shl ${x} (i32.const 1)) (i32.const 8))) ${splat(2 ** -24)})
        (f32x4.mul (f32x4.add (f32x4.convert_i32x4_s (v128.and ${x} ${isplat(127)})) ${splat(0.5)}) ${splat(2 ** -31)}))
      ${splat(U_MAX)}))${ln.setup}
    (local.set ${dst} (v128.xor
      (f32x4.mul
      ${ln.value}
      ${splat(LAPLACE_FACTOR)})
      (v128.and ${x} ${isplat(0x80000000)})))`;
}

/** Uniform (family 1) or Laplace (2) values of group g, one per Philox word, transposed into $z(4g) .. $z(4g+3). */
function groupUnits(g, family) {
  const z = (l) => `$z${4 * g + l}`;
  const unit = family === 1 ? uniformUnits : laplaceUnits;
  const dst = ['$zc0', '$zs0', '$zc1', '$zs1'];
  return `${[0, 1, 2, 3].map((w) => unit(`(local.get ${xv(g, w)})`, dst[w])).join('')}
      ;; transpose: z_L = (v0, v1, v2, v3)[L] = the 4 values of lane L's block
      (local.set $t0 (i8x16.shuffle ${words(0, 4, 1, 5)} (local.get $zc0) (local.get $zs0)))
      (local.set $t1 (i8x16.shuffle ${words(2, 6, 3, 7)} (local.get $zc0) (local.get $zs0)))
      (local.set $t2 (i8x16.shuffle ${words(0, 4, 1, 5)} (local.get $zc1) (local.get $zs1)))
      (local.set $t3 (i8x16.shuffle ${words(2, 6, 3, 7)} (local.get $zc1) (local.get $zs1)))
      (local.set ${z(0)} (i8x16.shuffle ${words(0, 1, 4, 5)} (local.get $t0) (local.get $t2)))
      (local.set ${z(1)} (i8x16.shuffle ${words(2, 3, 6, 7)} (local.get $t0) (local.get $t2)))
      (local.set ${z(2)} (i8x16.shuffle ${words(0, 1, 4, 5)} (local.get $t1) (local.get $t3)))
      (local.set ${z(3)} (i8x16.shuffle ${words(2, 3, 6, 7)} (local.get $t1) (local.get $t3)))`;
}

function storeLane(L) {
  return `
          (local.set $v (f32x4.add (v128.load (i32.add (local.get $base) (local.get $f${L})))
                                   (f32x4.mul (local.get $scalev) (local.get $z${L}))))
          (if (i32.eq (local.get $mode) (i32.const 2))
            (then (local.set $v (f32x4.pmin
              (f32x4.pmax (local.get $v) (v128.load (i32.add (local.get $lo) (local.get $f${L}))))
              (v128.load (i32.add (local.get $hi) (local.get $f${L})))))))
          (v128.store (local.get $a${L}) (local.get $v))`;
}

/** The WebAssembly text of the kernel. */
export function buildWat() {
  const keyInit = [];
  for (let r = 0; r < 10; r++) {
    keyInit.push(
      `    (v128.store offset=${32 * r} (i32.const 0) (i32x4.splat (i32.add (local.get $k0) (i32.const ${(r * W0) >>> 0}))))`,
      `    (v128.store offset=${32 * r + 16} (i32.const 0) (i32x4.splat (i32.add (local.get $k1) (i32.const ${(r * W1) >>> 0}))))`,
    );
  }
  const lanes = Array.from({ length: LANES }, (_, L) => L);
  const groups = Array.from({ length: GROUPS }, (_, g) => g);
  const rounds = [];
  for (let r = 0; r < 10; r++) for (const g of groups) rounds.push(philoxRound(r, g));
  const decl = (names) => names.map((n) => `(local ${n} v128)`).join(' ');
  const loop = (family) => familyLoop(family, lanes, groups, rounds);
  return `;; GENERATED by packages/core/scripts/gen-noise-wasm.mjs -- do not edit by hand.
;; Philox4x32-10 noise kernel of @rs/core: float32 Box-Muller (Gaussian), uniform and Laplace
;; (stream layout and noise families: src/noise/stream-layout.ts).
;; Memory: bytes [0, 320) hold the 10 splatted round keys (k0 at 32r, k1 at 32r+16);
;; the caller places base / clip bounds / output elsewhere (see src/noise/wasm-generator.ts).
;; Each loop iteration computes ${LANES} blocks (${GROUPS} groups of 4 lanes, interleaved for latency).
(module
  (memory (export "memory") 1)
  ;; fill(out, base, lo, hi, mode, k0, k1, stream, input, j0, rows, dim, scale, family)
  ;; Writes rows*dim float32 at byte address out (plus up to ${16 * (LANES - 1) + 12} bytes of scratch past the end).
  ;; mode 0: unit-variance values z; 1: base + scale*z; 2: base + scale*z clamped to [lo, hi].
  ;; family 0: Gaussian (Box-Muller); 1: uniform; 2: Laplace.
  ;; base / lo / hi must be readable for ceil(dim/4)*4 floats.
  (func (export "fill")
    (param $out i32) (param $base i32) (param $lo i32) (param $hi i32) (param $mode i32)
    (param $k0 i32) (param $k1 i32) (param $stream i32) (param $input i32)
    (param $j0 i32) (param $rows i32) (param $dim i32) (param $scale f32) (param $family i32)
    (local $nb i32) (local $groups i32) (local $rowBytes i32) (local $b i32) (local $jj i32) (local $row i32)
    ${lanes.map((L) => `(local $a${L} i32)`).join(' ')}
    ${lanes.map((L) => `(local $f${L} i32)`).join(' ')}
    (local $m0 v128) (local $m1 v128) (local $c2 v128) (local $c3 v128) (local $scalev v128)
${groups.map((g) => `    ${decl([0, 1, 2, 3].map((w) => xv(g, w)))}`).join('\n')}
    (local $h0 v128) (local $l0 v128) (local $h1 v128)
    (local $u v128) (local $ix v128) (local $kf v128) (local $f v128) (local $s v128) (local $z v128)
    (local $w v128) (local $hf v128) (local $r v128) (local $n v128) (local $n1 v128) (local $a v128)
    (local $t v128) (local $sa v128) (local $ca v128) (local $swap v128)
    (local $zc0 v128) (local $zs0 v128) (local $zc1 v128) (local $zs1 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    ${decl(lanes.map((L) => `$z${L}`))} (local $v v128)
${keyInit.join('\n')}
    (local.set $nb (i32.shr_u (i32.add (local.get $dim) (i32.const 3)) (i32.const 2)))
    (local.set $groups (i32.shr_u (i32.add (i32.mul (local.get $rows) (local.get $nb)) (i32.const ${LANES - 1})) (i32.const ${Math.log2(LANES)})))
    (local.set $rowBytes (i32.shl (local.get $dim) (i32.const 2)))
    (local.set $jj (local.get $j0))
    (local.set $row (local.get $out))
    (local.set $m0 (i32x4.splat (i32.const ${M0})))
    (local.set $m1 (i32x4.splat (i32.const ${M1})))
    (local.set $c2 (i32x4.splat (local.get $input)))
    (local.set $c3 (i32x4.splat (local.get $stream)))
    (local.set $scalev (f32x4.splat (local.get $scale)))
    ;; one loop per noise family (the family test is outside the loops)
    (if (i32.eqz (local.get $family))
      (then${loop(0)})
      (else
        (if (i32.eq (local.get $family) (i32.const 1))
          (then${loop(1)})
          (else${loop(2)}))))
  )
${buildSoundFunc(keyInit, rounds)}
)
`;
}

/** Sound mode, one coordinate: the discretized Gaussian sample of U = uh 2^32 + ul, added to grid[f], as float32((m + j) / levels). */
function soundCoordinate(L, w) {
  const src = w === 0 ? ['$x0', '$x1'] : ['$x2', '$x3'];
  return `
      ;; lane ${L}, coordinate 2b + ${w}: j = -J + #{k : T_k <= U}, U = ${src[0]}[${L}] 2^32 + ${src[1]}[${L}]
      (local.set $uh (i32x4.extract_lane ${L} (local.get ${src[0]})))
      (local.set $ul (i32x4.extract_lane ${L} (local.get ${src[1]})))
      (local.set $k (i32.load (i32.add (local.get $guide) (i32.shl (i32.shr_u (local.get $uh) (i32.const 20)) (i32.const 2)))))
      (block $found${L}${w}
        (loop $scan${L}${w}
          (br_if $found${L}${w} (i32.ge_u (local.get $k) (local.get $n)))
          (local.set $th (i32.load (i32.add (local.get $thi) (i32.shl (local.get $k) (i32.const 2)))))
          (br_if $found${L}${w} (i32.gt_u (local.get $th) (local.get $uh)))
          (if (i32.eq (local.get $th) (local.get $uh))
            (then (br_if $found${L}${w} (i32.gt_u (i32.load (i32.add (local.get $tlo) (i32.shl (local.get $k) (i32.const 2)))) (local.get $ul)))))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br $scan${L}${w})))
      (local.set $fo (i32.add (local.get $f${L}) (i32.const ${4 * w})))
      (local.set $val (f32.demote_f64 (f64.div
        (f64.convert_i32_s (i32.add (i32.load (i32.add (local.get $grid) (local.get $fo))) (i32.sub (local.get $k) (local.get $J))))
        (local.get $levels))))
      (if (i32.eq (local.get $mode) (i32.const 2))
        (then
          (local.set $lim (f32.load (i32.add (local.get $lo) (local.get $fo))))
          (local.set $val (select (local.get $lim) (local.get $val) (f32.lt (local.get $val) (local.get $lim))))
          (local.set $lim (f32.load (i32.add (local.get $hi) (local.get $fo))))
          (local.set $val (select (local.get $lim) (local.get $val) (f32.lt (local.get $lim) (local.get $val))))))
      (f32.store (i32.add (local.get $a${L}) (i32.const ${4 * w})) (local.get $val))`;
}

/** Sound-mode lane setup: block b of sample jj covers coordinates 2b, 2b + 1 (8 bytes). */
function soundLaneSetup(L) {
  return laneSetup(L).replaceAll('(i32.const 4)', '(i32.const 3)');
}

/** The sound mode's kernel (src/sound/sound-sampler.ts, bitwise): Philox blocks, then the table search per coordinate. */
function buildSoundFunc(keyInit, rounds) {
  const lanes = [0, 1, 2, 3];
  const setup = lanes.map(soundLaneSetup).join('\n');
  return `  ;; fill_sound(out, grid, lo, hi, mode, k0, k1, stream, input, j0, rows, dim, levels, thi, tlo, guide, n, J)
  ;; The sound mode (src/sound/sound-sampler.ts): coordinate 2b (2b + 1) of a sample takes U = x0 2^32 + x1
  ;; (x2 2^32 + x3) of its Philox block b, j = -J + #{k : T_k <= U} against the n = 2J thresholds
  ;; (high words at thi, low words at tlo, increasing; guide: 4097 start indices by the top 12 bits of U),
  ;; and writes float32((grid[f] + j) / levels) (f64 division, then rounded), clamped to [lo, hi] in mode 2.
  ;; grid / lo / hi must be readable for dim + 1 values (an odd dim's last block reads one more).
  (func (export "fill_sound")
    (param $out i32) (param $grid i32) (param $lo i32) (param $hi i32) (param $mode i32)
    (param $k0 i32) (param $k1 i32) (param $stream i32) (param $input i32)
    (param $j0 i32) (param $rows i32) (param $dim i32) (param $levels f64)
    (param $thi i32) (param $tlo i32) (param $guide i32) (param $n i32) (param $J i32)
    (local $nb i32) (local $groups i32) (local $rowBytes i32) (local $b i32) (local $jj i32) (local $row i32)
    (local $a0 i32) (local $a1 i32) (local $a2 i32) (local $a3 i32)
    (local $f0 i32) (local $f1 i32) (local $f2 i32) (local $f3 i32)
    (local $uh i32) (local $ul i32) (local $k i32) (local $th i32) (local $fo i32) (local $val f32) (local $lim f32)
    (local $m0 v128) (local $m1 v128) (local $c2 v128) (local $c3 v128)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128)
    (local $h0 v128) (local $l0 v128) (local $h1 v128)
${keyInit.join('\n')}
    (local.set $nb (i32.shr_u (i32.add (local.get $dim) (i32.const 1)) (i32.const 1)))
    (local.set $groups (i32.shr_u (i32.add (i32.mul (local.get $rows) (local.get $nb)) (i32.const 3)) (i32.const 2)))
    (local.set $rowBytes (i32.shl (local.get $dim) (i32.const 2)))
    (local.set $jj (local.get $j0))
    (local.set $row (local.get $out))
    (local.set $m0 (i32x4.splat (i32.const ${M0})))
    (local.set $m1 (i32x4.splat (i32.const ${M1})))
    (local.set $c2 (i32x4.splat (local.get $input)))
    (local.set $c3 (i32x4.splat (local.get $stream)))
    (block $done
      (br_if $done (i32.eqz (local.get $groups)))
      (loop $group
${setup}
      (local.set $x2 (local.get $c2))
      (local.set $x3 (local.get $c3))
${rounds.join('\n')}
${lanes.map((L) => `${soundCoordinate(L, 0)}${soundCoordinate(L, 1)}`).join('\n')}
      (local.set $groups (i32.sub (local.get $groups) (i32.const 1)))
      (br_if $group (local.get $groups))))
  )`;
}

/** The group loop of one noise family (0 Gaussian, 1 uniform, 2 Laplace). */
function familyLoop(family, lanes, groups, rounds) {
  const values = family === 0 ? groups.map(groupNormals) : groups.map((g) => groupUnits(g, family));
  return `
    ;; ======== family ${family} (${['gaussian', 'uniform', 'laplace'][family]})
    (block $done${family}
      (br_if $done${family} (i32.eqz (local.get $groups)))
      (loop $group${family}
${lanes.map(laneSetup).join('\n')}
${groups.map((g) => `      (local.set ${xv(g, 2)} (local.get $c2))\n      (local.set ${xv(g, 3)} (local.get $c3))`).join('\n')}
${rounds.join('\n')}
${values.join('\n')}
      ;; stores in lane order (a truncated last block's surplus is overwritten by the next row)
      (if (i32.eqz (local.get $mode))
        (then
${lanes.map((L) => `          (v128.store (local.get $a${L}) (local.get $z${L}))`).join('\n')})
        (else
${lanes.map(storeLane).join('\n')}))
      (local.set $groups (i32.sub (local.get $groups) (i32.const 1)))
      (br_if $group${family} (local.get $groups))))`;
}

/** Assembles WAT text with wabt (SIMD enabled). */
export async function assemble(watText) {
  const require = createRequire(import.meta.url);
  const wabt = await require('wabt')();
  const mod = wabt.parseWat('philox-normal.wat', watText, { simd: true });
  try {
    mod.resolveNames();
    mod.validate();
    return new Uint8Array(mod.toBinary({}).buffer);
  } finally {
    mod.destroy();
  }
}

/** Contents of the generated TS module holding the binary. */
export function renderTs(bytes, watText) {
  const b64 = Buffer.from(bytes).toString('base64');
  const lines = b64.match(/.{1,100}/g) ?? [];
  const sha = createHash('sha256').update(watText).digest('hex');
  return `// GENERATED by packages/core/scripts/gen-noise-wasm.mjs from src/noise/philox-normal.wat -- do not edit.
// Regenerate with: node packages/core/scripts/gen-noise-wasm.mjs

/** SHA-256 of the WAT text this binary was assembled from. */
export const NOISE_WASM_WAT_SHA256 = '${sha}';

/** Byte length of the kernel. */
export const NOISE_WASM_BYTE_LENGTH = ${bytes.length};

/** The assembled WebAssembly SIMD noise kernel, base64. */
export const NOISE_WASM_BASE64 =
${lines.map((l) => `  '${l}'`).join(' +\n')};
`;
}

/** Builds the WAT and the TS module; returns both texts. */
export async function generate() {
  const wat = buildWat();
  const bytes = await assemble(wat);
  return { wat, ts: renderTs(bytes, wat), bytes };
}

async function main() {
  const check = process.argv.includes('--check');
  const { wat, ts, bytes } = await generate();
  if (check) {
    const stale = [];
    if (readFileSync(WAT_PATH, 'utf8') !== wat) stale.push(WAT_PATH);
    if (readFileSync(TS_PATH, 'utf8') !== ts) stale.push(TS_PATH);
    if (stale.length) {
      console.error(`stale generated files (run node scripts/gen-noise-wasm.mjs):\n  ${stale.join('\n  ')}`);
      process.exit(1);
    }
    console.log('noise WASM kernel is up to date');
    return;
  }
  writeFileSync(WAT_PATH, wat);
  writeFileSync(TS_PATH, ts);
  console.log(`wrote ${WAT_PATH}\nwrote ${TS_PATH} (${bytes.length} bytes of wasm)`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
