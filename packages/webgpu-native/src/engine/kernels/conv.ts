import { attrIntOf, attrIntsOf } from '../attributes.js';
import type { OpLowering } from '../lower-context.js';
import { elementwiseKernel, u32 } from './wgsl.js';
import { windowGeometry } from './window.js';

/**
 * Conv (1-D and 2-D; strides, pads / auto_pad, dilations, groups, bias). One thread computes one
 * output pixel for a block of up to 8 output channels of its group (each input value read once per block).
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
  const bindings = [{ variable: 'xin', value: x }, { variable: 'wt', value: w }, ...(hasBias ? [{ variable: 'bias', value: ctx.input(2) }] : []), { variable: 'y', value: y, write: true }];
  const acc = Array.from({ length: block }, (_, j) => `a${j}`);
  const taps: string[] = [];
  if (kh * kw <= 9) {
    for (let ky = 0; ky < kh; ky++) {
      taps.push(`      { let iy = i32(oy * ${u32(sh)}) + ${ky * dh - ph}; let oky = iy >= 0 && iy < ${h};`);
      for (let kx = 0; kx < kw; kx++) {
        taps.push(`        { let ix = i32(ox * ${u32(sw)}) + ${kx * dw - pw}; let ok = oky && ix >= 0 && ix < ${wd};`);
        taps.push(`          let v = select(0.0, xin[xbase + u32(clamp(iy, 0, ${h - 1})) * ${u32(wd)} + u32(clamp(ix, 0, ${wd - 1}))], ok);`);
        taps.push(`          ${acc.map((a, j) => `${a} = ${a} + v * wt[wbase + ${u32(j * icg * kh * kw + ky * kw + kx)}];`).join(' ')} }`);
      }
      taps.push('      }');
    }
  } else {
    // Larger kernels (e.g. the weight-gradient convolutions of a gradient model, whose "kernel" is an activation map):
    // loops (SwiftShader takes minutes to compile dozens of unrolled taps).
    taps.push(`      for (var ky = 0; ky < ${kh}; ky++) {
        let iy = i32(oy * ${u32(sh)}) + ky * ${dh} - ${ph};
        if (iy < 0 || iy >= ${h}) { continue; }
        for (var kx = 0; kx < ${kw}; kx++) {
          let ix = i32(ox * ${u32(sw)}) + kx * ${dw} - ${pw};
          if (ix < 0 || ix >= ${wd}) { continue; }
          let v = xin[xbase + u32(iy) * ${u32(wd)} + u32(ix)];
          let wk = wbase + u32(ky * ${kw} + kx);
          ${acc.map((a, j) => `${a} = ${a} + v * wt[wk + ${u32(j * icg * kh * kw)}];`).join(' ')}
        }
      }`);
  }
  const body = `
  let ox = i % ${u32(ow)};
  let oy = (i / ${u32(ow)}) % ${u32(oh)};
  let ob = (i / ${u32(ow * oh)}) % ${u32(blocks)};
  let nb = i / ${u32(ow * oh * blocks)};
  let oc0 = ob * ${u32(block)};
  let c0 = (oc0 / ${u32(ocg)}) * ${u32(icg)};
  ${acc.map((a, j) => `var ${a} = ${hasBias ? `bias[oc0 + ${u32(j)}]` : '0.0'};`).join(' ')}
  for (var ic = 0u; ic < ${u32(icg)}; ic++) {
    let xbase = (nb * ${u32(c)} + c0 + ic) * ${u32(h * wd)};
    let wbase = (oc0 * ${u32(icg)} + ic) * ${u32(kh * kw)};
${taps.join('\n')}
  }
  let obase = ((nb * ${u32(m)} + oc0) * ${u32(oh)} + oy) * ${u32(ow)} + ox;
  ${acc.map((a, j) => `y[obase + ${u32(j * oh * ow)}] = ${a};`).join(' ')}`;
  ctx.kernel(elementwiseKernel(`Conv ${node.name}`, bindings, n * blocks * oh * ow, body));
};
