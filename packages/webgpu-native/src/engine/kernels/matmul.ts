import { attrFloatOf, attrIntOf } from '../attributes.js';
import type { OpLowering } from '../lower-context.js';
import { broadcast, broadcastStrides } from './elementwise.js';
import { decompose, elementwiseKernel, f32, numel, u32 } from './wgsl.js';

/**
 * Gemm: `alpha * A' B' + beta * C` (transA, transB, C broadcast to [M, N]), one thread per output.
 *
 * @example
 * LOWERINGS.Gemm = gemmLowering;
 */
export const gemmLowering: OpLowering = (ctx) => {
  const { node } = ctx;
  const a = ctx.input(0);
  const b = ctx.input(1);
  const sa = ctx.shape(a);
  const sb = ctx.shape(b);
  if (sa.length !== 2 || sb.length !== 2) throw ctx.fail(`Gemm needs 2-D inputs, got [${sa.join(', ')}] and [${sb.join(', ')}]`);
  const ta = attrIntOf(node, 'transA', 0) === 1;
  const tb = attrIntOf(node, 'transB', 0) === 1;
  const alpha = attrFloatOf(node, 'alpha', 1);
  const beta = attrFloatOf(node, 'beta', 1);
  const [m, k] = ta ? [sa[1]!, sa[0]!] : [sa[0]!, sa[1]!];
  const [kb, nn] = tb ? [sb[1]!, sb[0]!] : [sb[0]!, sb[1]!];
  if (k !== kb) throw ctx.fail(`Gemm inner dimensions differ: ${k} and ${kb}`);
  const y = ctx.output(0, [m, nn]);
  const hasC = ctx.hasInput(2) && beta !== 0;
  let cIndex = '';
  let cPrelude = '';
  if (hasC) {
    const sc = ctx.shape(ctx.input(2));
    try {
      if (broadcast(sc, [m, nn]).some((d, i) => d !== [m, nn][i])) throw new Error('');
    } catch {
      throw ctx.fail(`Gemm's C [${sc.join(', ')}] does not broadcast to [${m}, ${nn}]`);
    }
    const st = broadcastStrides(sc, [m, nn]);
    cIndex = `row * ${u32(st[0]!)} + col * ${u32(st[1]!)}`;
    cPrelude = '';
  }
  const vec = !ta && tb && k % 4 === 0;
  const aAt = ta ? `xa[kk * ${u32(m)} + row]` : `xa[row * ${u32(k)} + kk]`;
  const bAt = tb ? `xb[col * ${u32(k)} + kk]` : `xb[kk * ${u32(nn)} + col]`;
  const body = `
  let col = i % ${u32(nn)};
  let row = i / ${u32(nn)};
  var acc = 0.0;
  ${vec ? `let ab = row * ${u32(k / 4)}; let bb = col * ${u32(k / 4)};
  for (var kk = 0u; kk < ${u32(k / 4)}; kk++) { acc = acc + dot(xa[ab + kk], xb[bb + kk]); }` : `for (var kk = 0u; kk < ${u32(k)}; kk++) { acc = acc + ${aAt} * ${bAt}; }`}
  ${cPrelude}
  y[i] = ${alpha === 1 ? 'acc' : `acc * ${f32(alpha)}`}${hasC ? ` + ${beta === 1 ? '' : `${f32(beta)} * `}xc[${cIndex}]` : ''};`;
  const vt = vec ? ('vec4<f32>' as const) : ('f32' as const);
  const bindings = [{ variable: 'xa', value: a, type: vt }, { variable: 'xb', value: b, type: vt }, ...(hasC ? [{ variable: 'xc', value: ctx.input(2) }] : []), { variable: 'y', value: y, write: true }];
  ctx.kernel(elementwiseKernel(`Gemm ${node.name}`, bindings, m * nn, body));
};

/**
 * MatMul with numpy semantics (1-D operands promoted and squeezed, batch dimensions broadcast),
 * one thread per output.
 *
 * @example
 * LOWERINGS.MatMul = matmulLowering;
 */
export const matmulLowering: OpLowering = (ctx) => {
  const a = ctx.input(0);
  const b = ctx.input(1);
  let sa = [...ctx.shape(a)];
  let sb = [...ctx.shape(b)];
  const aVec = sa.length === 1;
  const bVec = sb.length === 1;
  if (aVec) sa = [1, sa[0]!];
  if (bVec) sb = [sb[0]!, 1];
  const m = sa[sa.length - 2]!;
  const k = sa[sa.length - 1]!;
  const nn = sb[sb.length - 1]!;
  if (sb[sb.length - 2] !== k) throw ctx.fail(`MatMul inner dimensions differ: [${ctx.shape(a).join(', ')}] x [${ctx.shape(b).join(', ')}]`);
  let batch: number[];
  try {
    batch = broadcast(sa.slice(0, -2), sb.slice(0, -2));
  } catch (err) {
    throw ctx.fail((err as Error).message);
  }
  const outFull = [...batch, m, nn];
  const outShape = [...batch, ...(aVec ? [] : [m]), ...(bVec ? [] : [nn])];
  const y = ctx.output(0, outShape);
  const bsA = broadcastStrides(sa.slice(0, -2), batch).map((s) => s * m * k);
  const bsB = broadcastStrides(sb.slice(0, -2), batch).map((s) => s * k * nn);
  const body = `
  let col = i % ${u32(nn)};
  let row = (i / ${u32(nn)}) % ${u32(m)};
${batch.length ? decompose(`(i / ${u32(m * nn)})`, batch, [['oa', bsA], ['ob', bsB]]) : '  let oa = 0u; let ob = 0u;'}
  var acc = 0.0;
  for (var kk = 0u; kk < ${u32(k)}; kk++) { acc = acc + xa[oa + row * ${u32(k)} + kk] * xb[ob + kk * ${u32(nn)} + col]; }
  y[i] = acc;`;
  ctx.kernel(elementwiseKernel(`MatMul ${ctx.node.name}`, [{ variable: 'xa', value: a }, { variable: 'xb', value: b }, { variable: 'y', value: y, write: true }], numel(outFull), body));
};
