import { attrIntOf, attrIntsOf, attrStringOf } from '../attributes.js';
import type { OpLowering } from '../lower-context.js';
import { elementwiseKernel, u32 } from './wgsl.js';

/**
 * ConvTranspose (1-D and 2-D; strides, pads, dilations, groups, output_padding, output_shape,
 * bias): one thread per output element gathers the input pixels whose window covers it.
 */
export const convTransposeLowering: OpLowering = (ctx) => {
  const { node } = ctx;
  const x = ctx.input(0);
  const w = ctx.input(1);
  const xs = ctx.shape(x);
  const ws = ctx.shape(w);
  if (xs.length !== 3 && xs.length !== 4) throw ctx.fail(`ConvTranspose over ${xs.length - 2} spatial dimensions is not supported (1 or 2)`);
  const r = xs.length - 2;
  const [n, c] = xs as [number, number];
  const group = attrIntOf(node, 'group', 1);
  if (ws[0] !== c || c % group !== 0) throw ctx.fail(`ConvTranspose weight [${ws.join(', ')}] does not fit input channels ${c} with group ${group}`);
  const mg = ws[1]!;
  const m = mg * group;
  const kernel = attrIntsOf(node, 'kernel_shape') ?? ws.slice(2);
  const strides = attrIntsOf(node, 'strides') ?? new Array<number>(r).fill(1);
  const dil = attrIntsOf(node, 'dilations') ?? new Array<number>(r).fill(1);
  const outPad = attrIntsOf(node, 'output_padding') ?? new Array<number>(r).fill(0);
  const autoPad = attrStringOf(node, 'auto_pad', 'NOTSET');
  if (autoPad !== 'NOTSET' && autoPad !== 'VALID') throw ctx.fail(`ConvTranspose auto_pad '${autoPad}' is not supported`);
  let pads = autoPad === 'VALID' ? new Array<number>(2 * r).fill(0) : (attrIntsOf(node, 'pads') ?? new Array<number>(2 * r).fill(0));
  const spatial = xs.slice(2);
  const full = spatial.map((s, d) => strides[d]! * (s - 1) + outPad[d]! + (kernel[d]! - 1) * dil[d]! + 1);
  let out = full.map((f, d) => f - pads[d]! - pads[d + r]!);
  const outputShape = attrIntsOf(node, 'output_shape');
  if (outputShape) {
    const target = outputShape.slice(-r);
    pads = new Array<number>(2 * r).fill(0);
    target.forEach((t, d) => {
      const total = full[d]! - t;
      // ONNX: without auto_pad SAME_UPPER the extra padding goes to the beginning.
      pads[d + r] = Math.floor(total / 2);
      pads[d] = total - pads[d + r]!;
    });
    out = target;
  }
  if (out.some((o) => o <= 0)) throw ctx.fail(`ConvTranspose output size [${out.join(', ')}] is not positive`);
  const two = (v: readonly number[], fill: number): [number, number] => (r === 1 ? [fill, v[0]!] : [v[0]!, v[1]!]);
  const [h, wd] = two(spatial, 1);
  const [oh, ow] = two(out, 1);
  const [kh, kw] = two(kernel, 1);
  const [sh, sw] = two(strides, 1);
  const [dh, dw] = two(dil, 1);
  const [ph, pw] = two(pads.slice(0, r), 0);
  const y = ctx.output(0, [n, m, ...out]);
  const hasBias = ctx.hasInput(2);
  const cg = c / group;
  const body = `
  let ox = i32(i % ${u32(ow)});
  let oy = i32((i / ${u32(ow)}) % ${u32(oh)});
  let oc = (i / ${u32(ow * oh)}) % ${u32(m)};
  let nb = i / ${u32(ow * oh * m)};
  let gi = oc / ${u32(mg)};
  let mo = oc % ${u32(mg)};
  var acc = ${hasBias ? 'bias[oc]' : '0.0'};
  for (var ky = 0; ky < ${kh}; ky++) {
    let ty = oy + ${ph} - ky * ${dh};
    if (ty < 0 || ty % ${sh} != 0) { continue; }
    let iy = ty / ${sh};
    if (iy >= ${h}) { continue; }
    for (var kx = 0; kx < ${kw}; kx++) {
      let tx = ox + ${pw} - kx * ${dw};
      if (tx < 0 || tx % ${sw} != 0) { continue; }
      let ix = tx / ${sw};
      if (ix >= ${wd}) { continue; }
      for (var ic = 0u; ic < ${u32(cg)}; ic++) {
        let ch = gi * ${u32(cg)} + ic;
        acc = acc + xin[((nb * ${u32(c)} + ch) * ${u32(h)} + u32(iy)) * ${u32(wd)} + u32(ix)] * wt[((ch * ${u32(mg)} + mo) * ${u32(kh)} + u32(ky)) * ${u32(kw)} + u32(kx)];
      }
    }
  }
  y[i] = acc;`;
  const bindings = [
    { variable: 'xin', value: x },
    { variable: 'wt', value: w },
    ...(hasBias ? [{ variable: 'bias', value: ctx.input(2) }] : []),
    { variable: 'y', value: y, write: true },
  ];
  ctx.kernel(elementwiseKernel(`ConvTranspose ${node.name}`, bindings, n * m * oh * ow, body));
};
