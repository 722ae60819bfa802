import type { Analysis } from './certified-accuracy.js';

/**
 * Output formats of `rsmooth analyze`.
 *
 * @example
 * const format: AnalysisFormat = 'latex';
 */
export type AnalysisFormat = 'md' | 'csv' | 'latex';

const f3 = (v: number | null) => (v === null ? '' : v.toFixed(3));
const rad = (r: number) => r.toFixed(2);
/** 'L1', 'L2' or 'Linf': the norm of an analysis's radii (L2 when unknown, as in certify.py files). */
const normName = (a: Analysis) => ({ l1: 'L1', l2: 'L2', linf: 'Linf' })[a.norm ?? 'l2'];

/**
 * Formats an analysis as a Markdown table (default), CSV or a LaTeX tabular. Columns: inputs,
 * accuracy, abstain rate, average certified radius (ACR), then the approximate certified accuracy
 * at each radius; the high-probability variant follows as a second table (md, latex) or as
 * `highprob@r` columns (csv). Values have 3 decimals.
 *
 * @example
 * console.log(formatAnalysis(analysis, 'md'));
 */
export function formatAnalysis(a: Analysis, format: AnalysisFormat): string {
  if (format === 'csv') return csv(a);
  if (format === 'latex') return latex(a);
  return markdown(a);
}

function markdown(a: Analysis): string {
  const head = ['file', 'inputs', 'accuracy', 'abstain', 'ACR', ...a.radii.map((r) => `r = ${rad(r)}`)];
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const sep = line(head.map((_h, i) => (i === 0 ? '---' : '---:')));
  const out = [
    `**Approximate certified accuracy** (fraction of inputs that are correct with ${normName(a)} radius >= r)`,
    '',
    line(head),
    sep,
    ...a.tables.map((t) =>
      line([t.name, String(t.count), f3(t.accuracy), f3(t.abstainRate), f3(t.acr), ...a.radii.map((_, i) => f3(t.approximate?.[i] ?? null))]),
    ),
  ];
  if (a.tables.some((t) => t.highProb)) {
    const hhead = ['file', 'inputs', ...a.radii.map((r) => `r = ${rad(r)}`)];
    out.push(
      '',
      `**High-probability certified accuracy** at ${normName(a)} radius r (Cohen et al.: holds with probability >= 1 - rho = ${1 - a.rho}, each certificate wrong with probability <= alpha = ${a.alpha})`,
      '',
      line(hhead),
      line(hhead.map((_h, i) => (i === 0 ? '---' : '---:'))),
      ...a.tables.filter((t) => t.highProb).map((t) => line([t.name, String(t.count), ...a.radii.map((_, i) => f3(t.highProb![i]!))])),
    );
  }
  return out.join('\n');
}

function csvCell(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function csv(a: Analysis): string {
  const head = ['file', 'inputs', 'accuracy', 'abstain_rate', 'acr', ...a.radii.map((r) => `approx@${rad(r)}`), ...a.radii.map((r) => `highprob@${rad(r)}`)];
  const rows = a.tables.map((t) =>
    [
      csvCell(t.name),
      String(t.count),
      f3(t.accuracy),
      f3(t.abstainRate),
      f3(t.acr),
      ...a.radii.map((_, i) => f3(t.approximate?.[i] ?? null)),
      ...a.radii.map((_, i) => f3(t.highProb?.[i] ?? null)),
    ].join(','),
  );
  return [head.join(','), ...rows].join('\n');
}

function latexEscape(s: string): string {
  return s.replace(/([\\&%$#_{}])/g, (c) => (c === '\\' ? '\\textbackslash{}' : `\\${c}`));
}

function latex(a: Analysis): string {
  const certify = a.tables.filter((t) => t.approximate);
  const cols = a.radii.length;
  const block = (title: string, pick: (t: (typeof certify)[number]) => number[]) => {
    const best = a.radii.map((_, j) => Math.max(...certify.map((t) => pick(t)[j]!)));
    return [
      `% ${title}`,
      `\\begin{tabular}{l${'c'.repeat(cols + 1)}}`,
      '\\toprule',
      ` & ACR ${a.radii.map((r) => `& $r = ${rad(r)}$`).join(' ')} \\\\`,
      '\\midrule',
      ...certify.map(
        (t) =>
          `${latexEscape(t.name)} & ${f3(t.acr)} ${pick(t)
            .map((v, j) => (v === best[j] && certify.length > 1 ? `& \\textbf{${f3(v)}}` : `& ${f3(v)}`))
            .join(' ')} \\\\`,
      ),
      '\\bottomrule',
      '\\end{tabular}',
    ].join('\n');
  };
  return [
    block(`approximate certified accuracy, ${normName(a)} radius r`, (t) => t.approximate!),
    '',
    block(`high-probability certified accuracy, ${normName(a)} radius r (alpha = ${a.alpha}, rho = ${a.rho})`, (t) => t.highProb!),
  ].join('\n');
}
