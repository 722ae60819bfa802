import { attrIntOf, attrIntsOf } from '../attributes.js';
import type { OpLowering } from '../lower-context.js';
import { elementwiseKernel, u32 } from './wgsl.js';
import { windowGeometry } from './window.js';

/**
 * Most multiply-adds one tiled Conv invocation unrolls per input channel: SwiftShader's compile
 * time grows with the unrolled code (14 pixels x 8 channels x 3 x 3 taps compile in ~0.3 s).
 */
const MAX_UNROLLED_MACS = 1024;
/** Widest row segment one invocation computes (rows up to 16 wide in one piece, 28 as 2 x 14). */
const MAX_TILE = 16;

/**
 * Conv (1-D and 2-D; strides, pads / auto_pad, dilations, groups, bias; an optional fused Relu).
 * Kernels of up to 3 x 3 taps: one invocation computes a row segment of up to 16 output pixels for
 * a block of up to 8 output channels of its group, with each input value of the segment loaded
 * once per (channel, kernel row) and each weight once per segment, all taps unrolled (memory
 * loads dominate on SwiftShader, where each is a gather with a bounds check). Larger kernels (the
 * weight-gradient convolutions of a gradient model) loop over taps, one pixel per invocation.
 * Masks use `&`, never short-circuit `&&` / `||`, whose branches make SwiftShader's compile time
 * explode.
 *
 * @example
 * LOWERINGS.Conv = convLowering;
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
  if (c % group !== 0 || m % group !== 0 || ws[1]! * group !== c) throw ctx.fail(`Conv weight [${ws.join(', ')}] does not fit input channels ${c} with group ${group}`);
  let g;
  try {
    g = windowGeometry(node, spatial, kernelShape);
  } catch (err) {
    throw ctx.fail((err as Error).message);
  }
  const [h, wd] = spatial.length === 2 ? (spatial as [number, number]) : [1, spatial[0]!];
  const [oh, ow] = g.out;
  const outShape = spatial.length === 2 ? [n, m, oh, ow] : [n, m, ow];
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
  const bindings = [{ variable: 'xin', value: x }, { variable: 'wt', value: w }, ...(hasBias ? [{ variable: 'bias', value: ctx.input(2) }] : []), { variable: 'y', value: y, write: true }];
  const init = (j: number): string => (hasBias ? `bias[oc0 + ${u32(j)}]` : '0.0');
  const wStride = icg * kh * kw;
  if (kh * kw > 9) {
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
  // Row segments of `tile` output pixels: as wide as possible within MAX_TILE and the unrolling budget, split evenly.
  const widest = Math.max(1, Math.min(MAX_TILE, Math.floor(MAX_UNROLLED_MACS / (block * kh * kw))));
  const tile = Math.ceil(ow / Math.ceil(ow / widest));
  const segments = Math.ceil(ow / tile);
  // Input columns the segment reads, relative to its first pixel's window start: loaded once per kernel row.
  const columns = [...new Set(Array.from({ length: tile }, (_, p) => Array.from({ length: kw }, (_, kx) => p * sw + kx * dw)).flat())].sort((a, b) => a - b);
  const accs = (p: number): string[] => Array.from({ length: block }, (_, j) => `a${p}_${j}`);
  const taps: string[] = [];
  for (let ky = 0; ky < kh; ky++) {
    taps.push(`    { let iy = iy0 + ${ky * dh}; let oky = (iy >= 0) & (iy < ${h}); let row = xbase + u32(clamp(iy, 0, ${h - 1})) * ${u32(wd)};`);
    for (const o of columns) taps.push(`      let x${o} = select(0.0, xin[row + u32(clamp(ix0 + ${o}, 0, ${wd - 1}))], oky & (ix0 + ${o} >= 0) & (ix0 + ${o} < ${wd}));`);
    for (let kx = 0; kx < kw; kx++) {
      taps.push(`      { ${Array.from({ length: block }, (_, j) => `let w${j} = wt[wbase + ${u32(j * wStride + ky * kw + kx)}];`).join(' ')}`);
      for (let p = 0; p < tile; p++) taps.push(`        ${accs(p).map((a, j) => `${a} = ${a} + x${p * sw + kx * dw} * w${j};`).join(' ')}`);
      taps.push('      }');
    }
    taps.push('    }');
  }
  const stores = Array.from({ length: tile }, (_, p) => {
    const s = accs(p).map((a, j) => `y[obase + ${u32(j * oh * ow + p)}] = ${act(a)};`).join(' ');
    return ow % tile === 0 ? `  ${s}` : `  if (ox0 + ${p} < ${ow}) { ${s} }`;
  });
  const body = `
  let tx = i % ${u32(segments)};
  let oy = i32((i / ${u32(segments)}) % ${u32(oh)});
  let ob = (i / ${u32(segments * oh)}) % ${u32(blocks)};
  let nb = i / ${u32(segments * oh * blocks)};
  let ox0 = i32(tx * ${u32(tile)});
  let ix0 = ox0 * ${sw} - ${pw};
  let iy0 = oy * ${sh} - ${ph};
  let oc0 = ob * ${u32(block)};
  let c0 = (oc0 / ${u32(ocg)}) * ${u32(icg)};
${Array.from({ length: tile }, (_, p) => `  ${accs(p).map((a, j) => `var ${a} = ${init(j)};`).join(' ')}`).join('\n')}
  for (var ic = 0u; ic < ${u32(icg)}; ic++) {
    let xbase = (nb * ${u32(c)} + c0 + ic) * ${u32(h * wd)};
    let wbase = (oc0 * ${u32(icg)} + ic) * ${u32(kh * kw)};
${taps.join('\n')}
  }
  let obase = ((nb * ${u32(m)} + oc0) * ${u32(oh)} + u32(oy)) * ${u32(ow)} + u32(ox0);
${stores.join('\n')}`;
  ctx.kernel(elementwiseKernel(`Conv ${node.name}`, bindings, n * blocks * oh * segments, body));
};
