import { attrIntOf, attrIntsOf } from '../attributes.js';
import type { OpLowering } from '../lower-context.js';
import { elementwiseKernel, f32, u32 } from './wgsl.js';
import { windowGeometry } from './window.js';

/**
 * MaxPool and AveragePool (1-D and 2-D; kernel_shape, strides, pads / auto_pad, dilations for
 * MaxPool, ceil_mode, count_include_pad), one thread per output element. Padding never wins a max;
 * AveragePool divides by the valid count, or with count_include_pad by the window clipped to the
 * padded input (ONNX Runtime's rule).
 */
export const poolLowering: OpLowering = (ctx) => {
  const { node } = ctx;
  const isMax = node.opType === 'MaxPool';
  if (attrIntOf(node, 'storage_order', 0) !== 0) throw ctx.fail('MaxPool storage_order 1 is not supported');
  const x = ctx.input(0);
  const xs = ctx.shape(x);
  if (xs.length !== 3 && xs.length !== 4) throw ctx.fail(`${node.opType} over ${xs.length - 2} spatial dimensions is not supported (1 or 2)`);
  const kernelShape = attrIntsOf(node, 'kernel_shape');
  if (!kernelShape) throw ctx.fail(`${node.opType} needs kernel_shape`);
  if (!isMax && (attrIntsOf(node, 'dilations') ?? []).some((d) => d !== 1)) throw ctx.fail('AveragePool dilations are not supported');
  const spatial = xs.slice(2);
  let g: ReturnType<typeof windowGeometry>;
  try {
    g = windowGeometry(node, spatial, kernelShape, true);
  } catch (err) {
    throw ctx.fail((err as Error).message);
  }
  const [n, c] = xs as [number, number];
  const [h, w] = spatial.length === 2 ? (spatial as [number, number]) : [1, spatial[0]!];
  const [oh, ow] = g.out;
  const outShape = spatial.length === 2 ? [n, c, oh, ow] : [n, c, ow];
  const y = ctx.output(0, outShape);
  // MaxPool's Indices output (the gradient models route gradients through it): flat positions in the input, as i32.
  const indices = isMax && node.outputs[1] ? ctx.output(1, outShape, 'int') : undefined;
  const [kh, kw] = g.kernel;
  const [sh, sw] = g.strides;
  const [dh, dw] = g.dilations;
  const [ph, pw] = g.padBegin;
  const includePad = attrIntOf(node, 'count_include_pad', 0) === 1;
  const head = `
  let ox = i32(i % ${u32(ow)});
  let oy = i32((i / ${u32(ow)}) % ${u32(oh)});
  let base = (i / ${u32(ow * oh)}) * ${u32(h * w)};
  let hs = oy * ${sh} - ${ph};
  let ws = ox * ${sw} - ${pw};`;
  let body: string;
  if (isMax && kh * kw <= 9) {
    // Small windows: taps unrolled, masks without branches (SwiftShader compiles branches slowly).
    const taps: string[] = [];
    for (let ky = 0; ky < kh; ky++) {
      for (let kx = 0; kx < kw; kx++) {
        taps.push(`  { let iy = hs + ${ky * dh}; let ix = ws + ${kx * dw};
    let ok = (iy >= 0) & (iy < ${h}) & (ix >= 0) & (ix < ${w});
    let at = base + u32(clamp(iy, 0, ${h - 1}) * ${w} + clamp(ix, 0, ${w - 1}));
    let v = xin[at];
    let take = ok & (!any | (v > best));
    best = select(best, v, take);${indices ? ' arg = select(arg, at, take);' : ''} any = any | ok; }`);
      }
    }
    body = `${head}
  var best = 0.0;
  var arg = 0u;
  var any = false;
${taps.join('\n')}
  y[i] = best;${indices ? '\n  ind[i] = i32(arg);' : ''}`;
  } else if (isMax) {
    body = `${head}
  var best = 0.0;
  var arg = 0u;
  var any = false;
  for (var ky = 0; ky < ${kh}; ky++) {
    let iy = hs + ky * ${dh};
    if ((iy < 0) | (iy >= ${h})) { continue; }
    for (var kx = 0; kx < ${kw}; kx++) {
      let ix = ws + kx * ${dw};
      if ((ix < 0) | (ix >= ${w})) { continue; }
      let v = xin[base + u32(iy * ${w} + ix)];
      if (!any | (v > best)) { best = v; arg = base + u32(iy * ${w} + ix); any = true; }
    }
  }
  y[i] = best;${indices ? '\n  ind[i] = i32(arg);' : ''}`;
  } else {
    const [pe, pwe] = g.padEnd;
    body = `${head}
  let he = min(hs + ${kh}, ${h + pe});
  let we = min(ws + ${kw}, ${w + pwe});
  let padded = f32((he - hs) * (we - ws));
  let h0 = max(hs, 0); let h1 = min(he, ${h});
  let w0 = max(ws, 0); let w1 = min(we, ${w});
  var sum = 0.0;
  for (var iy = h0; iy < h1; iy++) {
    for (var ix = w0; ix < w1; ix++) { sum = sum + xin[base + u32(iy * ${w} + ix)]; }
  }
  y[i] = sum / ${includePad ? 'padded' : 'f32((h1 - h0) * (w1 - w0))'};`;
  }
  const bindings = [
    { variable: 'xin', value: x },
    { variable: 'y', value: y, write: true },
    ...(indices ? [{ variable: 'ind', value: indices, write: true, type: 'i32' as const }] : []),
  ];
  ctx.kernel(elementwiseKernel(`${node.opType} ${node.name}`, bindings, n * c * oh * ow, body));
};

/**
 * GlobalAveragePool and GlobalMaxPool over every spatial dimension, one thread per (n, c).
 */
export const globalPoolLowering: OpLowering = (ctx) => {
  const x = ctx.input(0);
  const xs = ctx.shape(x);
  if (xs.length < 3) throw ctx.fail(`${ctx.node.opType} needs a [N, C, spatial...] input, got [${xs.join(', ')}]`);
  const area = xs.slice(2).reduce((a, b) => a * b, 1);
  const y = ctx.output(0, [xs[0]!, xs[1]!, ...xs.slice(2).map(() => 1)]);
  const isMax = ctx.node.opType === 'GlobalMaxPool';
  const body = `
  let base = i * ${u32(area)};
  var acc = xin[base];
  for (var k = 1u; k < ${u32(area)}; k++) { let v = xin[base + k]; acc = ${isMax ? 'max(acc, v)' : 'acc + v'}; }
  y[i] = ${isMax ? 'acc' : `acc / ${f32(area)}`};`;
  ctx.kernel(
    elementwiseKernel(
      `${ctx.node.opType} ${ctx.node.name}`,
      [
        { variable: 'xin', value: x },
        { variable: 'y', value: y, write: true },
      ],
      xs[0]! * xs[1]!,
      body,
    ),
  );
};
