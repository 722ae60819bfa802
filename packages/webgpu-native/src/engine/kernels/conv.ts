import { attrIntOf, attrIntsOf } from '../attributes.js';
import type { OpLowering } from '../lower-context.js';
import { elementwiseKernel, u32 } from './wgsl.js';
import { windowGeometry } from './window.js';

/**
 * Most multiply-adds one tiled Conv invocation unrolls per input channel: SwiftShader's compile
 * time grows with the unrolled code (2 rows x 14 pixels x 8 channels x 3 x 3 taps compile in ~0.5 s).
 */
const MAX_UNROLLED_MACS = 2048;
/**
 * Most taps (kernel height x width) of a tiled Conv, 5 x 5: larger kernels (the weight-gradient
 * convolutions of a gradient model, whose kernel is an activation map) loop over taps instead.
 * Also the limit for a MaxPool to be fused into a Conv.
 */
export const MAX_TILED_TAPS = 25;
/** Widest row segment one invocation computes (rows up to 16 wide in one piece, 28 as 2 x 14). */
const MAX_TILE = 16;

/**
 * Conv (1-D and 2-D; strides, pads / auto_pad, dilations, groups, bias; an optional fused Relu and
 * an optional fused non-overlapping MaxPool). Kernels of up to 5 x 5 taps: one invocation computes
 * a tile of 2 rows x up to 16 output pixels (fewer for larger kernels: the unrolled code stays
 * within MAX_UNROLLED_MACS) for a block of up to 8 output channels of its group,
 * with each input value of the tile loaded once per input channel and each weight once per tile,
 * all taps unrolled (memory loads dominate on SwiftShader, where each is a gather with a bounds
 * check); with a fused MaxPool the tile is whole pooling windows and only their max is stored.
 * Larger kernels (the weight-gradient convolutions of a gradient model) loop over taps, one pixel
 * per invocation. Masks use `&`, never short-circuit `&&` / `||`, whose branches make
 * SwiftShader's compile time explode. Each output sums bias, then input channels, kernel rows and
 * columns in order.
 */
