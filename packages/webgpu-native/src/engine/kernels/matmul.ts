import { attrFloatOf, attrIntOf } from '../attributes.js';
import type { OpLowering } from '../lower-context.js';
import { broadcast, broadcastStrides } from './elementwise.js';
import { decompose, elementwiseKernel, f32, numel, u32 } from './wgsl.js';

/** Output rows x columns one Gemm invocation computes (each loaded A row / B column serves the whole block). */
const GEMM_BLOCK: readonly [number, number] = [8, 8];

/**
 * Gemm: `alpha * A' B' + beta * C` (transA, transB, C broadcast to [M, N]; an optional fused
 * Relu). One invocation computes a block of 8 rows x 8 columns, so each element loaded from A or
 * B serves 8 multiply-adds (loads dominate on SwiftShader); with B transposed and K a multiple of 4
 * the loads are vec4. M and K (the batch size, in a plan's forward or weight-gradient Gemm) are
 * uniforms, so the code is the same for every batch size. Each output sums its products in K order.
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
  let cStrides = [0, 0];
  if (hasC) {
    const sc = ctx.shape(ctx.input(2));
    let fits = false;
    try {
      fits = broadcast(sc, [m, nn]).every((d, i) => d === [m, nn][i]);
    } catch {
      // shapes that do not broadcast at all: reported below
    }
    if (!fits) throw ctx.fail(`Gemm's C [${sc.join(', ')}] does not broadcast to [${m}, ${nn}]`);
    cStrides = broadcastStrides(sc, [m, nn]);
  }
  const vec = !ta && tb && k % 4 === 0;
  const [br, bc] = GEMM_BLOCK;
  const colBlocks = Math.ceil(nn / bc);
  const rows = Array.from({ length: br }, (_, r) => r);
  const cols = Array.from({ length: bc }, (_, c) => c);
  // Rows and columns past the edge compute the last one again (clamped indices, no branches).
  const heads = [
    ...rows.map((r) => `  let r${r} = min(row0 + ${u32(r)}, m - 1u);`),
    ...cols.map((c) => `  let c${c} = min(col0 + ${u32(c)}, ${u32(Math.max(0, nn - 1))});`),
  ];
  let loop: string;
  if (vec) {
    loop = `  for (var kk = 0u; kk < kq; kk++) {
    ${rows.map((r) => `let a${r} = xa[r${r} * kq + kk];`).join(' ')}
    ${cols.map((c) => `let b${c} = xb[c${c} * kq + kk];`).join(' ')}
${rows.map((r) => `    ${cols.map((c) => `s${r}_${c} = s${r}_${c} + dot(a${r}, b${c});`).join(' ')}`).join('\n')}
  }`;
  } else {
    loop = `  for (var kk = 0u; kk < kd; kk++) {
    ${rows.map((r) => `let a${r} = xa[${ta ? `kk * m + r${r}` : `r${r} * kd + kk`}];`).join(' ')}
    ${cols.map((c) => `let b${c} = xb[${tb ? `c${c} * kd + kk` : `kk * ${u32(nn)} + c${c}`}];`).join(' ')}
${rows.map((r) => `    ${cols.map((c) => `s${r}_${c} = s${r}_${c} + a${r} * b${c};`).join(' ')}`).join('\n')}
  }`;
  }
  const stores = rows.flatMap((r) =>
    cols.map((c) => {
      const scaled = alpha === 1 ? `s${r}_${c}` : `s${r}_${c} * ${f32(alpha)}`;
      const withC = hasC ? `${scaled} + ${beta === 1 ? '' : `${f32(beta)} * `}xc[r${r} * ${u32(cStrides[0]!)} + c${c} * ${u32(cStrides[1]!)}]` : scaled;
      // A row or column past the edge was computed for the clamped (last) one: storing it there again writes the same bits.
      return `  y[r${r} * ${u32(nn)} + c${c}] = ${ctx.activation === 'Relu' ? `max(${withC}, 0.0)` : withC};`;
    }),
  );
  const body = `
  let m = meta_.y;
  let ${vec ? 'kq = meta_.z / 4u' : 'kd = meta_.z'};
  let col0 = (i % ${u32(colBlocks)}) * ${u32(bc)};
  let row0 = (i / ${u32(colBlocks)}) * ${u32(br)};
${heads.join('\n')}
${rows.map((r) => `  ${cols.map((c) => `var s${r}_${c} = 0.0;`).join(' ')}`).join('\n')}
${loop}
${stores.join('\n')}`;
  const vt = vec ? ('vec4<f32>' as const) : ('f32' as const);
  const bindings = [
    { variable: 'xa', value: a, type: vt },
    { variable: 'xb', value: b, type: vt },
    ...(hasC ? [{ variable: 'xc', value: ctx.input(2) }] : []),
    { variable: 'y', value: y, write: true },
  ];
  ctx.kernel(elementwiseKernel(`Gemm ${node.name}`, bindings, Math.ceil(m / br) * colBlocks, body, '', { meta: [m, k] }));
};

/** Output rows x columns one MatMul invocation computes. */
const MATMUL_BLOCK: readonly [number, number] = [4, 4];

