#!/usr/bin/env node
// Generates the WebAssembly SIMD noise kernel of @rs/core:
//   src/noise/philox-normal.wat         (readable text, generated from buildWat() below)
//   src/noise/wasm-bytes.generated.ts   (the assembled binary, base64, imported at runtime)
// Usage: node scripts/gen-noise-wasm.mjs          (regenerate both files)
//        node scripts/gen-noise-wasm.mjs --check  (exit 1 if they are stale)
// Needs the devDependency `wabt` (the JS port of the WebAssembly Binary Toolkit).
// test/noise/wasm-generated.test.ts checks that the committed files are up to date.
//
// The kernel performs exactly the binary64 operations of src/noise/box-muller.ts
// (see the layout comment in src/noise/stream-layout.ts), so its float32 output
// is bitwise identical to the JS reference.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const WAT_PATH = resolve(here, '../src/noise/philox-normal.wat');
export const TS_PATH = resolve(here, '../src/noise/wasm-bytes.generated.ts');

/** Exact hex literal of a binary64 (normal numbers only). */
function f64(x) {
  if (x === 0) return '0x0p+0';
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, x);
  const hi = dv.getUint32(0);
  const lo = dv.getUint32(4);
  const sign = hi >>> 31 ? '-' : '';
  const exp = ((hi >>> 20) & 0x7ff) - 1023;
  const mant = ((hi & 0xfffff).toString(16).padStart(5, '0') + lo.toString(16).padStart(8, '0'));
  return `${sign}0x1.${mant}p${exp >= 0 ? '+' : ''}${exp}`;
}
const splat = (x) => `(f64x2.splat (f64.const ${f64(x)}))`;
/** i8x16.shuffle lane list from 32-bit word indices (0-3 first operand, 4-7 second). */
const words = (...w) => w.map((k) => [0, 1, 2, 3].map((i) => 4 * k + i).join(' ')).join(' ');

const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;
const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;

// Same constant expressions as src/noise/box-muller.ts (so the same doubles).
const LOG_L = [2 / 3, 2 / 5, 2 / 7, 2 / 9, 2 / 11, 2 / 13, 2 / 15, 2 / 17];
const SIN_S = [-1 / 6, 1 / 120, -1 / 5040, 1 / 362880, -1 / 39916800, 1 / 6227020800, -1 / 1307674368000, 1 / 355687428096000];
const COS_C = [
  -1 / 2, 1 / 24, -1 / 720, 1 / 40320, -1 / 3628800, 1 / 479001600, -1 / 87178291200, 1 / 20922789888000, -1 / 6402373705728000,
];

/** Horner: c0 + x (c1 + x (c2 + ...)), innermost last, as (f64x2) WAT. */
function horner(x, coeffs) {
  let e = splat(coeffs[coeffs.length - 1]);
  for (let i = coeffs.length - 2; i >= 0; i--) {
    e = `(f64x2.add ${splat(coeffs[i])} (f64x2.mul (local.get ${x}) ${e}))`;
  }
  return e;
}

/** Box-Muller of one f64x2 pair of lanes: inputs i32x4 expressions whose low 2 lanes are x_even / x_odd. */
function boxMuller(xe, xo, dest) {
  return `
    ;; ---- Box-Muller, 2 pairs -> ${dest}
    (local.set $u (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_u ${xe}) ${splat(2 ** -32)}) ${splat(2 ** -33)}))
    (local.set $k (i64x2.shr_s (i64x2.sub (local.get $u) (v128.const i64x2 0x3FE6955500000000 0x3FE6955500000000)) (i32.const 52)))
    (local.set $f (f64x2.sub (i64x2.sub (local.get $u) (i64x2.shl (local.get $k) (i32.const 52))) ${splat(1)}))
    (local.set $kf (f64x2.sub (i64x2.add (local.get $k) (v128.const i64x2 0x4338000000000000 0x4338000000000000)) ${splat(6755399441055744)}))
    (local.set $s (f64x2.div (local.get $f) (f64x2.add ${splat(2)} (local.get $f))))
    (local.set $w (f64x2.mul (local.get $s) (local.get $s)))
    (local.set $r (f64x2.sqrt (f64x2.mul
      (f64x2.add
        (f64x2.mul (local.get $kf) ${splat(Math.LN2)})
        (f64x2.add (f64x2.add (local.get $s) (local.get $s))
                   (f64x2.mul (local.get $s) (f64x2.mul (local.get $w) ${horner('$w', LOG_L)}))))
      ${splat(-2)})))
    (local.set $phi (f64x2.mul
      (f64x2.sub (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_u ${xo}) ${splat(2 ** -32)}) ${splat(2 ** -33)}) ${splat(0.5)})
      ${splat(Math.PI)}))
    (local.set $t (f64x2.mul (local.get $phi) (local.get $phi)))
    (local.set $sn (f64x2.add (local.get $phi) (f64x2.mul (f64x2.mul (local.get $phi) (local.get $t)) ${horner('$t', SIN_S)})))
    (local.set $cs (f64x2.add ${splat(1)} (f64x2.mul (local.get $t) ${horner('$t', COS_C)})))
    (local.set ${dest} (i8x16.shuffle ${words(0, 4, 1, 5)}
      (f32x4.demote_f64x2_zero (f64x2.mul (local.get $r)
        (f64x2.sub (f64x2.mul (f64x2.mul (local.get $sn) (local.get $sn)) ${splat(2)}) ${splat(1)})))
      (f32x4.demote_f64x2_zero (f64x2.mul (local.get $r)
        (f64x2.mul (f64x2.mul (local.get $sn) (local.get $cs)) ${splat(-2)})))))`;
}

