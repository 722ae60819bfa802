import type { NamedTable } from '../analyze/certified-accuracy.js';

/**
 * Options of {@link certifiedAccuracySvg}.
 */
export interface PlotOptions {
  /** Right end of the radius axis. */
  maxRadius: number;
  title?: string | undefined;
  /** The norm of the radius axis (default 'l2'). */
  norm?: 'l1' | 'l2' | 'linf' | undefined;
  width?: number;
  height?: number;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
const DASHES = ['', '7 4', '2 3', '9 3 2 3'];

/**
 * Tick positions for [0, max]: steps of 1, 2, 2.5 or 5 times a power of ten, 4 to 10 ticks.
 *
 * @example
 * niceTicks(2); // [0, 0.25, 0.5, ..., 2]  (step 0.25)
 */
export function niceTicks(max: number): number[] {
  const raw = max / 6;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * p).find((s) => max / s <= 8) ?? 10 * p;
  const out: number[] = [];
  for (let i = 0; i * step <= max + 1e-9; i++) out.push(Math.round(i * step * 1e9) / 1e9);
  return out;
}

/**
 * The exact step function of approximate certified accuracy against radius for one table:
 * points (r, accuracy) of an SVG polyline from r = 0 to `maxRadius`.
 *
 * @example
 * accuracyCurve(rows, 1); // [[0, 0.8], [0.31, 0.8], [0.31, 0.75], ...]
 */
export function accuracyCurve(rows: NamedTable['rows'], maxRadius: number): [number, number][] {
  const m = rows.length;
  if (m === 0)
    return [
      [0, 0],
      [maxRadius, 0],
    ];
  const radii = rows
    .filter((r) => r.correct === 1)
    .map((r) => r.radius ?? 0)
    .sort((a, b) => a - b);
  let alive = radii.length; // rows with radius >= current r
  const pts: [number, number][] = [[0, alive / m]];
  let i = 0;
  while (i < radii.length && radii[i]! < 0) i++;
  for (; i < radii.length && radii[i]! <= maxRadius; ) {
    const r = radii[i]!;
    let k = i;
    while (k < radii.length && radii[k] === r) k++;
    pts.push([r, alive / m]);
    alive -= k - i;
    pts.push([r, alive / m]);
    i = k;
  }
  pts.push([maxRadius, alive / m]);
  return pts;
}

function esc(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

function label(v: number): string {
  return String(Math.round(v * 1e6) / 1e6);
}

/**
 * A figure of certified accuracy against radius (in the norm of `o.norm`, L2 by default), one line per table (colour and dash pattern,
 * so it survives black-and-white print), with axes, ticks, grid, axis labels, legend and an
 * optional title: a standalone SVG document.
 *
 * @example
 * writeFileSync('curve.svg', certifiedAccuracySvg([{ name: 'sigma 0.25', kind: 'certify', rows }], { maxRadius: 1 }));
 */
export function certifiedAccuracySvg(tables: NamedTable[], o: PlotOptions): string {
  const W = o.width ?? 640;
  const H = o.height ?? 440;
  const m = { left: 72, right: 24, top: o.title ? 44 : 20, bottom: 60 };
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;
  const X = (r: number) => m.left + (r / o.maxRadius) * pw;
  const Y = (a: number) => m.top + (1 - a) * ph;
  const n = (v: number) => v.toFixed(2);
  const parts: string[] = [];
  parts.push(`<?xml version="1.0" encoding="UTF-8"?>`);
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="14">`,
  );
  parts.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  if (o.title) parts.push(`<text x="${n(m.left + pw / 2)}" y="${m.top - 18}" text-anchor="middle" font-size="17">${esc(o.title)}</text>`);
  // grid and ticks
  const xt = niceTicks(o.maxRadius);
  const yt = [0, 0.2, 0.4, 0.6, 0.8, 1];
  parts.push(`<g stroke="#e4e4e4" stroke-width="1">`);
  for (const t of xt) parts.push(`<line x1="${n(X(t))}" y1="${n(Y(0))}" x2="${n(X(t))}" y2="${n(Y(1))}"/>`);
  for (const t of yt) parts.push(`<line x1="${n(X(0))}" y1="${n(Y(t))}" x2="${n(X(o.maxRadius))}" y2="${n(Y(t))}"/>`);
  parts.push(`</g>`);
  parts.push(`<g stroke="black" stroke-width="1">`);
  for (const t of xt) parts.push(`<line x1="${n(X(t))}" y1="${n(Y(0))}" x2="${n(X(t))}" y2="${n(Y(0) + 6)}"/>`);
  for (const t of yt) parts.push(`<line x1="${n(X(0) - 6)}" y1="${n(Y(t))}" x2="${n(X(0))}" y2="${n(Y(t))}"/>`);
  parts.push(`</g>`);
  parts.push(`<g text-anchor="middle">`);
  for (const t of xt) parts.push(`<text x="${n(X(t))}" y="${n(Y(0) + 22)}">${label(t)}</text>`);
  parts.push(`</g><g text-anchor="end">`);
  for (const t of yt) parts.push(`<text x="${n(X(0) - 10)}" y="${n(Y(t) + 5)}">${label(t)}</text>`);
  parts.push(`</g>`);
  parts.push(
    `<text x="${n(m.left + pw / 2)}" y="${H - 14}" text-anchor="middle" font-size="16">radius (${({ l1: 'L1', l2: 'L2', linf: 'L&#8734;' } as const)[o.norm ?? 'l2']})</text>`,
  );
  parts.push(`<text transform="translate(20 ${n(m.top + ph / 2)}) rotate(-90)" text-anchor="middle" font-size="16">certified accuracy</text>`);
  // curves
  tables.forEach((t, i) => {
    const pts = accuracyCurve(t.rows, o.maxRadius)
      .map(([r, a]) => `${n(X(r))},${n(Y(a))}`)
      .join(' ');
    const dash = DASHES[i % DASHES.length];
    parts.push(
      `<polyline fill="none" stroke="${COLORS[i % COLORS.length]}" stroke-width="2.2" stroke-linejoin="round"${dash ? ` stroke-dasharray="${dash}"` : ''} points="${pts}"/>`,
    );
  });
  // axes box
  parts.push(`<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="black" stroke-width="1"/>`);
  // legend, upper right
  const lw = Math.max(...tables.map((t) => t.name.length)) * 7.6 + 56;
  const lh = tables.length * 22 + 10;
  const lx = m.left + pw - lw - 10;
  const ly = m.top + 10;
  parts.push(`<g><rect x="${n(lx)}" y="${ly}" width="${n(lw)}" height="${lh}" fill="white" fill-opacity="0.9" stroke="#999"/>`);
  tables.forEach((t, i) => {
    const y = ly + 18 + i * 22;
    const dash = DASHES[i % DASHES.length];
    parts.push(
      `<line x1="${n(lx + 10)}" y1="${y - 5}" x2="${n(lx + 40)}" y2="${y - 5}" stroke="${COLORS[i % COLORS.length]}" stroke-width="2.2"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`,
    );
    parts.push(`<text x="${n(lx + 48)}" y="${y}">${esc(t.name)}</text>`);
  });
  parts.push(`</g>`);
  parts.push(`</svg>`);
  return `${parts.join('\n')}\n`;
}