export const convLowering: OpLowering = (ctx) => {
  const { node } = ctx;
  const x = ctx.input(0);
  const w = ctx.input(1);
  const xs = ctx.shape(x);
  const ws = ctx.shape(w);
  if (xs.length !== 3 && xs.length !== 4) throw ctx.fail(`Conv over ${xs.length - 2} spatial dimensions is not supported (1 or 2)`);
  const [n, c] = xs as [number, number];
  const spatial = xs.slice(2);
  const m = ws[0]!;
  const group = attrIntOf(node, 'group', 1);
  const kernelShape = attrIntsOf(node, 'kernel_shape') ?? ws.slice(2);
  if (c % group !== 0 || m % group !== 0 || ws[1]! * group !== c)
    throw ctx.fail(`Conv weight [${ws.join(', ')}] does not fit input channels ${c} with group ${group}`);
  let g: ReturnType<typeof windowGeometry>;
  try {
    g = windowGeometry(node, spatial, kernelShape);
  } catch (err) {
    throw ctx.fail((err as Error).message);
  }
  const [h, wd] = spatial.length === 2 ? (spatial as [number, number]) : [1, spatial[0]!];
  const [oh, ow] = g.out;
  const outShape = spatial.length === 2 ? [n, m, oh, ow] : [n, m, ow];
  if (ctx.pool) outShape.splice(2, 2, Math.floor(oh / ctx.pool[0]), Math.floor(ow / ctx.pool[1]));
  const y = ctx.output(0, outShape);
  const icg = c / group;
  const ocg = m / group;
  const hasBias = ctx.hasInput(2);
  const [kh, kw] = g.kernel;
  const block = [8, 4, 2, 1].find((b) => ocg % b === 0)!;
  const blocks = m / block;
  const [sh, sw] = g.strides;
  const [dh, dw] = g.dilations;
  const [ph, pw] = g.padBegin;
  const act = (v: string): string => (ctx.activation === 'Relu' ? `max(${v}, 0.0)` : v);
  const pool = ctx.pool;
  if (pool && (spatial.length !== 2 || kh * kw > MAX_TILED_TAPS)) throw ctx.fail(`a MaxPool is fused only into a 2-D Conv of at most ${MAX_TILED_TAPS} taps`);
  const bindings = [
    { variable: 'xin', value: x },
    { variable: 'wt', value: w },
    ...(hasBias ? [{ variable: 'bias', value: ctx.input(2) }] : []),
    { variable: 'y', value: y, write: true },
  ];
  const init = (j: number): string => (hasBias ? `bias[oc0 + ${u32(j)}]` : '0.0');
  const wStride = icg * kh * kw;
  if (kh * kw > MAX_TILED_TAPS) {
    const acc = Array.from({ length: block }, (_, j) => `a${j}`);
    const body = `
  let ox = i % ${u32(ow)};
  let oy = (i / ${u32(ow)}) % ${u32(oh)};
  let ob = (i / ${u32(ow * oh)}) % ${u32(blocks)};
  let nb = i / ${u32(ow * oh * blocks)};
  let oc0 = ob * ${u32(block)};
  let c0 = (oc0 / ${u32(ocg)}) * ${u32(icg)};
  ${acc.map((a, j) => `var ${a} = ${init(j)};`).join(' ')}
  for (var ic = 0u; ic < ${u32(icg)}; ic++) {
    let xbase = (nb * ${u32(c)} + c0 + ic) * ${u32(h * wd)};
    let wbase = (oc0 * ${u32(icg)} + ic) * ${u32(kh * kw)};
    for (var ky = 0; ky < ${kh}; ky++) {
      let iy = i32(oy * ${u32(sh)}) + ky * ${dh} - ${ph};
      if ((iy < 0) | (iy >= ${h})) { continue; }
      for (var kx = 0; kx < ${kw}; kx++) {
        let ix = i32(ox * ${u32(sw)}) + kx * ${dw} - ${pw};
        if ((ix < 0) | (ix >= ${wd})) { continue; }
        let v = xin[xbase + u32(iy) * ${u32(wd)} + u32(ix)];
        let wk = wbase + u32(ky * ${kw} + kx);
        ${acc.map((a, j) => `${a} = ${a} + v * wt[wk + ${u32(j * wStride)}];`).join(' ')}
      }
    }
  }
  let obase = ((nb * ${u32(m)} + oc0) * ${u32(oh)} + oy) * ${u32(ow)} + ox;
  ${acc.map((a, j) => `y[obase + ${u32(j * oh * ow)}] = ${act(a)};`).join(' ')}`;
    ctx.kernel(elementwiseKernel(`Conv ${node.name}`, bindings, n * blocks * oh * ow, body));
    return;
  }
  // A tile of `rows` x `tile` output pixels per invocation (with a fused max pool: whole pooling windows, stored pooled),
  // as wide as the unrolling budget allows within MAX_TILE, split evenly along the row.
  const [pkh, pkw] = pool ?? [1, 1];
  const rows = pool ? pkh : Math.min(2, oh);
  const [outH, outW] = pool ? [Math.floor(oh / pkh), Math.floor(ow / pkw)] : [oh, ow];
  const widest = Math.max(1, Math.floor(Math.min(MAX_TILE, MAX_UNROLLED_MACS / (block * kh * kw * rows)) / pkw));
  const per = Math.ceil(outW / Math.ceil(outW / widest)); // output (pooled) columns per invocation
  const segments = Math.ceil(outW / per);
  const bands = Math.ceil(outH / (pool ? 1 : rows));
  const tile = per * pkw;
  // Input rows and columns the tile reads, relative to its window start: each loaded once per input channel.
  const inRows = [...new Set(Array.from({ length: rows }, (_, q) => Array.from({ length: kh }, (_, ky) => q * sh + ky * dh)).flat())].sort((a, b) => a - b);
  const inCols = [...new Set(Array.from({ length: tile }, (_, p) => Array.from({ length: kw }, (_, kx) => p * sw + kx * dw)).flat())].sort((a, b) => a - b);
  const acc = (q: number, p: number, j: number): string => `a${q}_${p}_${j}`;
  const lines: string[] = [];
  for (const r of inRows) {
    lines.push(
      `    let iy${r} = iy0 + ${r}; let oky${r} = (iy${r} >= 0) & (iy${r} < ${h}); let row${r} = xbase + u32(clamp(iy${r}, 0, ${h - 1})) * ${u32(wd)};`,
    );
    for (const o of inCols)
      lines.push(`    let x${r}_${o} = select(0.0, xin[row${r} + u32(clamp(ix0 + ${o}, 0, ${wd - 1}))], oky${r} & (ix0 + ${o} >= 0) & (ix0 + ${o} < ${wd}));`);
  }
  for (let ky = 0; ky < kh; ky++) {
    for (let kx = 0; kx < kw; kx++)
      lines.push(`    ${Array.from({ length: block }, (_, j) => `let w${j}_${ky}_${kx} = wt[wbase + ${u32(j * wStride + ky * kw + kx)}];`).join(' ')}`);
  }
  // Each accumulator takes all its taps in a row (one load and store of it per input channel: Subzero keeps code order).
  for (let q = 0; q < rows; q++) {
    for (let p = 0; p < tile; p++) {
      for (let j = 0; j < block; j++) {
        const taps = Array.from(
          { length: kh * kw },
          (_, t) => `s = s + x${q * sh + Math.floor(t / kw) * dh}_${p * sw + (t % kw) * dw} * w${j}_${Math.floor(t / kw)}_${t % kw};`,
        );
        lines.push(`    { var s = ${acc(q, p, j)}; ${taps.join(' ')} ${acc(q, p, j)} = s; }`);
      }
    }
  }
  // Stores: one row (pooled) or `rows` rows per invocation; guards for a partial last segment or a last band of one row.
  const stores: string[] = [];
  for (let q = 0; q < (pool ? 1 : rows); q++) {
    for (let p = 0; p < per; p++) {
      const line = Array.from({ length: block }, (_, j) => {
        // The pooled value is the max over the window's conv outputs (Relu commutes with max).
        const window = pool ? Array.from({ length: pkh * pkw }, (_, k) => acc(Math.floor(k / pkw), p * pkw + (k % pkw), j)) : [acc(q, p, j)];
        return `y[obase + ${u32(j * outH * outW + q * outW + p)}] = ${act(window.reduce((mx, a) => (mx ? `max(${mx}, ${a})` : a), ''))};`;
      }).join(' ');
      const guards = [...(outW % per === 0 ? [] : [`(ox0 + ${p} < ${outW})`]), ...(q > 0 && outH % rows !== 0 ? [`(oy0 + ${q} < ${outH})`] : [])];
      stores.push(guards.length ? `  if (${guards.join(' & ')}) { ${line} }` : `  ${line}`);
    }
  }
  const body = `
  let tx = i % ${u32(segments)};
  let band = (i / ${u32(segments)}) % ${u32(bands)};
  let ob = (i / ${u32(segments * bands)}) % ${u32(blocks)};
  let nb = i / ${u32(segments * bands * blocks)};
  let ox0 = i32(tx * ${u32(per)});
  let oy0 = i32(band * ${u32(pool ? 1 : rows)});
  let ix0 = ox0 * ${pkw * sw} - ${pw};
  let iy0 = oy0 * ${pkh * sh} - ${ph};
  let oc0 = ob * ${u32(block)};
  let c0 = (oc0 / ${u32(ocg)}) * ${u32(icg)};
${Array.from({ length: rows }, (_, q) => Array.from({ length: tile }, (_, p) => `  ${Array.from({ length: block }, (_, j) => `var ${acc(q, p, j)} = ${init(j)};`).join(' ')}`).join('\n')).join('\n')}
  for (var ic = 0u; ic < ${u32(icg)}; ic++) {
    let xbase = (nb * ${u32(c)} + c0 + ic) * ${u32(h * wd)};
    let wbase = (oc0 * ${u32(icg)} + ic) * ${u32(kh * kw)};
${lines.join('\n')}
  }
  let obase = ((nb * ${u32(m)} + oc0) * ${u32(outH)} + u32(oy0)) * ${u32(outW)} + u32(ox0);
${stores.join('\n')}`;
  ctx.kernel(elementwiseKernel(`Conv ${node.name}${pool ? ' + MaxPool' : ''}`, bindings, n * blocks * bands * segments, body));
};