function laneSetup(L) {
  return `
      ;; lane ${L}: block b of sample jj
      (local.set $a${L} (i32.add (local.get $row) (i32.shl (local.get $b) (i32.const 4))))
      (local.set $f${L} (i32.shl (local.get $b) (i32.const 4)))
      (local.set $x0 (i32x4.replace_lane ${L} (local.get $x0) (local.get $b)))
      (local.set $x1 (i32x4.replace_lane ${L} (local.get $x1) (local.get $jj)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (if (i32.eq (local.get $b) (local.get $nb))
        (then
          (local.set $b (i32.const 0))
          (local.set $jj (i32.add (local.get $jj) (i32.const 1)))
          (local.set $row (i32.add (local.get $row) (local.get $rowBytes)))))`;
}

function philoxRound(r) {
  const K0 = 32 * r;
  const K1 = 32 * r + 16;
  return `
      ;; Philox round ${r}
      (local.set $h0 (i8x16.shuffle ${words(1, 3, 5, 7)}
        (i64x2.extmul_low_i32x4_u (local.get $x0) (local.get $m0))
        (i64x2.extmul_high_i32x4_u (local.get $x0) (local.get $m0))))
      (local.set $l0 (i32x4.mul (local.get $x0) (local.get $m0)))
      (local.set $h1 (i8x16.shuffle ${words(1, 3, 5, 7)}
        (i64x2.extmul_low_i32x4_u (local.get $x2) (local.get $m1))
        (i64x2.extmul_high_i32x4_u (local.get $x2) (local.get $m1))))
      (local.set $x0 (v128.xor (v128.xor (local.get $h1) (local.get $x1)) (v128.load offset=${K0} (i32.const 0))))
      (local.set $x1 (i32x4.mul (local.get $x2) (local.get $m1)))
      (local.set $x2 (v128.xor (v128.xor (local.get $h0) (local.get $x3)) (v128.load offset=${K1} (i32.const 0))))
      (local.set $x3 (local.get $l0))`;
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
  const rounds = [];
  for (let r = 0; r < 10; r++) rounds.push(philoxRound(r));
  return `;; GENERATED by packages/core/scripts/gen-noise-wasm.mjs -- do not edit by hand.
;; Philox4x32-10 + Box-Muller noise kernel of @rs/core (stream layout: src/noise/stream-layout.ts).
;; Memory: bytes [0, 320) hold the 10 splatted round keys (k0 at 32r, k1 at 32r+16);
;; the caller places base / clip bounds / output elsewhere (see src/noise/wasm-generator.ts).
(module
  (memory (export "memory") 1)
  ;; fill(out, base, lo, hi, mode, k0, k1, stream, input, j0, rows, dim, scale)
  ;; Writes rows*dim float32 at byte address out (plus up to 64 bytes of scratch past the end).
  ;; mode 0: standard normals; 1: base + scale*z; 2: base + scale*z clamped to [lo, hi].
  ;; base / lo / hi must be readable for ceil(dim/4)*4 floats.
  (func (export "fill")
    (param $out i32) (param $base i32) (param $lo i32) (param $hi i32) (param $mode i32)
    (param $k0 i32) (param $k1 i32) (param $stream i32) (param $input i32)
    (param $j0 i32) (param $rows i32) (param $dim i32) (param $scale f32)
    (local $nb i32) (local $groups i32) (local $rowBytes i32) (local $b i32) (local $jj i32) (local $row i32)
    (local $a0 i32) (local $a1 i32) (local $a2 i32) (local $a3 i32)
    (local $f0 i32) (local $f1 i32) (local $f2 i32) (local $f3 i32)
    (local $m0 v128) (local $m1 v128) (local $c2 v128) (local $c3 v128) (local $scalev v128)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128)
    (local $h0 v128) (local $l0 v128) (local $h1 v128)
    (local $u v128) (local $k v128) (local $f v128) (local $kf v128) (local $s v128) (local $w v128)
    (local $r v128) (local $phi v128) (local $t v128) (local $sn v128) (local $cs v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local $z0 v128) (local $z1 v128) (local $z2 v128) (local $z3 v128) (local $v v128)
${keyInit.join('\n')}
    (local.set $nb (i32.shr_u (i32.add (local.get $dim) (i32.const 3)) (i32.const 2)))
    (local.set $groups (i32.shr_u (i32.add (i32.mul (local.get $rows) (local.get $nb)) (i32.const 3)) (i32.const 2)))
    (local.set $rowBytes (i32.shl (local.get $dim) (i32.const 2)))
    (local.set $jj (local.get $j0))
    (local.set $row (local.get $out))
    (local.set $m0 (i32x4.splat (i32.const ${M0})))
    (local.set $m1 (i32x4.splat (i32.const ${M1})))
    (local.set $c2 (i32x4.splat (local.get $input)))
    (local.set $c3 (i32x4.splat (local.get $stream)))
    (local.set $scalev (f32x4.splat (local.get $scale)))
    (block $done
      (br_if $done (i32.eqz (local.get $groups)))
      (loop $group
${[0, 1, 2, 3].map(laneSetup).join('\n')}
      (local.set $x2 (local.get $c2))
      (local.set $x3 (local.get $c3))
${rounds.join('\n')}
${boxMuller('(local.get $x0)', '(local.get $x1)', '$t0')}
${boxMuller(`(i8x16.shuffle ${words(2, 3, 2, 3)} (local.get $x0) (local.get $x0))`, `(i8x16.shuffle ${words(2, 3, 2, 3)} (local.get $x1) (local.get $x1))`, '$t1')}
${boxMuller('(local.get $x2)', '(local.get $x3)', '$t2')}
${boxMuller(`(i8x16.shuffle ${words(2, 3, 2, 3)} (local.get $x2) (local.get $x2))`, `(i8x16.shuffle ${words(2, 3, 2, 3)} (local.get $x3) (local.get $x3))`, '$t3')}
      ;; transpose: z_L = the 4 normals of lane L's block
      (local.set $z0 (i8x16.shuffle ${words(0, 1, 4, 5)} (local.get $t0) (local.get $t2)))
      (local.set $z1 (i8x16.shuffle ${words(2, 3, 6, 7)} (local.get $t0) (local.get $t2)))
      (local.set $z2 (i8x16.shuffle ${words(0, 1, 4, 5)} (local.get $t1) (local.get $t3)))
      (local.set $z3 (i8x16.shuffle ${words(2, 3, 6, 7)} (local.get $t1) (local.get $t3)))
      (if (i32.eqz (local.get $mode))
        (then
          (v128.store (local.get $a0) (local.get $z0))
          (v128.store (local.get $a1) (local.get $z1))
          (v128.store (local.get $a2) (local.get $z2))
          (v128.store (local.get $a3) (local.get $z3)))
        (else
${[0, 1, 2, 3].map(storeLane).join('\n')}))
      (local.set $groups (i32.sub (local.get $groups) (i32.const 1)))
      (br_if $group (local.get $groups))))
  )
)
`;
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

/** SHA-256 of the WAT text this binary was assembled from. @example NOISE_WASM_WAT_SHA256.length === 64 */
export const NOISE_WASM_WAT_SHA256 = '${sha}';

/** Byte length of the kernel. @example decodeBase64(NOISE_WASM_BASE64).length === NOISE_WASM_BYTE_LENGTH */
export const NOISE_WASM_BYTE_LENGTH = ${bytes.length};

/** The assembled WebAssembly SIMD noise kernel, base64. @example new WebAssembly.Module(decodeBase64(NOISE_WASM_BASE64)) */
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
