import type { CertifyResult } from '@rs/core';

/** One row of an outcome table: what certify gave on the test images. */
export interface OutcomeRow {
  name: string;
  /** Clean accuracy of the smoothed classifier's predictions (abstentions count as wrong). */
  accuracy: number;
  /** Certified accuracy at each radius: correct and certified radius >= r. */
  certified: number[];
  /** Average certified radius: mean of the radius where correct, 0 elsewhere. */
  acr: number;
  seconds: number;
}

/**
 * The outcome row of one certify run against the labels.
 *
 * @example
 * const row = outcomeRow('sigma 0.25, no denoiser', result, labels, [0.25, 0.5, 1], 93.1);
 */
export function outcomeRow(name: string, r: CertifyResult, labels: Int32Array, radii: readonly number[], seconds: number): OutcomeRow {
  const count = labels.length;
  let correct = 0;
  let acr = 0;
  const certified = radii.map(() => 0);
  for (let i = 0; i < count; i++) {
    if (r.prediction[i] !== labels[i]) continue;
    correct++;
    acr += r.radius[i]!;
    radii.forEach((rad, j) => {
      if (r.radius[i]! >= rad) certified[j]!++;
    });
  }
  return { name, accuracy: correct / count, certified: certified.map((c) => c / count), acr: acr / count, seconds };
}

/**
 * A Markdown table of outcome rows (percentages with one decimal, ACR with three).
 *
 * @example
 * console.log(formatOutcomes(rows, [0.25, 0.5, 1]));
 */
export function formatOutcomes(rows: readonly OutcomeRow[], radii: readonly number[]): string {
  const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
  const head = ['base classifier', 'accuracy (r = 0)', ...radii.map((r) => `r = ${r}`), 'ACR', 'certify time'];
  const lines = [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`];
  for (const row of rows) {
    lines.push(`| ${[row.name, pct(row.accuracy), ...row.certified.map(pct), row.acr.toFixed(3), `${row.seconds.toFixed(0)} s`].join(' | ')} |`);
  }
  return lines.join('\n');
}
