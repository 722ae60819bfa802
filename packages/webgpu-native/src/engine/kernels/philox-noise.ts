import type { NoiseFamily } from '@rs/core';
import { f32, u32 } from './wgsl.js';

/**
 * WGSL of core's noise stream layout (packages/core/src/noise/stream-layout.ts): Philox4x32-10
 * with key (seed lo, seed hi) and counter (block b, sample j, input id i, stream s), then the
 * float32 Box-Muller of the layout, operation by operation in its documented order (musl logf
 * argument reduction and polynomial, sqrt, quadrant-reduced Cephes sin/cos polynomials), and the
 * layout's uniform and Laplace families (one value per Philox word).
 */
export const PHILOX_NORMAL_WGSL = /* wgsl */ `
fn mulhilo(a: u32, b: u32) -> vec2<u32> {
  let al = a & 0xffffu; let ah = a >> 16u; let bl = b & 0xffffu; let bh = b >> 16u;
  let ll = al * bl; let lh = al * bh; let hl = ah * bl; let hh = ah * bh;
  let mid = (ll >> 16u) + (lh & 0xffffu) + (hl & 0xffffu);
  return vec2<u32>(hh + (lh >> 16u) + (hl >> 16u) + (mid >> 16u), a * b);
}

fn philox(counter: vec4<u32>, key: vec2<u32>) -> vec4<u32> {
  var c = counter;
  var k = key;
  for (var r = 0u; r < 10u; r++) {
    let p0 = mulhilo(0xd2511f53u, c.x);
    let p1 = mulhilo(0xcd9e8d57u, c.z);
    c = vec4<u32>(p1.x ^ c.y ^ k.x, p1.y, p0.x ^ c.w ^ k.y, p0.y);
    k = k + vec2<u32>(0x9e3779b9u, 0xbb67ae85u);
  }
  return c;
}

fn log_uniform(x: u32) -> f32 {
  let u = f32(x >> 8u) * ${f32(2 ** -24)} + (f32(x & 255u) + 0.5) * ${f32(2 ** -32)};
  let umax = ${f32(1 - 2 ** -24)};
  return log_f32(select(u, umax, umax < u));
}

fn log_f32(u: f32) -> f32 {
  let ix = bitcast<i32>(u) - 0x3f3504f3;
  let k = f32(ix >> 23u);
  let f = bitcast<f32>((ix & 0x007fffff) + 0x3f3504f3) - 1.0;
  let s = f / (2.0 + f);
  let z = s * s;
  let w = z * z;
  let t1 = w * (${f32(0xccce13 * 2 ** -25)} + w * ${f32(0xf89e26 * 2 ** -26)});
  let t2 = z * (${f32(0xaaaaaa * 2 ** -24)} + w * ${f32(0x91e9ee * 2 ** -25)});
  let rr = t2 + t1;
  let hf = (0.5 * f) * f;
  return ((((s * (hf + rr)) + k * ${f32(9.05800061445916e-6)}) - hf) + f) + k * ${f32(0.69313812255859375)};
}

fn box_muller(xe: u32, xo: u32) -> vec2<f32> {
  let r = sqrt(log_uniform(xe) * -2.0);
  let n = xo + 0x20000000u;
  let a = (f32(bitcast<i32>(xo << 2u) >> 10u) + 0.5) * ${f32(Math.fround(Math.PI) * 2 ** -23)};
  let z = a * a;
  let sa = a + (a * z) * (${f32(-1.6666654611e-1)} + z * (${f32(8.3321608736e-3)} + z * ${f32(-1.9515295891e-4)}));
  let ca = 1.0 + z * (-0.5 + z * (${f32(4.166664568298827e-2)} + z * (${f32(-1.388731625493765e-3)} + z * ${f32(2.443315711809948e-5)})));
  let swap = (n & 0x40000000u) != 0u;
  var c = select(ca, sa, swap);
  var s = select(sa, ca, swap);
  if (((n ^ (n << 1u)) & 0x80000000u) != 0u) { c = -c; }
  if ((n & 0x80000000u) != 0u) { s = -s; }
  return vec2<f32>(r * c, r * s);
}

fn normals4(counter: vec4<u32>, key: vec2<u32>) -> vec4<f32> {
  let x = philox(counter, key);
  return vec4<f32>(box_muller(x.x, x.y), box_muller(x.z, x.w));
}

fn uniform_unit(x: u32) -> f32 {
  return f32((bitcast<i32>(x) >> 8u) | 1i) * ${f32(Math.fround(Math.sqrt(3) * 2 ** -23))};
}

fn laplace_unit(x: u32) -> f32 {
  let u = f32((x << 1u) >> 8u) * ${f32(2 ** -24)} + (f32(x & 127u) + 0.5) * ${f32(2 ** -31)};
  let umax = ${f32(1 - 2 ** -24)};
  let m = log_f32(select(u, umax, umax < u)) * ${f32(Math.fround(-Math.SQRT1_2))};
  return bitcast<f32>(bitcast<u32>(m) ^ (x & 0x80000000u));
}

fn uniforms4(counter: vec4<u32>, key: vec2<u32>) -> vec4<f32> {
  let x = philox(counter, key);
  return vec4<f32>(uniform_unit(x.x), uniform_unit(x.y), uniform_unit(x.z), uniform_unit(x.w));
}

fn laplaces4(counter: vec4<u32>, key: vec2<u32>) -> vec4<f32> {
  let x = philox(counter, key);
  return vec4<f32>(laplace_unit(x.x), laplace_unit(x.y), laplace_unit(x.z), laplace_unit(x.w));
}
`;

