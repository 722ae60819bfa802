import type { ResultRow } from '../io/tsv.js';

/**
 * A results table to analyze, with its legend name.
 *
 * @example
 * const t: NamedTable = { name: 'a.tsv', kind: 'certify', rows: parseResultsTsv(text, 'a.tsv').rows };
 */
export interface NamedTable {
  name: string;
  kind: 'certify' | 'predict';
  rows: ResultRow[];
  /** Noisy samples each row took (n0 + estimation samples, from the log), null where unknown. */
  samples?: (number | null)[] | undefined;
  /** Sequential radius mode: the radius decided (a row counts as certified when its radius reaches it). */
  targetRadius?: number | null | undefined;
}

/**
 * The analysis of one results file.
 *
 * @example
 * const { acr, approximate } = analyzeTables(tables, opts).tables[0]!;
 */
export interface TableAnalysis {
  name: string;
  kind: 'certify' | 'predict';
  /** Rows in the file. */
  count: number;
  /** Fraction of rows with correct = 1 (the smoothed classifier's clean accuracy). */
  accuracy: number;
  /** Fraction of rows with predict = -1. */
  abstainRate: number;
  /** Average certified radius: mean over rows of (correct ? radius : 0). Certify files only. */
  acr: number | null;
  /** Approximate certified accuracy at each radius: mean of (correct and radius >= r). */
  approximate: number[] | null;
  /** Cohen et al.'s high-probability certified accuracy at each radius (clamped at 0). */
  highProb: number[] | null;
  /** Mean noisy samples per input (n0 + estimation), when the log gives them for every row. */
  samplesPerInput: number | null;
  /** Mean noisy samples per certified input (not abstaining; radius mode: radius >= the target). */
  samplesPerCertified: number | null;
}

/**
 * The analysis of several files on one radius grid.
 *
 * @example
 * const a: Analysis = analyzeTables(tables, { radii: [0, 0.5], alpha: 0.001, rho: 0.001 });
 */
export interface Analysis {
  radii: number[];
  /** Failure probability of each certificate (in the high-probability bound). */
  alpha: number;
  /** The high-probability bound holds with probability 1 - rho. */
  rho: number;
  tables: TableAnalysis[];
  /** The norm the radii are measured in (from the files' logs; 'l2' for certify.py files). */
  norm?: 'l1' | 'l2' | 'linf' | undefined;
}

/**
 * Approximate certified accuracy at radius r (Cohen et al.'s `ApproximateAccuracy`): the fraction
 * of rows that are correct with radius >= r.
 *
 * @example
 * approximateCertifiedAccuracy(rows, 0.5); // 0.4
 */
export function approximateCertifiedAccuracy(rows: readonly ResultRow[], r: number): number {
  if (rows.length === 0) return 0;
  let hits = 0;
  for (const row of rows) if (row.correct === 1 && (row.radius ?? 0) >= r) hits++;
  return hits / rows.length;
}

/**
 * Cohen et al.'s `HighProbAccuracy`: a lower bound on the certified accuracy at radius r that holds
 * with probability 1 - rho over the certification randomness, given that each certificate is wrong
 * with probability at most alpha: `mean - alpha - sqrt(alpha (1 - alpha) ln(1/rho) / m) - ln(1/rho) / (3 m)`
 * for m rows (Bernstein's inequality), clamped at 0.
 *
 * @example
 * highProbabilityCertifiedAccuracy(rows, 0.5, 0.001, 0.001);
 */
export function highProbabilityCertifiedAccuracy(rows: readonly ResultRow[], r: number, alpha: number, rho: number): number {
  const m = rows.length;
  if (m === 0) return 0;
  const mean = approximateCertifiedAccuracy(rows, r);
  const log = Math.log(1 / rho);
  return Math.max(0, mean - alpha - Math.sqrt((alpha * (1 - alpha) * log) / m) - log / (3 * m));
}

/**
 * Analyzes results tables: accuracy, abstain rate, average certified radius, and approximate and
 * high-probability certified accuracy at each radius (certify tables; predict tables get accuracy
 * and abstain rate only).
 *
 * @example
 * const a = analyzeTables([{ name: 'sigma 0.25', kind: 'certify', rows }], { radii: [0, 0.25, 0.5], alpha: 0.001, rho: 0.001 });
 */
export function analyzeTables(tables: NamedTable[], o: { radii: number[]; alpha: number; rho: number; norm?: 'l1' | 'l2' | 'linf' | undefined }): Analysis {
  return {
    norm: o.norm,
    radii: o.radii,
    alpha: o.alpha,
    rho: o.rho,
    tables: tables.map((t) => {
      const m = t.rows.length;
      const mean = (f: (r: ResultRow) => number) => {
        if (m === 0) return 0;
        const total = t.rows.reduce((s, r) => s + f(r), 0);
        // Radii near the largest double overflow the sum: divide first then (finite radii give a finite mean).
        return Number.isFinite(total) ? total / m : t.rows.reduce((s, r) => s + f(r) / m, 0);
      };
      const certify = t.kind === 'certify';
      return {
        name: t.name,
        kind: t.kind,
        count: m,
        accuracy: mean((r) => r.correct),
        abstainRate: mean((r) => (r.predict === -1 ? 1 : 0)),
        acr: certify ? mean((r) => (r.correct === 1 ? (r.radius ?? 0) : 0)) : null,
        approximate: certify ? o.radii.map((r) => approximateCertifiedAccuracy(t.rows, r)) : null,
        highProb: certify ? o.radii.map((r) => highProbabilityCertifiedAccuracy(t.rows, r, o.alpha, o.rho)) : null,
        ...sampleMeans(t),
      };
    }),
  };
}

/**
 * Mean samples per input and per certified input of a table whose rows all have a sample count
 * (nulls otherwise). A row is certified when it does not abstain and, for a sequential radius-mode
 * run, its radius reaches the target.
 */
export function sampleMeans(t: NamedTable): { samplesPerInput: number | null; samplesPerCertified: number | null } {
  const s = t.samples;
  if (!s || s.length !== t.rows.length || t.rows.length === 0 || s.some((v) => v === null)) return { samplesPerInput: null, samplesPerCertified: null };
  const values = s as number[];
  const certified = t.rows
    .map((r, i) => ({ r, v: values[i]! }))
    .filter(({ r }) => r.predict !== -1 && (t.targetRadius == null || (r.radius ?? 0) >= t.targetRadius));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return { samplesPerInput: mean(values), samplesPerCertified: certified.length > 0 ? mean(certified.map((c) => c.v)) : null };
}