/**
 * MatMul with numpy semantics (1-D operands promoted and squeezed, batch dimensions broadcast),
 * one invocation per block of 4 x 4 outputs (each output sums its products in K order).
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
  const outShape = [...batch, ...(aVec ? [] : [m]), ...(bVec ? [] : [nn])];
  const y = ctx.output(0, outShape);
  const bsA = broadcastStrides(sa.slice(0, -2), batch).map((s) => s * m * k);
  const bsB = broadcastStrides(sb.slice(0, -2), batch).map((s) => s * k * nn);
  const [br, bc] = MATMUL_BLOCK;
  const colBlocks = Math.ceil(nn / bc);
  const rowBlocks = Math.ceil(m / br);
  const rows = Array.from({ length: br }, (_, r) => r);
  const cols = Array.from({ length: bc }, (_, c) => c);
  // M (the batch size of a 2-D MatMul) and its row blocks are uniforms; edge blocks recompute the clamped last row / column.
  const body = `
  let m = meta_.y;
  let col0 = (i % ${u32(colBlocks)}) * ${u32(bc)};
  let row0 = ((i / ${u32(colBlocks)}) % meta_.z) * ${u32(br)};
  let bi = i / (${u32(colBlocks)} * meta_.z);
${
  batch.length
    ? decompose('bi', batch, [
        ['oa', bsA],
        ['ob', bsB],
      ])
    : '  let oa = 0u; let ob = 0u;'
}
${rows.map((r) => `  let r${r} = min(row0 + ${u32(r)}, m - 1u);`).join('\n')}
${cols.map((c) => `  let c${c} = min(col0 + ${u32(c)}, ${u32(Math.max(0, nn - 1))});`).join('\n')}
${rows.map((r) => `  ${cols.map((c) => `var s${r}_${c} = 0.0;`).join(' ')}`).join('\n')}
  for (var kk = 0u; kk < ${u32(k)}; kk++) {
    ${rows.map((r) => `let a${r} = xa[oa + r${r} * ${u32(k)} + kk];`).join(' ')}
    ${cols.map((c) => `let b${c} = xb[ob + kk * ${u32(nn)} + c${c}];`).join(' ')}
${rows.map((r) => `    ${cols.map((c) => `s${r}_${c} = s${r}_${c} + a${r} * b${c};`).join(' ')}`).join('\n')}
  }
  let obase = bi * m * ${u32(nn)};
${rows.map((r) => `  ${cols.map((c) => `y[obase + r${r} * ${u32(nn)} + c${c}] = s${r}_${c};`).join(' ')}`).join('\n')}`;
  const threads = numel(batch) * rowBlocks * colBlocks;
  ctx.kernel(
    elementwiseKernel(
      `MatMul ${ctx.node.name}`,
      [
        { variable: 'xa', value: a },
        { variable: 'xb', value: b },
        { variable: 'y', value: y, write: true },
      ],
      threads,
      body,
      '',
      { meta: [m, rowBlocks] },
    ),
  );
};
