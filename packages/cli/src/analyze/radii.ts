import { decimalNumber } from '../cli/args.js';
import { CliError } from '../errors.js';

/**
 * Parses a radius grid `start:stop:step` (stop included, as Cohen et al.'s analyze.py's
 * `np.arange(start, stop + step, step)`), or a comma list `0,0.25,0.5`. Values are rounded to 1e-9
 * so 0.1 steps do not drift.
 *
 * @example
 * parseRadii('0:1:0.25'); // [0, 0.25, 0.5, 0.75, 1]
 * parseRadii('0.5,1');    // [0.5, 1]
 */
export function parseRadii(spec: string): number[] {
  const bad = () => new CliError(`radii '${spec}' must be start:stop:step (e.g. 0:2:0.25) or a comma list of radii >= 0`, { code: 'RS_USAGE' });
  if (spec.includes(':')) {
    const parts = spec.split(':').map(decimalNumber);
    if (parts.length !== 3 || parts.some((v) => !Number.isFinite(v))) throw bad();
    const [start, stop, step] = parts as [number, number, number];
    if (start < 0 || stop < start || step <= 0) throw bad();
    const count = Math.floor((stop - start) / step + 1e-9) + 1;
    if (count > 10_000) throw new CliError(`radii '${spec}' gives ${count} radii; at most 10000`, { code: 'RS_USAGE' });
    return Array.from({ length: count }, (_, i) => Math.round((start + i * step) * 1e9) / 1e9);
  }
  const list = spec.split(',').map(decimalNumber);
  if (list.length === 0 || list.some((v) => !Number.isFinite(v) || v < 0)) throw bad();
  return list;
}