/** The WGSL function of PHILOX_NORMAL_WGSL that draws the 4 values of a block in each noise family. */
const FAMILY_FN: Readonly<Record<NoiseFamily, string>> = { gaussian: 'normals4', uniform: 'uniforms4', laplace: 'laplaces4' };

/** Per-row entry of the sampling row table: (data row, noise id, sample index, job slot); slot 0xffffffff = idle row. */
export const IDLE_ROW = 0xffffffff;

/**
 * The noisy-batch kernel: one thread per (row, 4-feature block) writes
 * `((clean + fl(scale z)) clipped, through the defences - sub) / div` (clip, defences and
 * preprocessing optional) into the model input, float32 as core's `fillNoisy`. Each defence is a
 * step table (core's `DeviceDefence` 'step': `values[number of thresholds <= v]`, found by binary
 * search, so the result is the host's bit for bit); a value outside a table's range (a NaN entry)
 * adds 1 to the defence error counter. Bindings: params (k0, k1, stream, scale bits), clean data,
 * row table, [clip min, clip max], [thresholds, values] per defence, [sub, div], out, [defence
 * errors]. The number of rows is the row table's length (the code is the same for every batch
 * size). `family` (default 'gaussian') picks the noise family.
 *
 * @example
 * const code = noisyBatchKernel(784, { clip: true, preprocessing: false, family: 'uniform', defences: 1 });
 */
export function noisyBatchKernel(dim: number, o: { clip: boolean; preprocessing: boolean; family?: NoiseFamily | undefined; defences?: number }): string {
  const nb = Math.ceil(dim / 4);
  let b = 0;
  const decl = (name: string, type: string, write = false) =>
    `@group(0) @binding(${b++}) var<storage, ${write ? 'read_write' : 'read'}> ${name}: array<${type}>;`;
  const decls = [decl('params', 'u32'), decl('clean', 'f32'), decl('rows', 'vec4<u32>')];
  if (o.clip) decls.push(decl('lo', 'f32'), decl('hi', 'f32'));
  const defences = o.defences ?? 0;
  for (let i = 0; i < defences; i++) decls.push(decl(`th${i}`, 'f32'), decl(`va${i}`, 'f32'));
  if (o.preprocessing) decls.push(decl('sub', 'f32'), decl('dv', 'f32'));
  decls.push(decl('out', 'f32', true));
  if (defences > 0) decls.push(decl('derr', 'atomic<u32>', true));
  const steps = Array.from(
    { length: defences },
    (_, i) => `    {
      var a = 0u;
      var b = arrayLength(&th${i});
      loop {
        if (a >= b) { break; }
        let m = (a + b) / 2u;
        if (th${i}[m] <= v) { a = m + 1u; } else { b = m; }
      }
      v = va${i}[a];
      if ((bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u) { atomicAdd(&derr[0], 1u); }
    }`,
  ).join('\n');
  return `${decls.join('\n')}
${PHILOX_NORMAL_WGSL}
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let t = (wid.y * nwg.x + wid.x) * 64u + lid;
  if (t >= arrayLength(&rows) * ${u32(nb)}) { return; }
  let row = t / ${u32(nb)};
  let blk = t % ${u32(nb)};
  let info = rows[row];
  if (info.w == ${u32(IDLE_ROW)}) { return; }
  let z = ${FAMILY_FN[o.family ?? 'gaussian']}(vec4<u32>(blk, info.z, info.y, params[2]), vec2<u32>(params[0], params[1]));
  let scale = bitcast<f32>(params[3]);
  for (var k = 0u; k < 4u; k++) {
    let f = blk * 4u + k;
    if (f >= ${u32(dim)}) { break; }
    var v = clean[info.x * ${u32(dim)} + f] + scale * z[k];
${o.clip ? '    v = select(v, lo[f], v < lo[f]);\n    v = select(v, hi[f], hi[f] < v);' : ''}
${steps}
${o.preprocessing ? '    v = (v - sub[f]) / dv[f];' : ''}
    out[row * ${u32(dim)} + f] = v;
  }
}
`;
}

/**
 * The counting kernel: one thread per row takes the argmax of its logits (first maximum, as
 * numpy) and adds 1 to its job's class count with an atomic; a NaN logit increments the error
 * counter (counts[0]) instead. Bindings: logits, row table (its length is the number of rows),
 * counts (1 + jobs * classes).
 *
 * @example
 * const code = argmaxCountKernel(10);
 */
export function argmaxCountKernel(nbClasses: number): string {
  return `@group(0) @binding(0) var<storage, read> logits: array<f32>;
@group(0) @binding(1) var<storage, read> rows: array<vec4<u32>>;
@group(0) @binding(2) var<storage, read_write> counts: array<atomic<u32>>;
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let row = (wid.y * nwg.x + wid.x) * 64u + lid;
  if (row >= arrayLength(&rows)) { return; }
  let slot = rows[row].w;
  if (slot == ${u32(IDLE_ROW)}) { return; }
  let base = row * ${u32(nbClasses)};
  var best = 0u;
  var bestValue = logits[base];
  var nan = (bitcast<u32>(bestValue) & 0x7fffffffu) > 0x7f800000u;
  for (var k = 1u; k < ${u32(nbClasses)}; k++) {
    let v = logits[base + k];
    if ((bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u) { nan = true; }
    if (v > bestValue) { bestValue = v; best = k; }
  }
  if (nan) { atomicAdd(&counts[0], 1u); return; }
  atomicAdd(&counts[1u + slot * ${u32(nbClasses)} + best], 1u);
}
`;
}
