import { spawnSync } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NamedTable } from '../analyze/certified-accuracy.js';
import { CliError } from '../errors.js';
import { certifiedAccuracySvg, type PlotOptions } from './svg.js';

/**
 * Writes the certified-accuracy plot to `path`: SVG directly, PNG through ImageMagick's `convert`
 * (an error that says so when it is not installed). Written atomically (temporary file, rename).
 *
 * @example
 * writePlot('curve.svg', tables, { maxRadius: 1, title: 'Fashion-MNIST, sigma = 0.25' });
 */
export function writePlot(path: string, tables: NamedTable[], o: PlotOptions): void {
  const svg = certifiedAccuracySvg(tables, o);
  const tmp = `${path}.tmp-${process.pid}`;
  if (/\.svg$/i.test(path)) {
    writeFileSync(tmp, svg);
    renameSync(tmp, path);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'rsmooth-plot-'));
  try {
    const src = join(dir, 'plot.svg');
    writeFileSync(src, svg);
    const r = spawnSync('convert', ['-density', '200', src, `png:${tmp}`], { encoding: 'utf8' });
    if (r.error || r.status !== 0) {
      rmSync(tmp, { force: true });
      throw new CliError(`cannot write ${path}: PNG needs ImageMagick's 'convert' (${r.error ? 'not found' : r.stderr.trim()}); install imagemagick or write .svg`, 1);
    }
    renameSync(tmp, path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
